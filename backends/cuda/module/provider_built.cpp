#include "vyre/backends/cuda/backend.h"

namespace vyre::cuda {

std::optional<BackendProvider> module_provider(int priority) {
  return cuda_backend_provider(priority);
}

}  // namespace vyre::cuda
