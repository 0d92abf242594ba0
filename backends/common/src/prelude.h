// The fixed start of a generated C-family translation unit: the build note for people, and the
// prelude (contraction off, extensions, vyre's fixed-width typedefs, the helper definitions).
#pragma once

#include <span>
#include <string>

#include "vyre/backends/c_emitter.h"

namespace vyre::codegen::detail {

// Comment lines saying which compiler options keep vyre's float semantics.
std::string build_note(Dialect dialect);

// `f64`: some kernel computes in double; `int64_atomics`: some kernel uses 64-bit atomics
// (OpenCL extensions). `helpers` in an order that compiles (each after those it calls).
std::string prelude(Dialect dialect, bool f64, bool int64_atomics,
                    std::span<const std::string> helpers);

}  // namespace vyre::codegen::detail
