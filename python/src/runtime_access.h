// The one vyre::Runtime of the Python process (built-in backends registered on first use, the
// process-wide pipeline cache from VYRE_CACHE_DIR and friends) and its devices by spec.
#pragma once

#include <string_view>

#include "vyre/backend/device.h"
#include "vyre/runtime/runtime.h"

namespace vyre::python {

Runtime& runtime();
// runtime().device(spec), remembered per spec; raises vyre.Error (VY4208) for no such device.
const Device& device_for(std::string_view spec);

}  // namespace vyre::python
