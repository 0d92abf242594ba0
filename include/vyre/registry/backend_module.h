// BackendModule: everything one backend folder (backends/<name>/) contributes to vyre: its
// provider, the environment variables it reads and the diagnostic codes it emits (its op
// lowerings stay inside the backend, which answers supported_ops() from them). The build
// generates the list of modules it holds (vyre/backends/builtin.h); registering that list is the
// only way a module reaches a registry, so linking a backend has no side effect of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "vyre/backend/environment.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/result.h"
#include "vyre/registry/backend_registry.h"

namespace vyre {

// What `vyre emit` asks of a module that generates kernel source: the source its backend would
// compile for a program, generated without a device.
struct SourceRequest {
  std::uint32_t ulp_budget = 4;
  bool fp64 = true;           // the device computes with f64
  bool int64_atomics = true;  // the device has 64-bit atomics
};

struct BackendModule {
  std::string_view name;                      // its folder under backends/: "opencl"
  std::span<const ModuleEnvVar> environment;  // variables the backend reads
  std::span<const CodeInfo> codes;  // its own codes, and the retired ones it still explains
  // The provider to register, at the priority backends/CMakeLists.txt gives the module; nullopt
  // when this build holds no backend for it (then it is not listed, but its codes still explain).
  std::optional<BackendProvider> (*provider)(int priority) = nullptr;
  // The kernel source for a program, for modules whose backend compiles generated source (null
  // for the others).
  Result<std::string> (*emit_source)(const ir::Program& program,
                                     const SourceRequest& request) = nullptr;
};

// One row of the generated module list: the module and its priority from backends/CMakeLists.txt.
struct BuiltModule {
  const BackendModule* module = nullptr;
  int priority = 0;
};

// Adds the provider of every module that has one and is not registered yet. Idempotent.
Status register_modules(BackendRegistry& registry, std::span<const BuiltModule> modules);

}  // namespace vyre
