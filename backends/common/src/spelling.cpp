#include "spelling.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace vyre::codegen::detail {

using ir::Type;

std::string_view value_type(Type type) {
  switch (type) {
    case Type::Bool:
      return "bool";
    case Type::I32:
      return "vy_i32";
    case Type::U32:
      return "vy_u32";
    case Type::I64:
      return "vy_i64";
    case Type::U64:
      return "vy_u64";
    case Type::F32:
      return "vy_f32";
    case Type::F64:
      return "vy_f64";
    case Type::Unknown:
      break;
  }
  return "void";
}

std::string_view storage_type(Type type) {
  return type == Type::Bool ? "vy_u8" : value_type(type);
}

std::string_view type_suffix(Type type) {
  return type == Type::Bool ? "bool" : ir::type_name(type);
}

namespace {

// Shortest decimal that reads back to the same value, so literals stay readable.
template <class T>
std::string shortest_decimal(T value, int min_digits, int max_digits) {
  for (int digits = min_digits; digits <= max_digits; ++digits) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    T back;
    if constexpr (std::is_same_v<T, float>) {
      back = std::strtof(text, nullptr);
    } else {
      back = std::strtod(text, nullptr);
    }
    if (back == value || digits == max_digits) {
      std::string out = text;
      if (out.find_first_of(".e") == std::string::npos) out += ".0";
      return out;
    }
  }
  return {};
}

}  // namespace

std::string literal(Dialect dialect, Type type, std::uint64_t bits) {
  const bool cuda = dialect == Dialect::Cuda;
  switch (type) {
    case Type::Bool:
      return bits != 0 ? "true" : "false";
    case Type::I32: {
      auto v = static_cast<std::int32_t>(static_cast<std::uint32_t>(bits));
      if (v == INT32_MIN) return "(-2147483647 - 1)";
      return v < 0 ? fmt::format("({})", v) : fmt::format("{}", v);
    }
    case Type::U32:
      return fmt::format("{}u", static_cast<std::uint32_t>(bits));
    case Type::I64: {
      const char* suffix = cuda ? "LL" : "L";
      auto v = static_cast<std::int64_t>(bits);
      if (v == INT64_MIN) return fmt::format("(-9223372036854775807{0} - 1{0})", suffix);
      return v < 0 ? fmt::format("({}{})", v, suffix) : fmt::format("{}{}", v, suffix);
    }
    case Type::U64:
      return u64_literal(dialect, bits);
    case Type::F32: {
      auto raw = static_cast<std::uint32_t>(bits);
      float v = std::bit_cast<float>(raw);
      if (!std::isfinite(v)) {
        return cuda ? fmt::format("__uint_as_float(0x{:08x}u)", raw)
                    : fmt::format("as_float(0x{:08x}u)", raw);
      }
      std::string text = shortest_decimal(v, 6, 9) + "f";
      return std::signbit(v) ? "(" + text + ")" : text;
    }
    case Type::F64: {
      double v = std::bit_cast<double>(bits);
      if (!std::isfinite(v)) {
        return cuda ? fmt::format("__longlong_as_double(0x{:016x}LL)", bits)
                    : fmt::format("as_double(0x{:016x}UL)", bits);
      }
      std::string text = shortest_decimal(v, 15, 17);
      return std::signbit(v) ? "(" + text + ")" : text;
    }
    case Type::Unknown:
      break;
  }
  return "0";
}

std::string zero(Dialect dialect, Type type) {
  return literal(dialect, type, 0);
}

std::string u64_literal(Dialect dialect, std::uint64_t value) {
  return fmt::format("{}{}", value, dialect == Dialect::Cuda ? "ULL" : "UL");
}

std::string c_name(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  for (char c : name) {
    bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += keep ? c : '_';
  }
  return out;
}

}  // namespace vyre::codegen::detail
