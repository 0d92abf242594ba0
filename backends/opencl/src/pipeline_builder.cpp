#include "pipeline_builder.h"

#include <map>

#include "build_log.h"
#include "cl_handle.h"
#include "opencl_pipeline.h"
#include "pocl_cache_dir.h"
#include "vyre/backends/c_kernel_batch.h"

namespace vyre::opencl {
namespace {

using PipelineResult = Result<std::shared_ptr<const CompiledPipeline>>;

codegen::EmitOptions emit_options(const BuildTarget& target, const ir::Program& program,
                                  const DispatchConfig& config, std::string entry) {
  codegen::EmitOptions options = target.emit;
  options.workgroup = effective_workgroup(program, config);
  options.ulp_budget = config.ulp_budget;
  options.entry = std::move(entry);
  return options;
}

// clCreateProgramWithSource + clBuildProgram. A build failure is `label`'s KernelBuildFailed
// with the log's lines quoted from `source`, or VY4003 when POCL_CACHE_DIR is unusable.
Result<ClProgram> build_source(const BuildTarget& target, const std::string& source,
                               std::string_view label) {
  const char* text = source.c_str();
  const std::size_t length = source.size();
  cl_int err = CL_SUCCESS;
  ClProgram built(clCreateProgramWithSource(target.context, 1, &text, &length, &err));
  if (err != CL_SUCCESS) return api_error("clCreateProgramWithSource", err);
  err = clBuildProgram(built.get(), 1, &target.device, target.options.c_str(), nullptr, nullptr);
  if (err == CL_BUILD_PROGRAM_FAILURE || err == CL_INVALID_BUILD_OPTIONS) {
    // A POCL_CACHE_DIR PoCL cannot write fails every build: the setting, not the generated code.
    if (auto bad_setting = pocl_cache_dir_problem()) return std::move(*bad_setting);
    return build_failure(label, read_build_log(built.get(), target.device), source);
  }
  if (err != CL_SUCCESS) return api_error("clBuildProgram", err);
  return built;
}

// The pipeline of one kernel of `built`, its kernel created now (so a link problem shows here,
// not at the first dispatch).
PipelineResult make_pipeline(const Backend& owner, const ir::Program& program,
                             const std::array<std::uint32_t, 3>& wg, ClProgram built,
                             std::string entry, std::vector<codegen::KernelArg> args,
                             std::uint32_t ulp_budget, std::shared_ptr<const std::string> source) {
  auto pipeline =
      std::make_shared<OpenClPipeline>(owner, program, wg, std::move(built), std::move(entry),
                                       std::move(args), ulp_budget, std::move(source));
  ClKernel probe = VYRE_TRY(pipeline->take_kernel());
  pipeline->give_back(std::move(probe));
  return std::shared_ptr<const CompiledPipeline>(std::move(pipeline));
}

// A program of the batch whose kernel generated.
struct Member {
  std::size_t index;  // into the caller's programs and results
  const ir::Program* program;
};

// Builds members[lo, hi) together, halving on failure.
void build_group(const BuildTarget& target, const DispatchConfig& config,
                 std::span<const Member> members, std::span<const codegen::KernelParts> parts,
                 std::vector<PipelineResult>& results) {
  if (members.size() == 1) {
    results[members[0].index] = build_pipeline(target, *members[0].program, config);
    return;
  }
  auto source = std::make_shared<const std::string>(codegen::emit_c_kernel_batch(parts));
  auto built = build_source(target, *source, "batch");
  if (!built.ok()) {
    const std::size_t half = members.size() / 2;
    build_group(target, config, members.first(half), parts.first(half), results);
    build_group(target, config, members.subspan(half), parts.subspan(half), results);
    return;
  }
  for (std::size_t k = 0; k < members.size(); ++k) {
    const ir::Program& program = *members[k].program;
    results[members[k].index] =
        make_pipeline(*target.owner, program, effective_workgroup(program, config), *built,
                      parts[k].entry, parts[k].args, config.ulp_budget, source);
  }
}

}  // namespace

PipelineResult build_pipeline(const BuildTarget& target, const ir::Program& program,
                              const DispatchConfig& config) {
  codegen::KernelSource kernel = VYRE_TRY(codegen::emit_c_kernel(
      program, emit_options(target, program, config, std::string(codegen::kSingleEntry))));
  auto source = std::make_shared<const std::string>(std::move(kernel.source));
  ClProgram built = VYRE_TRY(build_source(target, *source, program->name));
  return make_pipeline(*target.owner, program, effective_workgroup(program, config),
                       std::move(built), std::move(kernel.entry), std::move(kernel.args),
                       config.ulp_budget, std::move(source));
}

std::vector<PipelineResult> build_pipelines(const BuildTarget& target,
                                            std::span<const ir::Program* const> programs,
                                            const DispatchConfig& config) {
  std::vector<PipelineResult> results(programs.size(),
                                      PipelineResult(Diagnostic::error("", "not built", "")));
  if (programs.size() == 1) {
    results[0] = build_pipeline(target, *programs[0], config);
    return results;
  }
  std::vector<Member> members;
  std::vector<codegen::KernelParts> parts;
  std::map<Digest, std::size_t> first_of;  // digest -> index of the first program with it
  std::vector<std::pair<std::size_t, std::size_t>> duplicates;  // (index, first index)
  for (std::size_t i = 0; i < programs.size(); ++i) {
    const ir::Program& program = *programs[i];
    auto [it, fresh] = first_of.try_emplace(program.digest(), i);
    if (!fresh) {
      duplicates.emplace_back(i, it->second);
      continue;
    }
    auto kernel = codegen::emit_c_kernel_parts(
        program, emit_options(target, program, config, codegen::batch_entry_name(program)));
    if (!kernel.ok()) {
      results[i] = std::move(kernel).error();
      continue;
    }
    members.push_back({i, &program});
    parts.push_back(std::move(kernel).value());
  }
  for (std::size_t start = 0; start < members.size(); start += kMaxKernelsPerBuild) {
    const std::size_t n = std::min(kMaxKernelsPerBuild, members.size() - start);
    build_group(target, config, std::span<const Member>(members).subspan(start, n),
                std::span<const codegen::KernelParts>(parts).subspan(start, n), results);
  }
  // An equal digest means the same kernel (names aside): share the first one's.
  for (const auto& [i, first] : duplicates) {
    if (!results[first].ok()) {
      results[i] = results[first].error();
      continue;
    }
    const auto& built = static_cast<const OpenClPipeline&>(**results[first]);
    clRetainProgram(built.program_handle());
    results[i] = make_pipeline(*target.owner, *programs[i], built.workgroup(),
                               ClProgram(built.program_handle()), built.entry(), built.args(),
                               built.ulp_budget(), built.source());
  }
  return results;
}

}  // namespace vyre::opencl
