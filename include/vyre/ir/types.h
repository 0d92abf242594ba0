// Element and value types of the Program IR, memory access modes and size expressions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vyre::ir {

// Unknown is only seen before checking (an untyped literal or a not-yet-inferred let).
enum class Type : std::uint8_t { Bool, I32, U32, I64, U64, F32, F64, Unknown };
inline constexpr int kTypeCount = 7;  // the real types, Bool..F64

std::string_view type_name(Type type);                      // "f32"
std::optional<Type> type_from_name(std::string_view name);  // "f32" -> F32
bool is_integer(Type type);                                 // i32 u32 i64 u64
bool is_signed_integer(Type type);
bool is_float(Type type);        // f32 f64
bool is_numeric(Type type);      // integer or float
unsigned bit_width(Type type);   // bool: 8 (its storage), i32: 32, ...
unsigned size_bytes(Type type);  // storage size of one element

enum class Access : std::uint8_t { Read, Write, ReadWrite };
std::string_view access_name(Access access);  // "read", "write", "read_write"
inline bool can_read(Access a) {
  return a != Access::Write;
}
inline bool can_write(Access a) {
  return a != Access::Read;
}

// An element count: constant * product of size symbols ("n", "m"); fixed when symbols is empty.
// Size symbols are bound at dispatch (from input lengths or given explicitly) and are readable
// in the kernel body as u32 values.
struct SizeExpr {
  std::uint64_t constant = 1;
  std::vector<std::string> symbols;
  bool fixed() const { return symbols.empty(); }
  friend bool operator==(const SizeExpr&, const SizeExpr&) = default;
};
std::string to_string(const SizeExpr& size);  // "n", "m*k", "1024", "4*n"

}  // namespace vyre::ir
