// Typed host memory passed to and from dispatches: a buffer's element type and its bytes,
// and scalar values for params.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "vyre/ir/types.h"

namespace vyre {

class HostBuffer {
 public:
  HostBuffer() = default;
  HostBuffer(ir::Type element, std::size_t count)
      : element_(element), bytes_(count * ir::size_bytes(element)) {}
  HostBuffer(ir::Type element, std::vector<std::uint8_t> bytes)
      : element_(element), bytes_(std::move(bytes)) {}

  template <class T>
  static HostBuffer of(ir::Type element, const std::vector<T>& values) {
    HostBuffer b(element, values.size());
    if (!values.empty()) std::memcpy(b.bytes_.data(), values.data(), b.bytes_.size());
    return b;
  }

  // The element type from T (float is f32, std::uint32_t u32, bool bool, ...):
  //   auto x = HostBuffer::of(std::vector<float>{1, 2, 3});   // f32[3]
  template <class T>
  static HostBuffer of(std::span<const T> values) {
    HostBuffer b(element_type_of<T>(), values.size());
    if (!values.empty()) std::memcpy(b.bytes_.data(), values.data(), b.bytes_.size());
    return b;
  }
  template <class T>
  static HostBuffer of(const std::vector<T>& values) {
    return of(std::span<const T>(values));
  }
  template <class T>
  static constexpr ir::Type element_type_of() {
    if constexpr (std::is_same_v<T, float>) return ir::Type::F32;
    if constexpr (std::is_same_v<T, double>) return ir::Type::F64;
    if constexpr (std::is_same_v<T, std::int32_t>) return ir::Type::I32;
    if constexpr (std::is_same_v<T, std::uint32_t>) return ir::Type::U32;
    if constexpr (std::is_same_v<T, std::int64_t>) return ir::Type::I64;
    if constexpr (std::is_same_v<T, std::uint64_t>) return ir::Type::U64;
    if constexpr (std::is_same_v<T, bool>) return ir::Type::Bool;
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> ||
                      std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::uint32_t> ||
                      std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint64_t> ||
                      std::is_same_v<T, bool>,
                  "HostBuffer holds f32, f64, i32, u32, i64, u64 or bool elements");
    return ir::Type::Unknown;
  }

  ir::Type element() const { return element_; }
  std::size_t count() const { return bytes_.size() / ir::size_bytes(element_); }
  std::size_t size_bytes() const { return bytes_.size(); }
  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::vector<std::uint8_t>& bytes() { return bytes_; }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

  // The elements as T (the caller picks T matching element()).
  template <class T>
  std::span<T> as() {
    return {reinterpret_cast<T*>(bytes_.data()), bytes_.size() / sizeof(T)};
  }
  template <class T>
  std::span<const T> as() const {
    return {reinterpret_cast<const T*>(bytes_.data()), bytes_.size() / sizeof(T)};
  }
  // Checked: the elements as T when T is the buffer's element type, else nullopt.
  template <class T>
  std::optional<std::span<const T>> checked() const {
    if (element_type_of<T>() != element_) return std::nullopt;
    return as<T>();
  }
  template <class T>
  std::optional<std::span<T>> checked() {
    if (element_type_of<T>() != element_) return std::nullopt;
    return as<T>();
  }
  template <class T>
  std::vector<T> to_vector() const {
    std::vector<T> out(bytes_.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), bytes_.data(), out.size() * sizeof(T));
    return out;
  }

 private:
  ir::Type element_ = ir::Type::U32;
  std::vector<std::uint8_t> bytes_;
};

// A scalar param value: its type and bit pattern (zero-extended; f32 in the low 32 bits).
struct Scalar {
  ir::Type type = ir::Type::U32;
  std::uint64_t bits = 0;

  static Scalar f32(float v);
  static Scalar f64(double v);
  static Scalar i32(std::int32_t v);
  static Scalar u32(std::uint32_t v);
  static Scalar i64(std::int64_t v);
  static Scalar u64(std::uint64_t v);
  static Scalar boolean(bool v);
  std::string to_string() const;
};

}  // namespace vyre
