// Integer corners: wrapping + - * and unary -, shift counts >= width and negative, division
// and remainder by zero and MIN / -1, casts between integer types, comparisons, bit ops.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <limits>

#include "conformance.h"

namespace vyre::conformance {
namespace {

const std::vector<std::pair<std::string, std::string>> kArith = {
    {"r_add", "x + y"}, {"r_sub", "x - y"}, {"r_mul", "x * y"}, {"r_neg", "-x"},
    {"r_not", "~x"},    {"r_and", "x & y"}, {"r_or", "x | y"},  {"r_xor", "x ^ y"}};
const std::vector<std::pair<std::string, std::string>> kShift = {
    {"r_shl", "x << y"}, {"r_shr", "x >> y"}, {"r_shl_lit", "x << 33"}};
const std::vector<std::pair<std::string, std::string>> kDivRem = {{"r_div", "x / y"},
                                                                  {"r_rem", "x % y"}};
const std::vector<std::pair<std::string, std::string>> kCompare = {
    {"r_eq", "x == y"}, {"r_ne", "x != y"}, {"r_lt", "x < y"},
    {"r_le", "x <= y"}, {"r_gt", "x > y"},  {"r_ge", "x >= y"}};
const std::vector<std::pair<std::string, std::string>> kIntOps = {
    {"r_abs", "abs(x)"},
    {"r_min", "min(x, y)"},
    {"r_max", "max(x, y)"},
    {"r_popcount", "popcount(x)"},
    {"r_clz", "clz(x)"},
    {"r_ctz", "ctz(x)"},
    {"r_clamp", "clamp(x, y, y + 5)"}};

template <class T>
void add_type_cases(std::vector<Case>& cases, const std::string& t, ir::Type type,
                    const std::vector<T>& values) {
  cases.push_back(
      {"arith_wrap_" + t, pair_kernel("arith_" + t, t, kArith), pair_inputs(type, values)});
  cases.push_back(
      {"shift_counts_" + t, pair_kernel("shift_" + t, t, kShift), pair_inputs(type, values)});
  cases.push_back(
      {"divrem_" + t, pair_kernel("divrem_" + t, t, kDivRem), pair_inputs(type, values)});
  cases.push_back({"compare_" + t, pair_kernel("compare_" + t, t, kCompare, "bool"),
                   pair_inputs(type, values)});
  cases.push_back(
      {"int_ops_" + t, pair_kernel("int_ops_" + t, t, kIntOps), pair_inputs(type, values)});
}

}  // namespace

std::vector<Case> integer_cases() {
  std::vector<Case> cases;
  add_type_cases(cases, "i32", ir::Type::I32, edge_i32());
  add_type_cases(cases, "u32", ir::Type::U32, edge_u32());
  add_type_cases(cases, "i64", ir::Type::I64, edge_i64());
  add_type_cases(cases, "u64", ir::Type::U64, edge_u64());

  // The spec's fixed answers, checked on every backend (not only "same as reference").
  cases.push_back(
      {"corner_constants",
       R"(kernel corner_constants workgroup(1) dispatch(1) {
  param zero: i32
  param minus_one: i32
  buffer out: write i32[8]
  buffer out64: write i64[3]
  out[0u] = 2147483647 + 1
  out[1u] = 1 << 33
  out[2u] = 7 / zero
  out[3u] = -2147483648 / minus_one
  out[4u] = -2147483648 % minus_one
  out[5u] = 1 << -1
  out[6u] = -8 >> 1
  out[7u] = -7 % 2
  out64[0u] = -9223372036854775808i64 / i64(minus_one)
  out64[1u] = 1i64 << 65i64
  out64[2u] = 5i64 % i64(zero)
})",
       [] {
         RunInputs in;
         in.params["zero"] = Scalar::i32(0);
         in.params["minus_one"] = Scalar::i32(-1);
         return in;
       },
       {},
       0,
       [](const Outputs& out) {
         constexpr auto lo = std::numeric_limits<std::int32_t>::min();
         EXPECT_EQ(element_values<std::int32_t>(out, "out"),
                   (std::vector<std::int32_t>{lo, 2, 0, lo, 0, lo, -4, -1}));
         EXPECT_EQ(element_values<std::int64_t>(out, "out64"),
                   (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 2, 0}));
       }});

  cases.push_back({"int_casts",
                   R"(kernel int_casts workgroup(64) {
  buffer a: read i32[n]
  buffer u: read u64[n]
  buffer to_u32: write u32[n]
  buffer to_i64: write i64[n]
  buffer to_u64: write u64[n]
  buffer u_to_i32: write i32[n]
  buffer u_to_u32: write u32[n]
  buffer u_to_i64: write i64[n]
  buffer zext: write i64[n]
  buffer to_bool: write bool[n]
  buffer bool_back: write u32[n]
  let i = global_id.x
  if i < len(a) {
    to_u32[i] = u32(a[i])
    to_i64[i] = i64(a[i])
    to_u64[i] = u64(a[i])
    u_to_i32[i] = i32(u[i])
    u_to_u32[i] = u32(u[i])
    u_to_i64[i] = i64(u[i])
    zext[i] = i64(u32(a[i]))
    to_bool[i] = bool(a[i])
    bool_back[i] = u32(bool(u[i])) + u32(bool(a[i] & 1))
  }
})",
                   [] {
                     auto a = edge_i32();
                     std::vector<std::uint64_t> u;
                     auto edges = edge_u64();
                     for (std::size_t k = 0; k < a.size(); ++k)
                       u.push_back(edges[k % edges.size()]);
                     RunInputs in;
                     in.buffers["a"] = HostBuffer::of(ir::Type::I32, a);
                     in.buffers["u"] = HostBuffer::of(ir::Type::U64, u);
                     return in;
                   }});

  cases.push_back({"literal_folding",
                   R"(kernel literal_folding workgroup(1) dispatch(1) {
  buffer out: write u32[6]
  buffer s: write i64[4]
  out[0u] = 4294967295u + 2u
  out[1u] = 1u << 32u
  out[2u] = 0x80000000u >> 63u
  out[3u] = 5u / 0u
  out[4u] = 5u % 0u
  out[5u] = u32(-1)
  s[0u] = -9223372036854775808i64 % -1i64
  s[1u] = 9223372036854775807i64 * 2i64
  s[2u] = -1i64 >> 64i64
  s[3u] = i64(f64.nan)
})",
                   [] { return RunInputs{}; },
                   {},
                   0,
                   [](const Outputs& out) {
                     EXPECT_EQ(element_values<std::uint32_t>(out, "out"),
                               (std::vector<std::uint32_t>{1u, 1u, 1u, 0u, 0u, 0xffffffffu}));
                     EXPECT_EQ(element_values<std::int64_t>(out, "s"),
                               (std::vector<std::int64_t>{0, -2, -1, 0}));
                   }});
  return cases;
}

}  // namespace vyre::conformance
