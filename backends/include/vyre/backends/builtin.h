// Registers every backend compiled into this build with a backend registry.
#pragma once

#include "vyre/diag/result.h"

namespace vyre {
class BackendRegistry;

// Adds the providers of every backend built here (reference always; opencl and cuda when their
// SDKs were found at build time). Idempotent per registry.
Status register_builtin_backends(BackendRegistry& registry);
}  // namespace vyre
