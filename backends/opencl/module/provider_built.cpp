#include "vyre/backends/opencl/backend.h"

namespace vyre::opencl {

std::optional<BackendProvider> module_provider(int priority) {
  return opencl_backend_provider(priority);
}

}  // namespace vyre::opencl
