// Float corners: NaN, +-inf, denormals and -0.0 through + - * / sqrt min max, comparisons with
// NaN, float -> int saturation, float <-> float rounding, no contraction, exact rounding ops,
// and transcendentals within the ULP budget.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <bit>
#include <cmath>

#include "conformance.h"

namespace vyre::conformance {
namespace {

// Transcendental inputs: moderate values where every libm is well behaved, plus the specials.
template <class T>
std::vector<T> transcendental_inputs() {
  std::vector<T> v = {T(0),
                      T(-0.0),
                      T(1),
                      T(-1),
                      T(0.5),
                      T(2),
                      T(10),
                      T(-3.75),
                      T(100),
                      T(1e-3),
                      T(0.7853981633974483),
                      T(3.14159),
                      T(-20),
                      T(40)};
  v.push_back(std::numeric_limits<T>::infinity());
  v.push_back(-std::numeric_limits<T>::infinity());
  v.push_back(std::numeric_limits<T>::quiet_NaN());
  return v;
}

template <class T>
void add_float_cases(std::vector<Case>& cases, const std::string& t, ir::Type type,
                     const std::vector<T>& edges) {
  cases.push_back({"float_arith_" + t,
                   pair_kernel("float_arith_" + t, t,
                               {{"r_add", "x + y"},
                                {"r_sub", "x - y"},
                                {"r_mul", "x * y"},
                                {"r_div", "x / y"},
                                {"r_neg", "-x"}}),
                   pair_inputs(type, edges)});
  cases.push_back({"float_exact_ops_" + t,
                   pair_kernel("float_exact_ops_" + t, t,
                               {{"r_sqrt", "sqrt(x)"},
                                {"r_min", "min(x, y)"},
                                {"r_max", "max(x, y)"},
                                {"r_abs", "abs(x)"},
                                {"r_fma", "fma(x, y, x)"},
                                {"r_floor", "floor(x)"},
                                {"r_ceil", "ceil(x)"},
                                {"r_trunc", "trunc(x)"},
                                {"r_round", "round(x)"},
                                {"r_clamp", "clamp(x, -1.0, y)"}}),
                   pair_inputs(type, edges)});
  cases.push_back({"float_compare_" + t,
                   pair_kernel("float_compare_" + t, t,
                               {{"r_eq", "x == y"},
                                {"r_ne", "x != y"},
                                {"r_lt", "x < y"},
                                {"r_le", "x <= y"},
                                {"r_gt", "x > y"},
                                {"r_ge", "x >= y"},
                                {"r_self", "x == x"},
                                {"r_sel", "select(x < y, true, x != x)"}},
                               "bool"),
                   pair_inputs(type, edges)});
  cases.push_back({"float_to_int_" + t,
                   fmt::format(R"(kernel float_to_int_{0} workgroup(64) {{
  buffer a: read {0}[n]
  buffer to_i32: write i32[n]
  buffer to_u32: write u32[n]
  buffer to_i64: write i64[n]
  buffer to_u64: write u64[n]
  buffer to_bool: write bool[n]
  buffer to_other: write {1}[n]
  let i = global_id.x
  if i < len(a) {{
    to_i32[i] = i32(a[i])
    to_u32[i] = u32(a[i])
    to_i64[i] = i64(a[i])
    to_u64[i] = u64(a[i])
    to_bool[i] = bool(a[i])
    to_other[i] = {1}(a[i])
  }}
}})",
                               t, t == "f32" ? "f64" : "f32"),
                   [type, edges] {
                     RunInputs in;
                     in.buffers["a"] = HostBuffer::of(type, edges);
                     return in;
                   }});
  cases.push_back({"no_contraction_" + t,
                   fmt::format(R"(kernel no_contraction_{0} workgroup(64) {{
  buffer a: read {0}[n]
  buffer b: read {0}[n]
  buffer c: read {0}[n]
  buffer separate: write {0}[n]
  buffer fused: write {0}[n]
  buffer sub: write {0}[n]
  let i = global_id.x
  if i < len(a) {{
    separate[i] = a[i] * b[i] + c[i]
    fused[i] = fma(a[i], b[i], c[i])
    sub[i] = a[i] * b[i] - a[i] * b[i]
  }}
}})",
                               t),
                   [type] {
                     // a*b has bits below the last place; the sum exposes single vs double
                     // rounding.
                     std::vector<T> a, b, c;
                     for (int k = 1; k <= 64; ++k) {
                       T x = T(1) + std::ldexp(T(k), type == ir::Type::F32 ? -20 : -49);
                       a.push_back(x);
                       b.push_back(x);
                       c.push_back(
                           -(T(1) + std::ldexp(T(2 * k), type == ir::Type::F32 ? -20 : -49)));
                     }
                     RunInputs in;
                     in.buffers["a"] = HostBuffer::of(type, a);
                     in.buffers["b"] = HostBuffer::of(type, b);
                     in.buffers["c"] = HostBuffer::of(type, c);
                     return in;
                   }});
  cases.push_back({"transcendental_" + t,
                   pair_kernel("transcendental_" + t, t,
                               {{"r_exp", "exp(x)"},
                                {"r_exp2", "exp2(x)"},
                                {"r_log", "log(x)"},
                                {"r_log2", "log2(x)"},
                                {"r_sin", "sin(x)"},
                                {"r_cos", "cos(x)"},
                                {"r_tan", "tan(x)"},
                                {"r_pow", "pow(x, y)"}}),
                   pair_inputs(type, transcendental_inputs<T>()),
                   {},
                   4});
}

}  // namespace

