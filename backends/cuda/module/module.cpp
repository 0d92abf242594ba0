// The cuda module: its codes and variables always, and a provider either way: the backend's
// when the toolkit was found (provider_built.cpp), else one that lists `cuda` as unavailable
// with the reason (provider_not_built.cpp); CMakeLists.txt chooses.
#include "vyre/backends/c_emitter.h"
#include "vyre/backends/cuda/codes.h"
#include "vyre/backends/cuda/environment.h"
#include "vyre/registry/backend_module.h"

namespace vyre::cuda {
std::optional<BackendProvider> module_provider(int priority);
}

namespace vyre::modules {
namespace {

constexpr CodeInfo kCodes[] = {
#define VYRE_DIAG(name, id, title, explanation) CodeInfo{id, #name, title, explanation},
#define VYRE_RETIRED(name, id, replaced_by, title, explanation) \
  CodeInfo{id, #name, title, explanation, ::vyre::code::replaced_by},
#include "vyre/backends/cuda/codes.def"
#undef VYRE_RETIRED
#undef VYRE_DIAG
};

constexpr ModuleEnvVar kEnvironment[] = {cuda::kArchVariable, cuda::kDeviceVariable,
                                         cuda::kNvrtcPathVariable};

// `vyre emit --backend cuda`: the C-family generator's Cuda source (no device needed).
Result<std::string> emit_source(const ir::Program& program, const SourceRequest& request) {
  codegen::EmitOptions options;
  options.dialect = codegen::Dialect::Cuda;
  options.workgroup = program->workgroup;
  options.ulp_budget = request.ulp_budget;
  options.fp64 = request.fp64;
  options.int64_atomics = request.int64_atomics;
  options.backend_id = "cuda";
  auto kernel = VYRE_TRY(codegen::emit_c_kernel(program, options));
  return std::move(kernel.source);
}

}  // namespace

const BackendModule& cuda() {
  static const BackendModule module{.name = "cuda",
                                    .environment = kEnvironment,
                                    .codes = kCodes,
                                    .provider = &vyre::cuda::module_provider,
                                    .emit_source = &emit_source};
  return module;
}

}  // namespace vyre::modules
