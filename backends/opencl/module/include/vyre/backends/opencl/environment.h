// The environment variables the opencl module reads (listed by `vyre env` through the module).
#pragma once

#include "vyre/backend/environment.h"

namespace vyre::opencl {

inline constexpr ModuleEnvVar kDeviceVariable{
    "VYRE_OPENCL_DEVICE", false,
    "OpenCL platform/device by index (\"0:1\") or name substring; the chosen device enters the "
    "key through its fingerprint"};

}  // namespace vyre::opencl
