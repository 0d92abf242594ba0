// DeviceBindings: the data of one launch on device memory, indexed like the program's
// declarations (buffers, params, size values by size-symbol index). The device-memory sibling
// of Bindings (backend.h): nothing is copied and nothing is read back.
#pragma once

#include <cstdint>
#include <vector>

#include "vyre/backend/device_buffer.h"
#include "vyre/backend/host_buffer.h"

namespace vyre {

struct DeviceBindings {
  std::vector<DeviceBufferView> buffers;
  std::vector<Scalar> params;
  std::vector<std::uint64_t> sizes;
};

}  // namespace vyre
