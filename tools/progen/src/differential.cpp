#include "vyre/progen/differential.h"

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

DiffResult run_differential(Runtime& runtime, const ir::Program& program, const RunInputs& inputs,
                            const std::vector<std::string>& backends, std::uint64_t ulp) {
  std::optional<RunResult> oracle;
  for (const std::string& id : backends) {
    DispatchConfig config;
    config.allowed_backends = {id};
    auto result = runtime.run(program, inputs, config);
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

}  // namespace vyre::progen
