#include <bit>
#include <cstdio>

#include "vyre/backend/host_buffer.h"

namespace vyre {

Scalar Scalar::f32(float v) {
  return {ir::Type::F32, std::bit_cast<std::uint32_t>(v)};
}
Scalar Scalar::f64(double v) {
  return {ir::Type::F64, std::bit_cast<std::uint64_t>(v)};
}
Scalar Scalar::i32(std::int32_t v) {
  return {ir::Type::I32, static_cast<std::uint32_t>(v)};
}
Scalar Scalar::u32(std::uint32_t v) {
  return {ir::Type::U32, v};
}
Scalar Scalar::i64(std::int64_t v) {
  return {ir::Type::I64, static_cast<std::uint64_t>(v)};
}
Scalar Scalar::u64(std::uint64_t v) {
  return {ir::Type::U64, v};
}
Scalar Scalar::boolean(bool v) {
  return {ir::Type::Bool, v ? 1u : 0u};
}

// Floats print with enough digits to round-trip ("%.9g" / "%.17g").
std::string Scalar::to_string() const {
  char text[64];
  switch (type) {
    case ir::Type::Bool:
      return bits != 0 ? "true" : "false";
    case ir::Type::I32:
      return std::to_string(static_cast<std::int32_t>(static_cast<std::uint32_t>(bits)));
    case ir::Type::U32:
      return std::to_string(static_cast<std::uint32_t>(bits));
    case ir::Type::I64:
      return std::to_string(static_cast<std::int64_t>(bits));
    case ir::Type::U64:
      return std::to_string(bits);
    case ir::Type::F32:
      std::snprintf(text, sizeof text, "%.9g",
                    static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(bits))));
      return text;
    case ir::Type::F64:
      std::snprintf(text, sizeof text, "%.17g", std::bit_cast<double>(bits));
      return text;
    case ir::Type::Unknown:
      break;
  }
  return "?";
}

}  // namespace vyre
