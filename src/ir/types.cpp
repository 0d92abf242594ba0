// Names and sizes of the IR's element types, access modes and size expressions.
#include "vyre/ir/types.h"

#include <array>

namespace vyre::ir {

namespace {
constexpr std::array<std::string_view, kTypeCount> kTypeNames = {"bool", "i32", "u32", "i64",
                                                                 "u64",  "f32", "f64"};
}  // namespace

std::string_view type_name(Type type) {
  auto index = static_cast<std::size_t>(type);
  return index < kTypeNames.size() ? kTypeNames[index] : std::string_view("unknown");
}

std::optional<Type> type_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<Type>(i);
  }
  return std::nullopt;
}

bool is_integer(Type type) {
  return type == Type::I32 || type == Type::U32 || type == Type::I64 || type == Type::U64;
}

bool is_signed_integer(Type type) {
  return type == Type::I32 || type == Type::I64;
}

bool is_float(Type type) {
  return type == Type::F32 || type == Type::F64;
}

bool is_numeric(Type type) {
  return is_integer(type) || is_float(type);
}

unsigned bit_width(Type type) {
  switch (type) {
    case Type::Bool:
      return 8;
    case Type::I32:
    case Type::U32:
    case Type::F32:
      return 32;
    case Type::I64:
    case Type::U64:
    case Type::F64:
      return 64;
    case Type::Unknown:
      break;
  }
  return 0;
}

unsigned size_bytes(Type type) {
  return bit_width(type) / 8;
}

std::string_view access_name(Access access) {
  switch (access) {
    case Access::Read:
      return "read";
    case Access::Write:
      return "write";
    case Access::ReadWrite:
      return "read_write";
  }
  return "unknown";
}

std::string to_string(const SizeExpr& size) {
  std::string out;
  if (size.symbols.empty() || size.constant != 1) out = std::to_string(size.constant);
  for (const std::string& symbol : size.symbols) {
    if (!out.empty()) out += '*';
    out += symbol;
  }
  return out;
}

}  // namespace vyre::ir
