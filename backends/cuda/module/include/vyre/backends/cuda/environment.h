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
// The libnvrtc file to load instead of searching for it; NVRTC's version enters the key through
// the fingerprint.
inline constexpr ModuleEnvVar kNvrtcPathVariable{
    "VYRE_NVRTC_PATH", false,
    "the libnvrtc.so file the cuda backend loads instead of searching for it; NVRTC's version "
    "enters the key through the fingerprint"};

}  // namespace vyre::cuda
