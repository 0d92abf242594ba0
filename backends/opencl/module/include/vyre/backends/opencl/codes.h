// The opencl module's diagnostic codes as constants: code::X names this module's own codes
// (codes.def beside this header) and, through the using-directive, vyre's generic ones.
#pragma once

#include <string_view>

#include "vyre/diag/codes.h"

namespace vyre::opencl::code {
using namespace ::vyre::code;
#define VYRE_DIAG(name, id, title, explanation) inline constexpr std::string_view name = id;
#define VYRE_RETIRED(name, id, replaced_by, title, explanation)
#include "vyre/backends/opencl/codes.def"
#undef VYRE_RETIRED
#undef VYRE_DIAG
}  // namespace vyre::opencl::code
