#include "vyre/progen/differential.h"

#include <algorithm>

#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"

namespace vyre::progen {

RunInputs to_run_inputs(const std::vector<GeneratedInput>& inputs) {
  RunInputs out;
  for (const GeneratedInput& in : inputs) {
    if (in.param) {
      std::uint64_t bits = 0;
      for (std::size_t k = 0; k < in.bytes.size(); ++k)
        bits |= std::uint64_t(in.bytes[k]) << (8 * k);
      out.params[in.name] = Scalar{in.type, bits};
    } else {
      out.buffers[in.name] = HostBuffer(in.type, in.bytes);
    }
  }
  return out;
}

namespace {

// The config run_differential runs `backend` with (precompiling with another would miss).
DispatchConfig only_on(const std::string& backend) {
  DispatchConfig config;
  config.allowed_backends = {backend};
  return config;
}

}  // namespace

DiffResult run_differential(Runtime& runtime, const ir::Program& program, const RunInputs& inputs,
                            const std::vector<std::string>& backends, std::uint64_t ulp) {
  std::optional<RunResult> oracle;
  for (const std::string& id : backends) {
    auto result = runtime.run(program, inputs, only_on(id));
    if (!result.ok()) {
      const Diagnostic& d = result.error();
      if (d.code == code::BackendUnavailable || d.code == code::BackendLacksFeature || !oracle) {
        return {Verdict::Skipped, id, render_human(d)};
      }
      return {Verdict::Disagreed, id, "failed where " + backends.front() + " ran: " + d.message};
    }
    if (!oracle) {
      oracle = std::move(*result);
      continue;
    }
    if (auto m = compare_outputs(oracle->outputs, result->outputs, ulp)) {
      return {Verdict::Disagreed, id, m->describe()};
    }
  }
  return {};
}

Result<std::shared_ptr<pipeline::PipelineCache>> open_fuzz_cache(std::size_t batch,
                                                                 std::size_t backends) {
  pipeline::PipelineCacheOptions options;
  options.size_memory_entries = false;
  options.persist_stats = false;
  options.memory_max_entries = std::max(pipeline::kDefaultMemoryEntries, 4 * batch * backends);
  return pipeline::PipelineCache::open(std::move(options));
}

std::vector<DiffResult> run_differential_batch(Runtime& runtime, std::span<const Case> cases,
                                               const std::vector<std::string>& backends,
                                               std::uint64_t ulp) {
  std::vector<const ir::Program*> programs;
  programs.reserve(cases.size());
  for (const Case& c : cases) programs.push_back(&c.program);
  for (std::size_t b = 1; b < backends.size(); ++b) {
    (void)runtime.precompile(programs, only_on(backends[b]));  // errors resurface in run()
  }
  std::vector<DiffResult> verdicts;
  verdicts.reserve(cases.size());
  for (const Case& c : cases) {
    verdicts.push_back(run_differential(runtime, c.program, c.inputs, backends, ulp));
  }
  return verdicts;
}

}  // namespace vyre::progen