std::vector<Case> float_cases() {
  std::vector<Case> cases;
  add_float_cases(cases, "f32", ir::Type::F32, edge_f32());
  add_float_cases(cases, "f64", ir::Type::F64, edge_f64());

  cases.push_back({"int_to_float",
                   R"(kernel int_to_float workgroup(64) {
  buffer a: read i64[n]
  buffer from_i32: write f32[n]
  buffer from_u32: write f32[n]
  buffer from_i64: write f32[n]
  buffer from_u64: write f32[n]
  buffer d_from_i64: write f64[n]
  buffer d_from_u64: write f64[n]
  let i = global_id.x
  if i < len(a) {
    let x = a[i]
    from_i32[i] = f32(i32(x))
    from_u32[i] = f32(u32(x))
    from_i64[i] = f32(x)
    from_u64[i] = f32(u64(x))
    d_from_i64[i] = f64(x)
    d_from_u64[i] = f64(u64(x))
  }
})",
                   [] {
                     auto v = edge_i64();
                     for (std::int64_t x : {16777217LL, 16777219LL, 9007199254740993LL,
                                            -9007199254740993LL, 0x7fffff7fLL, 0xffffff7fLL}) {
                       v.push_back(x);
                     }
                     RunInputs in;
                     in.buffers["a"] = HostBuffer::of(ir::Type::I64, v);
                     return in;
                   }});

  cases.push_back({"float_specials_spec",
                   R"(kernel float_specials_spec workgroup(1) dispatch(1) {
  param zero: f32
  buffer f: write f32[6]
  buffer k: write i32[4]
  f[0u] = min(-0.0, zero)
  f[1u] = max(f32.nan, 1.0)
  f[2u] = 1.0 / -zero
  f[3u] = 1e-45 * 0.5
  f[4u] = 1.4e-45 + 1.4e-45
  f[5u] = sqrt(-zero)
  k[0u] = i32(3.0e9)
  k[1u] = i32(-f32.inf)
  k[2u] = i32(f32.nan)
  k[3u] = i32(-2.9)
})",
                   [] {
                     RunInputs in;
                     in.params["zero"] = Scalar::f32(0.0f);
                     return in;
                   },
                   {},
                   0,
                   [](const Outputs& out) {
                     auto f = element_values<float>(out, "f");
                     EXPECT_EQ(std::bit_cast<std::uint32_t>(f[0]), 0x80000000u) << "min(-0, +0)";
                     EXPECT_EQ(f[1], 1.0f);
                     EXPECT_EQ(f[2], -std::numeric_limits<float>::infinity());
                     EXPECT_EQ(std::bit_cast<std::uint32_t>(f[3]), 0u) << "ties to even";
                     EXPECT_EQ(std::bit_cast<std::uint32_t>(f[4]), 2u) << "denormals kept";
                     EXPECT_EQ(std::bit_cast<std::uint32_t>(f[5]), 0x80000000u) << "sqrt(-0)";
                     EXPECT_EQ(element_values<std::int32_t>(out, "k"),
                               (std::vector<std::int32_t>{2147483647, -2147483647 - 1, 0, -2}));
                   }});

  // Found by the random-program fuzzer (seed 37 of `vyre fuzz --backends reference,opencl`):
  // PoCL 3.1 dropped the store of trunc/floor/ceil/round of a NaN known at compile time.
  cases.push_back({"rounding_constant_nan",
                   R"(kernel rounding_constant_nan workgroup(1) dispatch(1) {
  buffer f: write f32[5]
  buffer d: write f64[5]
  f[0u] = trunc(f32.nan)
  f[1u] = floor(f32.nan)
  f[2u] = ceil(f32.nan)
  f[3u] = round(f32.nan)
  f[4u] = trunc(-f32.inf)
  d[0u] = trunc(f64.nan)
  d[1u] = floor(f64.nan)
  d[2u] = ceil(f64.nan)
  d[3u] = round(f64.nan)
  d[4u] = round(f64.inf)
})",
                   [] { return RunInputs{}; },
                   {},
                   0,
                   [](const Outputs& out) {
                     auto f = element_values<float>(out, "f");
                     auto d = element_values<double>(out, "d");
                     for (int k = 0; k < 4; ++k) {
                       EXPECT_TRUE(std::isnan(f[k])) << "f32 rounding op " << k << ": " << f[k];
                       EXPECT_TRUE(std::isnan(d[k])) << "f64 rounding op " << k << ": " << d[k];
                     }
                     EXPECT_EQ(f[4], -std::numeric_limits<float>::infinity());
                     EXPECT_EQ(d[4], std::numeric_limits<double>::infinity());
                   }});

  cases.push_back({"denormals",
                   R"(kernel denormals workgroup(64) {
  buffer a: read f32[n]
  buffer d: read f64[n]
  buffer half: write f32[n]
  buffer scaled: write f32[n]
  buffer d_half: write f64[n]
  buffer narrowed: write f32[n]
  let i = global_id.x
  if i < len(a) {
    half[i] = a[i] * 0.5
    scaled[i] = (a[i] * 1.0e-30) * 1.0e30
    d_half[i] = d[i] / 3.0f64
    narrowed[i] = f32(d[i])
  }
})",
                   [] {
                     std::vector<float> a;
                     std::vector<double> d;
                     for (int k = 0; k < 64; ++k) {
                       a.push_back(std::ldexp(1.0f + float(k) / 64.0f, -120 - k % 30));
                       d.push_back(std::ldexp(1.0 + double(k) / 64.0, -1010 - k % 60) +
                                   (k % 3 == 0 ? std::ldexp(1.0, -140 - k) : 0.0));
                     }
                     RunInputs in;
                     in.buffers["a"] = HostBuffer::of(ir::Type::F32, a);
                     in.buffers["d"] = HostBuffer::of(ir::Type::F64, d);
                     return in;
                   }});
  return cases;
}

}  // namespace vyre::conformance
