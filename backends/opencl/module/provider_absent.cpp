// Built without the OpenCL SDK: no provider, so `opencl` is not listed (its codes still explain).
#include <optional>

#include "vyre/registry/backend_registry.h"

namespace vyre::opencl {

std::optional<BackendProvider> module_provider(int /*priority*/) {
  return std::nullopt;
}

}  // namespace vyre::opencl
