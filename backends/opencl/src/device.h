// Finding the OpenCL device vyre runs on: platform/device enumeration, selection by
// VYRE_OPENCL_DEVICE, and what the device can do (capabilities) and is (fingerprint).
#pragma once

#include <CL/cl.h>

#include <optional>
#include <string>
#include <vector>

#include "vyre/backend/capabilities.h"
#include "vyre/backend/fingerprint.h"
#include "vyre/diag/result.h"

namespace vyre::opencl {

struct DeviceEntry {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  unsigned platform_index = 0;
  unsigned device_index = 0;
  std::string platform_name;
  std::string device_name;
  cl_device_type type = 0;
  std::string describe() const;  // "0:0  Portable Computing Language / pthread-haswell (CPU)"
};

// Every device of every platform; OpenClUnavailable when there is none.
Result<std::vector<DeviceEntry>> enumerate_devices();

// `selector` is "P:D" or a name substring; unset = the first GPU, else the first device.
Result<DeviceEntry> select_device(const std::vector<DeviceEntry>& devices,
                                  const std::optional<std::string>& selector);

// What the device supports, read from clGetDeviceInfo.
struct DeviceProperties {
  Capabilities capabilities;
  DeviceFingerprint fingerprint;
  bool correctly_rounded_divide_sqrt = false;  // -cl-fp32-correctly-rounded-divide-sqrt allowed
};
DeviceProperties read_device_properties(const DeviceEntry& entry);

}  // namespace vyre::opencl
