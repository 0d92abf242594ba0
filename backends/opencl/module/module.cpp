// The opencl module: its codes and variables always (so `vyre explain VY6002` answers in any
// build), its provider only when the OpenCL SDK was found (provider_built.cpp, else
// provider_absent.cpp, chosen by CMakeLists.txt).
#include "vyre/backends/c_emitter.h"
#include "vyre/backends/opencl/codes.h"
#include "vyre/backends/opencl/environment.h"
#include "vyre/registry/backend_module.h"

namespace vyre::opencl {
std::optional<BackendProvider> module_provider(int priority);
}

namespace vyre::modules {
namespace {

constexpr CodeInfo kCodes[] = {
#define VYRE_DIAG(name, id, title, explanation) CodeInfo{id, #name, title, explanation},
#define VYRE_RETIRED(name, id, replaced_by, title, explanation) \
  CodeInfo{id, #name, title, explanation, ::vyre::code::replaced_by},
#include "vyre/backends/opencl/codes.def"
#undef VYRE_RETIRED
#undef VYRE_DIAG
};

constexpr ModuleEnvVar kEnvironment[] = {opencl::kDeviceVariable};

// `vyre emit --backend opencl`: the C-family generator's OpenCL source (no device needed).
Result<std::string> emit_source(const ir::Program& program, const SourceRequest& request) {
  codegen::EmitOptions options;
  options.dialect = codegen::Dialect::OpenCL;
  options.workgroup = program->workgroup;
  options.ulp_budget = request.ulp_budget;
  options.fp64 = request.fp64;
  options.int64_atomics = request.int64_atomics;
  options.backend_id = "opencl";
  auto kernel = VYRE_TRY(codegen::emit_c_kernel(program, options));
  return std::move(kernel.source);
}

}  // namespace

const BackendModule& opencl() {
  static const BackendModule module{.name = "opencl",
                                    .environment = kEnvironment,
                                    .codes = kCodes,
                                    .provider = &vyre::opencl::module_provider,
                                    .emit_source = &emit_source};
  return module;
}

}  // namespace vyre::modules
