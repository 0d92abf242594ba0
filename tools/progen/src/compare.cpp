#include "vyre/progen/compare.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace vyre::progen {
namespace {

// Maps a float's bits onto a monotonic unsigned line: -max .. -0, +0 .. +max.
template <class Bits>
Bits ordered(Bits bits) {
  constexpr Bits sign = Bits(1) << (sizeof(Bits) * 8 - 1);
  return (bits & sign) ? Bits(~bits) : Bits(bits | sign);
}

template <class F, class Bits>
std::uint64_t distance(F a, F b) {
  if (std::isnan(a) && std::isnan(b)) return 0;
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<std::uint64_t>::max();
  Bits x = ordered(std::bit_cast<Bits>(a));
  Bits y = ordered(std::bit_cast<Bits>(b));
  return x > y ? std::uint64_t(x - y) : std::uint64_t(y - x);
}

template <class T>
T element(const HostBuffer& buffer, std::size_t index) {
  T value;
  std::memcpy(&value, buffer.data() + index * sizeof(T), sizeof(T));
  return value;
}

}  // namespace

std::uint64_t ulp_distance(float a, float b) {
  return distance<float, std::uint32_t>(a, b);
}
std::uint64_t ulp_distance(double a, double b) {
  return distance<double, std::uint64_t>(a, b);
}

std::string format_element(const HostBuffer& buffer, std::size_t index) {
  switch (buffer.element()) {
    case ir::Type::Bool:
      return buffer.data()[index] ? "true" : "false";
    case ir::Type::I32:
      return fmt::format("{}", element<std::int32_t>(buffer, index));
    case ir::Type::U32:
      return fmt::format("{}u", element<std::uint32_t>(buffer, index));
    case ir::Type::I64:
      return fmt::format("{}i64", element<std::int64_t>(buffer, index));
    case ir::Type::U64:
      return fmt::format("{}u64", element<std::uint64_t>(buffer, index));
    case ir::Type::F32: {
      float v = element<float>(buffer, index);
      return fmt::format("{} (bits 0x{:08x})", v, std::bit_cast<std::uint32_t>(v));
    }
    case ir::Type::F64: {
      double v = element<double>(buffer, index);
      return fmt::format("{} (bits 0x{:016x})", v, std::bit_cast<std::uint64_t>(v));
    }
    case ir::Type::Unknown:
      break;
  }
  return "?";
}

std::string Mismatch::describe() const {
  return fmt::format("`{}`[{}]: expected {}, got {}", buffer, element, expected, actual);
}

std::optional<Mismatch> compare_buffer(const std::string& name, const HostBuffer& expected,
                                       const HostBuffer& actual, std::uint64_t ulp) {
  if (expected.element() != actual.element() || expected.count() != actual.count()) {
    return Mismatch{name, 0,
                    fmt::format("{} x {}", expected.count(), ir::type_name(expected.element())),
                    fmt::format("{} x {}", actual.count(), ir::type_name(actual.element()))};
  }
  const ir::Type type = expected.element();
  for (std::size_t i = 0; i < expected.count(); ++i) {
    bool same = false;
    if (type == ir::Type::F32) {
      same = ulp_distance(element<float>(expected, i), element<float>(actual, i)) <= ulp;
    } else if (type == ir::Type::F64) {
      same = ulp_distance(element<double>(expected, i), element<double>(actual, i)) <= ulp;
    } else if (type == ir::Type::Bool) {
      same = (expected.data()[i] != 0) == (actual.data()[i] != 0);
    } else {
      const std::size_t width = ir::size_bytes(type);
      same = std::memcmp(expected.data() + i * width, actual.data() + i * width, width) == 0;
    }
    if (!same) return Mismatch{name, i, format_element(expected, i), format_element(actual, i)};
  }
  return std::nullopt;
}

std::optional<Mismatch> compare_outputs(const std::map<std::string, HostBuffer>& expected,
                                        const std::map<std::string, HostBuffer>& actual,
                                        std::uint64_t ulp) {
  for (const auto& [name, buffer] : expected) {
    auto it = actual.find(name);
    if (it == actual.end()) return Mismatch{name, 0, "a buffer", "no such output"};
    if (auto m = compare_buffer(name, buffer, it->second, ulp)) return m;
  }
  return std::nullopt;
}

}  // namespace vyre::progen
