// Typed host memory passed to and from dispatches: a buffer's element type and its bytes,
// and scalar values for params.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
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
