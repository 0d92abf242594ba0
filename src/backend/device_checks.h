// The checks every device command makes before a backend sees it: buffers alive and on the
// right device, bindings that fit the program. Shared by Stream, GraphRecording and Graph.
#pragma once

#include <string_view>

#include "vyre/backend/device.h"
#include "vyre/backend/device_bindings.h"
#include "vyre/backend/device_buffer.h"
#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre {

inline DeviceKey key_of(const Device& device) {
  return {&device.backend(), device.index()};
}

// A valid, unreleased buffer of `device`; `role` names it in the diagnostic ("copy source").
Result<DeviceBufferView> check_buffer(const Device& device, const DeviceBuffer& buffer,
                                      std::string_view role);
// Bindings that fit `program` (counts, element types, each buffer's declared count under the
// bound sizes), every view alive and on `device`.
Status check_device_bindings(const ir::ProgramData& program, const DeviceBindings& bindings,
                             const Device& device);

}  // namespace vyre
