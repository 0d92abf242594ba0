// The registered ops (docs/IR.md's op table) as the reference backend computes them. f32
// transcendentals are evaluated in double and rounded once, so they are within 1 ULP of the
// true value; exact ops (sqrt, fma, floor, ...) are correctly rounded.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "semantics.h"

namespace vyre::reference {

enum class MathOp : std::uint8_t {
  Sqrt,
  Exp,
  Exp2,
  Log,
  Log2,
  Sin,
  Cos,
  Tan,
  Pow,
  Fma,
  Floor,
  Ceil,
  Trunc,
  Round,
  Abs,
  Min,
  Max,
  Clamp,
  Popcount,
  Clz,
  Ctz,
};

// The reference implementation of an op by registry name, or nullopt if it has none.
std::optional<MathOp> math_op_by_name(std::string_view name);
// Every op name the reference backend implements.
std::span<const std::string_view> math_op_names();

namespace detail {
template <class T>
inline T min_of(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return b;
    if (std::isnan(b)) return a;
    if (a == b) return std::signbit(a) ? a : b;  // min(-0, +0) = -0, either order
  }
  return b < a ? b : a;
}
template <class T>
inline T max_of(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return b;
    if (std::isnan(b)) return a;
    if (a == b) return std::signbit(a) ? b : a;  // max(-0, +0) = +0, either order
  }
  return a < b ? b : a;
}
// Transcendentals: f32 through double, rounded once.
template <class T, class F>
inline T via_double(F f, T x) {
  return static_cast<T>(f(static_cast<double>(x)));
}
}  // namespace detail

template <class T>
inline T apply_unary(MathOp op, T x) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case MathOp::Sqrt:
        return std::sqrt(x);
      case MathOp::Exp:
        return detail::via_double(static_cast<double (*)(double)>(std::exp), x);
      case MathOp::Exp2:
        return detail::via_double(static_cast<double (*)(double)>(std::exp2), x);
      case MathOp::Log:
        return detail::via_double(static_cast<double (*)(double)>(std::log), x);
      case MathOp::Log2:
        return detail::via_double(static_cast<double (*)(double)>(std::log2), x);
      case MathOp::Sin:
        return detail::via_double(static_cast<double (*)(double)>(std::sin), x);
      case MathOp::Cos:
        return detail::via_double(static_cast<double (*)(double)>(std::cos), x);
      case MathOp::Tan:
        return detail::via_double(static_cast<double (*)(double)>(std::tan), x);
      case MathOp::Floor:
        return std::floor(x);
      case MathOp::Ceil:
        return std::ceil(x);
      case MathOp::Trunc:
        return std::trunc(x);
      case MathOp::Round:
        return std::round(x);
      case MathOp::Abs:
        return std::fabs(x);
      default:
        return x;
    }
  } else if constexpr (kIsInt<T>) {
    using U = Unsigned<T>;
    constexpr T kBits = static_cast<T>(sizeof(T) * 8);
    switch (op) {
      case MathOp::Abs:
        if constexpr (std::is_signed_v<T>) return x < 0 ? neg(x) : x;
        return x;
      case MathOp::Popcount:
        return static_cast<T>(std::popcount(static_cast<U>(x)));
      case MathOp::Clz:
        return x == 0 ? kBits : static_cast<T>(std::countl_zero(static_cast<U>(x)));
      case MathOp::Ctz:
        return x == 0 ? kBits : static_cast<T>(std::countr_zero(static_cast<U>(x)));
      default:
        return x;
    }
  } else {
    return x;
  }
}

template <class T>
inline T apply_binary(MathOp op, T x, T y) {
  switch (op) {
    case MathOp::Min:
      return detail::min_of(x, y);
    case MathOp::Max:
      return detail::max_of(x, y);
    case MathOp::Pow:
      if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(std::pow(static_cast<double>(x), static_cast<double>(y)));
      }
      return x;
    default:
      return x;
  }
}

template <class T>
inline T apply_ternary(MathOp op, T x, T y, T z) {
  switch (op) {
    case MathOp::Fma:
      if constexpr (std::is_floating_point_v<T>) return std::fma(x, y, z);
      return x;
    case MathOp::Clamp:
      return detail::min_of(detail::max_of(x, y), z);
    default:
      return x;
  }
}

}  // namespace vyre::reference
