// `vyre run --cast NAME`: an input converted to the element type its buffer declares, value by
// value as numpy's astype does, refusing values the new type cannot hold.
#pragma once

#include <string_view>

#include "vyre/backend/host_buffer.h"
#include "vyre/diag/result.h"

namespace vyre::cli {

// Floats to integers round toward zero; a value out of the target's range, or NaN or infinity
// for an integer target, is an InputCastFailed (VY8204) naming the element. Any nonzero becomes
// true.
Result<HostBuffer> cast_elements(const HostBuffer& from, ir::Type to, std::string_view name);

}  // namespace vyre::cli
