// The cuda module's diagnostic codes as constants: code::X names this module's own codes
// (codes.def beside this header) and, through the using-directive, vyre's generic ones.
#pragma once

#include <string_view>

#include "vyre/diag/codes.h"

namespace vyre::cuda::code {
using namespace ::vyre::code;
#define VYRE_DIAG(name, id, title, explanation) inline constexpr std::string_view name = id;
#define VYRE_RETIRED(name, id, replaced_by, title, explanation)
#include "vyre/backends/cuda/codes.def"
#undef VYRE_RETIRED
#undef VYRE_DIAG
}  // namespace vyre::cuda::code

namespace vyre::cuda::code {
// A failed NVRTC compile is the generic build-failed category (kept under NVRTC's name, which
// reads better where the compiler is called).
inline constexpr std::string_view NvrtcCompileFailed = KernelBuildFailed;
}  // namespace vyre::cuda::code
