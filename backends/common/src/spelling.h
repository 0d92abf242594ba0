// How IR types and constants are spelled in generated OpenCL C and CUDA C. Both dialects use the
// prelude's typedefs (vy_i32, vy_u64, ...) so that helper functions read the same in both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "vyre/backends/c_emitter.h"
#include "vyre/ir/types.h"

namespace vyre::codegen::detail {

// The value type of locals, params and helper functions: "vy_f32", ..., "bool".
std::string_view value_type(ir::Type type);
// The element type in memory: like value_type, but bool is stored as one byte ("vy_u8").
std::string_view storage_type(ir::Type type);
// The suffix helper names carry: "i32", "f64", "bool".
std::string_view type_suffix(ir::Type type);

// A constant of `type` from its IR bit pattern (two's complement zero-extended; IEEE bits).
// Negative numbers come parenthesised; NaN and infinities as a bit cast.
std::string literal(Dialect dialect, ir::Type type, std::uint64_t bits);
std::string zero(Dialect dialect, ir::Type type);
// An unsigned 64-bit constant, e.g. a loop cap: "1000UL" / "1000ULL".
std::string u64_literal(Dialect dialect, std::uint64_t value);

// A name from the program made safe for C: [A-Za-z0-9_] kept, anything else becomes '_', and a
// prefix ("b_", "p_", "v_", ...) keeps it clear of keywords, builtins and vyre's own vy_ names.
std::string c_name(std::string_view prefix, std::string_view name);

}  // namespace vyre::codegen::detail
