// The scalar semantics of the Program IR (docs/IR.md), one function per operation, for every
// element type. Each is total: no input is undefined behaviour in C++ or in vyre. Integer
// arithmetic runs in the unsigned type of the same width so that overflow wraps.
//
// Values travel through the interpreter as 64-bit bit patterns, zero-extended from the type's
// width (f32 in the low 32 bits, bool as 0 or 1); get<T>/put<T> convert.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "vyre/ir/types.h"

namespace vyre::reference {

template <class T>
inline T get(std::uint64_t bits) {
  if constexpr (std::is_same_v<T, bool>) {
    return bits != 0;
  } else if constexpr (std::is_same_v<T, float>) {
    return std::bit_cast<float>(static_cast<std::uint32_t>(bits));
  } else if constexpr (std::is_same_v<T, double>) {
    return std::bit_cast<double>(bits);
  } else {
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(bits));
  }
}

template <class T>
inline std::uint64_t put(T value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? 1 : 0;
  } else if constexpr (std::is_same_v<T, float>) {
    return std::bit_cast<std::uint32_t>(value);
  } else if constexpr (std::is_same_v<T, double>) {
    return std::bit_cast<std::uint64_t>(value);
  } else {
    return static_cast<std::make_unsigned_t<T>>(value);
  }
}

// Calls f(T{}) with the C++ type of an IR type.
template <class F>
inline void with_type(ir::Type type, F&& f) {
  switch (type) {
    case ir::Type::Bool:
      f(bool{});
      break;
    case ir::Type::I32:
      f(std::int32_t{});
      break;
    case ir::Type::U32:
      f(std::uint32_t{});
      break;
    case ir::Type::I64:
      f(std::int64_t{});
      break;
    case ir::Type::U64:
      f(std::uint64_t{});
      break;
    case ir::Type::F32:
      f(float{});
      break;
    case ir::Type::F64:
      f(double{});
      break;
    case ir::Type::Unknown:
      break;
  }
}

// Like with_type, for the integer types only.
template <class F>
inline void with_integer_type(ir::Type type, F&& f) {
  switch (type) {
    case ir::Type::I32:
      f(std::int32_t{});
      break;
    case ir::Type::U32:
      f(std::uint32_t{});
      break;
    case ir::Type::I64:
      f(std::int64_t{});
      break;
    case ir::Type::U64:
      f(std::uint64_t{});
      break;
    default:
      break;
  }
}

template <class T>
inline constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <class T>
using Unsigned = std::make_unsigned_t<T>;

template <class T>
inline T add(T a, T b) {
  if constexpr (kIsInt<T>)
    return static_cast<T>(
        static_cast<Unsigned<T>>(static_cast<Unsigned<T>>(a) + static_cast<Unsigned<T>>(b)));
  else
    return a + b;
}
template <class T>
inline T sub(T a, T b) {
  if constexpr (kIsInt<T>)
    return static_cast<T>(
        static_cast<Unsigned<T>>(static_cast<Unsigned<T>>(a) - static_cast<Unsigned<T>>(b)));
  else
    return a - b;
}
template <class T>
inline T mul(T a, T b) {
  if constexpr (kIsInt<T>)
    return static_cast<T>(
        static_cast<Unsigned<T>>(static_cast<Unsigned<T>>(a) * static_cast<Unsigned<T>>(b)));
  else
    return a * b;
}
// Integer division by zero yields 0; the most negative value divided by -1 wraps to itself.
template <class T>
inline T div(T a, T b) {
  if constexpr (kIsInt<T>) {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return static_cast<T>(static_cast<Unsigned<T>>(0) - static_cast<Unsigned<T>>(a));
    }
    return static_cast<T>(a / b);
  } else {
    return a / b;
  }
}
// Remainder (integers only) takes the sign of the dividend; by zero or by -1 it is 0.
template <class T>
inline T rem(T a, T b) {
  if constexpr (kIsInt<T>) {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;
    }
    return static_cast<T>(a % b);
  } else {
    return std::fmod(a, b);
  }
}
// Shift counts are taken modulo the bit width; >> is arithmetic for signed types.
template <class T>
inline T shl(T a, T count) {
  constexpr unsigned kBits = sizeof(T) * 8;
  unsigned s = static_cast<unsigned>(static_cast<Unsigned<T>>(count) & (kBits - 1));
  return static_cast<T>(static_cast<Unsigned<T>>(static_cast<Unsigned<T>>(a) << s));
}
template <class T>
inline T shr(T a, T count) {
  constexpr unsigned kBits = sizeof(T) * 8;
  unsigned s = static_cast<unsigned>(static_cast<Unsigned<T>>(count) & (kBits - 1));
  return static_cast<T>(a >> s);
}
template <class T>
inline T neg(T a) {
  if constexpr (kIsInt<T>)
    return static_cast<T>(
        static_cast<Unsigned<T>>(static_cast<Unsigned<T>>(0) - static_cast<Unsigned<T>>(a)));
  else
    return -a;
}

// Conversions: integers wrap (two's complement); float -> integer truncates toward zero and
// saturates, NaN -> 0; anything -> bool is "nonzero" (NaN is nonzero, -0.0 is zero).
template <class To, class From>
inline To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_same_v<From, bool>) {
    return v ? To(1) : To(0);
  } else if constexpr (std::is_floating_point_v<From> && kIsInt<To>) {
    if (std::isnan(v)) return 0;
    // Both bounds are powers of two, exact in every float type.
    constexpr From kUpper = From(std::numeric_limits<To>::max() / 2 + 1) * From(2);  // max + 1
    constexpr From kLower = From(std::numeric_limits<To>::min());
    if (v >= kUpper) return std::numeric_limits<To>::max();
    if (v <= kLower) return std::numeric_limits<To>::min();
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace vyre::reference
