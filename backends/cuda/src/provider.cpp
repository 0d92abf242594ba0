// The "cuda" provider: a cheap probe (driver loads, initialises and has the device; NVRTC loads)
// factory that builds the backend on first acquire.
#include <charconv>

#include "vyre/backends/cuda/backend.h"
#include "vyre/backends/cuda/codes.h"
#include "vyre/backends/cuda/environment.h"
#include "vyre/backends/cuda/nvrtc_compiler.h"

namespace vyre::cuda {

Status probe_cuda() {
  const DriverApi& api = *VYRE_TRY(load_driver_api());
  auto unavailable = [](std::string why) {
    return Diagnostic::error(code::BackendUnavailable, std::move(why),
                             "run where an NVIDIA GPU and its driver are visible (nvidia-smi "
                             "lists it), or choose another backend with --backend");
  };
  if (CUresult r = api.init(0); r != CUDA_SUCCESS) {
    return unavailable("the CUDA driver did not initialise: " + describe_error(api, r));
  }
  int count = 0;
  if (CUresult r = api.device_get_count(&count); r != CUDA_SUCCESS) {
    return unavailable("the CUDA driver could not count devices: " + describe_error(api, r));
  }
  if (count == 0) return unavailable("the CUDA driver sees no device");
  if (auto text = env_value(kDeviceVariable)) {
    int ordinal = -1;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), ordinal);
    if (error != std::errc() || end != text->data() + text->size() || ordinal < 0 ||
        ordinal >= count) {
      return unavailable("VYRE_CUDA_DEVICE `" + *text + "` names no device (the driver sees " +
                         std::to_string(count) + ")");
    }
  }
  return nvrtc_available();  // the backend compiles every pipeline it has not cached with it
}

BackendProvider cuda_backend_provider(int priority) {
  BackendProvider provider;
  provider.id = std::string(kBackendId);
  provider.priority = priority;
  provider.origin = "backends/cuda";
  provider.probe = [] { return probe_cuda(); };
  provider.factory = []() -> Result<std::shared_ptr<Backend>> {
    return std::shared_ptr<Backend>(VYRE_TRY(CudaBackend::create()));
  };
  return provider;
}

}  // namespace vyre::cuda
