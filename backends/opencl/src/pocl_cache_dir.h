// PoCL keeps the programs it builds under POCL_CACHE_DIR. A value that is not a folder PoCL can
// write (a plain file, a path it cannot create) fails every build with an empty log, or hides
// every device; that is the user's setting, not a vyre code generator bug, so it is named.
#pragma once

#include <optional>
#include <string>

#include "vyre/diag/diagnostic.h"

namespace vyre::opencl {

// The diagnostic (VY4003, naming the variable and its value) when POCL_CACHE_DIR is set to
// something PoCL cannot use as a folder; nothing when it is unset or usable.
std::optional<Diagnostic> pocl_cache_dir_problem();

}  // namespace vyre::opencl
