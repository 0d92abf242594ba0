#include "vyre/backends/builtin.h"

#include "vyre/backends/reference.h"
#include "vyre/registry/backend_registry.h"
#ifdef VYRE_HAVE_OPENCL
#include "vyre/backends/opencl/backend.h"
#endif
#ifdef VYRE_HAVE_CUDA
#include "vyre/backends/cuda/backend.h"
#else
#include "vyre/diag/codes.h"
#endif

namespace vyre {
namespace {

// The reference interpreter: always available, lowest priority, so any real device backend
// that supports a program wins automatic routing over it.
BackendProvider reference_provider() {
  BackendProvider provider;
  provider.id = std::string(kReferenceBackendId);
  provider.priority = 0;
  provider.origin = "backends/reference";
  provider.probe = [] { return Status(Ok{}); };
  provider.factory = []() -> Result<std::shared_ptr<Backend>> { return make_reference_backend(); };
  return provider;
}

#ifndef VYRE_HAVE_CUDA
// Without the toolkit the cuda id stays listed, saying why it cannot start.
BackendProvider cuda_not_built_provider() {
  auto why = [] {
    return Diagnostic::error(code::CudaNotBuilt,
                             "the cuda backend is unavailable: vyre was built without the CUDA "
                             "toolkit",
                             "install the CUDA toolkit (NVRTC, cuda.h) and reconfigure vyre");
  };
  BackendProvider provider;
  provider.id = "cuda";
  provider.priority = 30;
  provider.origin = "backends/builtin.cpp (CUDA toolkit not found at build time)";
  provider.probe = [why]() -> Status { return why(); };
  provider.factory = [why]() -> Result<std::shared_ptr<Backend>> { return why(); };
  return provider;
}
#endif

}  // namespace

Status register_builtin_backends(BackendRegistry& registry) {
  register_reference_lowerings();
  if (!registry.has(kReferenceBackendId)) VYRE_TRY(registry.add(reference_provider()));
#ifdef VYRE_HAVE_CUDA
  if (!registry.has(cuda::kBackendId)) VYRE_TRY(registry.add(cuda::cuda_backend_provider()));
#else
  if (!registry.has("cuda")) VYRE_TRY(registry.add(cuda_not_built_provider()));
#endif
#ifdef VYRE_HAVE_OPENCL
  if (!registry.has(opencl::kBackendId)) VYRE_TRY(registry.add(opencl::opencl_backend_provider()));
#endif
  return Ok{};
}

}  // namespace vyre
