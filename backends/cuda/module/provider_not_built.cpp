// Built without the CUDA toolkit: `cuda` stays listed, saying why it cannot start.
#include <optional>

#include "vyre/diag/codes.h"
#include "vyre/registry/backend_registry.h"

namespace vyre::cuda {

std::optional<BackendProvider> module_provider(int priority) {
  auto why = [] {
    return Diagnostic::error(code::BackendUnavailable,
                             "the cuda backend is unavailable: vyre was built without the CUDA "
                             "toolkit",
                             "install the CUDA toolkit (NVRTC, cuda.h) and reconfigure vyre");
  };
  BackendProvider provider;
  provider.id = "cuda";
  provider.priority = priority;
  provider.origin = "backends/cuda (CUDA toolkit not found at build time)";
  provider.probe = [why]() -> Status { return why(); };
  provider.factory = [why]() -> Result<std::shared_ptr<Backend>> { return why(); };
  return provider;
}

}  // namespace vyre::cuda
