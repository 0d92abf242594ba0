#include <cmath>
#include <limits>

#include "conformance.h"

namespace vyre::conformance {

std::vector<std::int32_t> edge_i32() {
  constexpr auto lo = std::numeric_limits<std::int32_t>::min();
  constexpr auto hi = std::numeric_limits<std::int32_t>::max();
  return {0,  1,  -1,  2,   -2,    7,     -7, 31,     32, 33,
          63, 64, -32, -33, 65536, 46341, lo, lo + 1, hi, hi - 1};
}
std::vector<std::uint32_t> edge_u32() {
  return {0u,  1u,  2u,     3u,     7u,          31u,         32u,         33u,        63u,
          64u, 65u, 65536u, 65537u, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};
}
std::vector<std::int64_t> edge_i64() {
  constexpr auto lo = std::numeric_limits<std::int64_t>::min();
  constexpr auto hi = std::numeric_limits<std::int64_t>::max();
  return {0,
          1,
          -1,
          2,
          -7,
          31,
          32,
          63,
          64,
          65,
          -64,
          -65,
          4294967296LL,
          3037000500LL,
          -2147483648LL,
          lo,
          lo + 1,
          hi,
          hi - 1};
}
std::vector<std::uint64_t> edge_u64() {
  return {0ull,
          1ull,
          2ull,
          7ull,
          31ull,
          32ull,
          63ull,
          64ull,
          65ull,
          0xffffffffull,
          0x100000000ull,
          0x7fffffffffffffffull,
          0x8000000000000000ull,
          0xfffffffffffffffeull,
          0xffffffffffffffffull};
}
std::vector<float> edge_f32() {
  using L = std::numeric_limits<float>;
  return {0.0f,
          -0.0f,
          1.0f,
          -1.0f,
          0.5f,
          -2.5f,
          3.0f,
          0.1f,
          L::infinity(),
          -L::infinity(),
          L::quiet_NaN(),
          L::max(),
          -L::max(),
          L::min(),
          L::denorm_min(),
          -L::denorm_min(),
          1.0e-40f,
          16777217.0f,
          2147483648.0f,
          -2147483904.0f,
          4294967296.0f,
          1.0e20f};
}
std::vector<double> edge_f64() {
  using L = std::numeric_limits<double>;
  return {0.0,
          -0.0,
          1.0,
          -1.0,
          0.5,
          -2.5,
          3.0,
          0.1,
          L::infinity(),
          -L::infinity(),
          L::quiet_NaN(),
          L::max(),
          -L::max(),
          L::min(),
          L::denorm_min(),
          -L::denorm_min(),
          1.0e-310,
          9007199254740993.0,
          2147483648.5,
          -2147483649.0,
          9.3e18,
          1.9e19,
          1.0e300};
}

std::vector<std::uint32_t> random_u32(std::size_t count, std::uint64_t seed) {
  std::vector<std::uint32_t> out(count);
  std::uint64_t state = seed;
  for (auto& v : out) {
    state += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    v = static_cast<std::uint32_t>(z ^ (z >> 31));
  }
  return out;
}

}  // namespace vyre::conformance
