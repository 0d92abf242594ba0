// The environment variables the cuda module reads (listed by `vyre env` through the module).
#pragma once

#include "vyre/backend/environment.h"

namespace vyre::cuda {

// Changes generated code: the chosen architecture enters the key through the fingerprint.
inline constexpr ModuleEnvVar kArchVariable{
    "VYRE_CUDA_ARCH", true, "NVRTC target architecture (e.g. sm_90) when no device decides it"};
inline constexpr ModuleEnvVar kDeviceVariable{
    "VYRE_CUDA_DEVICE", false,
    "CUDA device ordinal; the device enters the key through its fingerprint"};

}  // namespace vyre::cuda
