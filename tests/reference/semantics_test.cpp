// The reference interpreter on each corner of the IR semantics (docs/IR.md): wrapping integer
// arithmetic, shift counts, division by zero, INT_MIN / -1, out-of-bounds accesses, float
// rounding without contraction, denormals, saturating casts, bool casts, barriers, atomics,
// loop caps, break / continue / return. Expected values are written out by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "runtime/run_support.h"

namespace vyre {
namespace {

using testing::output;
using testing::parse;
using testing::run_ok;

constexpr std::int32_t kMin32 = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kMax32 = std::numeric_limits<std::int32_t>::max();

TEST(ReferenceSemantics, IntegerArithmeticWraps) {
  auto program = parse(R"(
kernel wrap workgroup(1) {
  param big: i32
  param one: i32
  param umax: u32
  buffer s: write i32[4]
  buffer u: write u32[3]
  buffer l: write i64[2]
  if global_id.x == 0u {
    s[0] = big + one
    s[1] = -big - one - one
    s[2] = big * big
    s[3] = -(-big - one)
    u[0] = umax + 1u
    u[1] = 0u - 1u
    u[2] = umax * umax
    l[0] = 9223372036854775807i64 + i64(one)
    l[1] = -9223372036854775807i64 - 1i64 - i64(one)
  }
})");
  RunInputs in;
  in.params = {
      {"big", Scalar::i32(kMax32)}, {"one", Scalar::i32(1)}, {"umax", Scalar::u32(UINT32_MAX)}};
  auto r = run_ok(program, std::move(in));
  EXPECT_EQ(output<std::int32_t>(r, "s"), (std::vector<std::int32_t>{kMin32, kMax32, 1, kMin32}));
  EXPECT_EQ(output<std::uint32_t>(r, "u"), (std::vector<std::uint32_t>{0, UINT32_MAX, 1}));
  EXPECT_EQ(output<std::int64_t>(r, "l"),
            (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(),
                                       std::numeric_limits<std::int64_t>::max()}));
}

TEST(ReferenceSemantics, ShiftCountsAreModuloWidth) {
  auto program = parse(R"(
kernel shifts workgroup(1) {
  param x: u32
  param n: i32
  buffer u: write u32[4]
  buffer s: write i32[3]
  buffer w: write u64[1]
  if global_id.x == 0u {
    u[0] = x << 33u
    u[1] = x << 32u
    u[2] = 0x80000000u >> 35u
    u[3] = x << 4294967295u
    s[0] = n >> 1
    s[1] = n >> 33
    s[2] = n << -1
    w[0] = 1u64 << 65u64
  }
})");
  RunInputs in;
  in.params = {{"x", Scalar::u32(1)}, {"n", Scalar::i32(-8)}};
  auto r = run_ok(program, std::move(in));
  EXPECT_EQ(output<std::uint32_t>(r, "u"),
            (std::vector<std::uint32_t>{2u, 1u, 0x10000000u, 0x80000000u}));
  EXPECT_EQ(output<std::int32_t>(r, "s"), (std::vector<std::int32_t>{-4, -4, 0}));
  EXPECT_EQ(output<std::uint64_t>(r, "w"), (std::vector<std::uint64_t>{2u}));
}

TEST(ReferenceSemantics, DivisionCornerCases) {
  auto program = parse(R"(
kernel division workgroup(1) {
  param lo: i32
  param zero: i32
  param m1: i32
  param uz: u32
  buffer s: write i32[8]
  buffer u: write u32[2]
  buffer l: write i64[2]
  if global_id.x == 0u {
    s[0] = 7 / zero
    s[1] = 7 % zero
    s[2] = lo / m1
    s[3] = lo % m1
    s[4] = -7 / 2
    s[5] = -7 % 2
    s[6] = 7 % -2
    s[7] = lo / 1
    u[0] = 7u / uz
    u[1] = 7u % uz
    l[0] = i64(lo) * 4294967296i64 / i64(m1)
    l[1] = i64(lo) * 4294967296i64 % i64(m1)
  }
})");
  RunInputs in;
  in.params = {{"lo", Scalar::i32(kMin32)},
               {"zero", Scalar::i32(0)},
               {"m1", Scalar::i32(-1)},
               {"uz", Scalar::u32(0)}};
  auto r = run_ok(program, std::move(in));
  EXPECT_EQ(output<std::int32_t>(r, "s"),
            (std::vector<std::int32_t>{0, 0, kMin32, 0, -3, -1, 1, kMin32}));
  EXPECT_EQ(output<std::uint32_t>(r, "u"), (std::vector<std::uint32_t>{0, 0}));
  EXPECT_EQ(output<std::int64_t>(r, "l"),
            (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 0}));
}

TEST(ReferenceSemantics, OutOfBoundsLoadsAreZeroAndStoresDropped) {
  auto program = parse(R"(
kernel bounds workgroup(4) {
  buffer src: read u32[n]
  buffer dst: read_write u32[4]
  shared tile: u32[4]
  let lid = local_id.x
  tile[lid] = lid + 100u
  tile[lid + 4u] = 7u
  barrier()
  if lid == 0u {
    dst[0] = src[n]
    dst[1] = src[4000000000u]
    dst[2] = tile[4u] + tile[1000u]
    dst[3] = src[-1i] + tile[3u]
    dst[4] = 99u
    dst[-1i] = 98u
  }
})");
  RunInputs in;
  in.buffers["src"] = HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>{5, 6, 7});
  in.buffers["dst"] = HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>{1, 1, 1, 1});
  auto r = run_ok(program, std::move(in));
  EXPECT_EQ(output<std::uint32_t>(r, "dst"), (std::vector<std::uint32_t>{0, 0, 0, 103}));
}

TEST(ReferenceSemantics, FloatsRoundEachOperationWithoutContraction) {
  auto program = parse(R"(
kernel rounding workgroup(1) {
  param a: f32
  param b: f32
  param c: f32
  param tiny: f32
  buffer out: write f32[4]
  buffer wide: write f64[1]
  if global_id.x == 0u {
    out[0] = a * b + c
    out[1] = fma(a, b, c)
    out[2] = tiny * 0.001
    out[3] = tiny / 3.0
    wide[0] = f64(a) * f64(b) + f64(c)
  }
})");
  const float a = 1.0f + 0x1p-12f;  // a * a = 1 + 2^-11 + 2^-24: not representable
  const float c = -(1.0f + 0x1p-11f);
  RunInputs in;
  in.params = {{"a", Scalar::f32(a)},
               {"b", Scalar::f32(a)},
               {"c", Scalar::f32(c)},
               {"tiny", Scalar::f32(1e-38f)}};
  auto r = run_ok(program, std::move(in));
  auto out = output<float>(r, "out");
  EXPECT_EQ(out[0], 0.0f);      // the product rounds (ties to even) before the add
  EXPECT_EQ(out[1], 0x1p-24f);  // fma rounds once
  EXPECT_EQ(out[2], 1e-38f * 0.001f);
  EXPECT_TRUE(std::fpclassify(out[2]) == FP_SUBNORMAL);  // denormals are kept
  EXPECT_EQ(out[3], 1e-38f / 3.0f);
  EXPECT_GT(out[3], 0.0f);
  EXPECT_EQ(output<double>(r, "wide")[0], 0x1p-24);
}

TEST(ReferenceSemantics, FloatToIntCastsTruncateAndSaturate) {
  auto program = parse(R"(
kernel casts workgroup(1) {
  param zero: f32
  buffer s: write i32[7]
  buffer u: write u32[4]
  buffer l: write i64[2]
  if global_id.x == 0u {
    s[0] = i32(3.9)
    s[1] = i32(-3.9)
    s[2] = i32(1.0e10)
    s[3] = i32(-1.0e10)
    s[4] = i32(zero / zero)
    s[5] = i32(1.0 / zero)
    s[6] = i32(-2147483648.0)
    u[0] = u32(-5.5)
    u[1] = u32(1.0e10)
    u[2] = u32(4294967040.0)
    u[3] = u32(-1.0 / zero)
    l[0] = i64(1.0e30)
    l[1] = i64(-0.99)
  }
})");
  RunInputs in;
  in.params = {{"zero", Scalar::f32(0.0f)}};
  auto r = run_ok(program, std::move(in));
  EXPECT_EQ(output<std::int32_t>(r, "s"),
            (std::vector<std::int32_t>{3, -3, kMax32, kMin32, 0, kMax32, kMin32}));
  EXPECT_EQ(output<std::uint32_t>(r, "u"),
            (std::vector<std::uint32_t>{0, UINT32_MAX, 4294967040u, 0}));
  EXPECT_EQ(output<std::int64_t>(r, "l"),
            (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::max(), 0}));
}

TEST(ReferenceSemantics, IntegerAndBoolCasts) {
  auto program = parse(R"(
kernel conversions workgroup(1) {
  param neg: i32
  param zero: f32
  buffer b: write bool[5]
  buffer u: write u32[4]
  buffer l: write i64[2]
  if global_id.x == 0u {
    b[0] = bool(5)
    b[1] = bool(0u)
    b[2] = bool(-0.0)
    b[3] = bool(zero / zero)
    b[4] = bool(0.25)
    u[0] = u32(true)
    u[1] = u32(neg)
    u[2] = u32(i64(neg) * 4294967296i64 + 7i64)
    u[3] = u32(f32(false))
    l[0] = i64(neg)
    l[1] = i64(u32(neg))
  }
})");
  RunInputs in;
  in.params = {{"neg", Scalar::i32(-2)}, {"zero", Scalar::f32(0.0f)}};
  auto r = run_ok(program, std::move(in));
  EXPECT_EQ(output<std::uint8_t>(r, "b"), (std::vector<std::uint8_t>{1, 0, 0, 1, 1}));
  EXPECT_EQ(output<std::uint32_t>(r, "u"), (std::vector<std::uint32_t>{1, 0xFFFFFFFEu, 7, 0}));
  EXPECT_EQ(output<std::int64_t>(r, "l"), (std::vector<std::int64_t>{-2, 0xFFFFFFFEll}));
}

TEST(ReferenceSemantics, BarrierOrdersSharedMemoryAcrossTheWorkgroup) {
  // Each invocation writes its slot, then reads the slot of its mirror image: only correct if
  // every write happened before any read.
  auto program = parse(R"(
kernel mirror workgroup(64) {
  buffer out: write u32[n]
  shared slots: u32[64]
  let lid = local_id.x
  slots[lid] = global_id.x * 3u
  barrier()
  out[global_id.x] = slots[63u - lid]
})");
  DispatchConfig config;
  config.sizes["n"] = 256;
  auto got = output<std::uint32_t>(run_ok(program, {}, config), "out");
  ASSERT_EQ(got.size(), 256u);
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t group = i / 64, lid = i % 64;
    EXPECT_EQ(got[i], (group * 64 + (63 - lid)) * 3u) << "at " << i;
  }
}

TEST(ReferenceSemantics, BufferAndSharedAtomics) {
  auto program = parse(R"(
kernel atomics workgroup(32) dispatch(n) {
  buffer counters: read_write u32[4]
  buffer signed_max: read_write i32[2]
  buffer slots: write u32[n]
  buffer wide: read_write u64[1]
  shared local_count: u32[1]
  let i = global_id.x
  atomic_add(local_count[0u], 1u)
  barrier()
  if local_id.x == 0u {
    atomic_add(counters[1], local_count[0u])
  }
  if i < n {
    slots[i] = atomic_add(counters[0], 1u)
    atomic_max(signed_max[0], i32(i) - 500)
    atomic_min(signed_max[1], 0 - i32(i))
    atomic_or(counters[2], 1u << (i % 32u))
    atomic_compare_exchange(counters[3], 0u, 77u + i)
    atomic_add(wide[0], 4294967296u64)
  }
})");
  const std::uint32_t n = 1000;
  RunInputs in;
  in.buffers["signed_max"] =
      HostBuffer::of(ir::Type::I32, std::vector<std::int32_t>{kMin32, kMax32});
  DispatchConfig config;
  config.sizes["n"] = n;
  auto r = run_ok(program, std::move(in), config);
  auto counters = output<std::uint32_t>(r, "counters");
  EXPECT_EQ(counters[0], n);
  EXPECT_EQ(counters[1], 1024u);  // every launched invocation: 32 groups of 32
  EXPECT_EQ(counters[2], 0xFFFFFFFFu);
  EXPECT_GE(counters[3], 77u);  // exactly one compare-exchange succeeded
  EXPECT_LT(counters[3], 77u + n);
  auto signed_max = output<std::int32_t>(r, "signed_max");
  EXPECT_EQ(signed_max[0], static_cast<std::int32_t>(n) - 1 - 500);
  EXPECT_EQ(signed_max[1], -static_cast<std::int32_t>(n) + 1);
  auto slots = output<std::uint32_t>(r, "slots");
  std::sort(slots.begin(), slots.end());
  for (std::uint32_t i = 0; i < n; ++i) ASSERT_EQ(slots[i], i);  // each old value once
  EXPECT_EQ(output<std::uint64_t>(r, "wide")[0], std::uint64_t{n} << 32);
}

TEST(ReferenceSemantics, WhileLoopRunsUpToItsCap) {
  auto program = parse(R"(
kernel capped workgroup(1) {
  buffer out: write u32[2]
  if global_id.x == 0u {
    var count = 0u
    while count < 10u max 10 {
      count = count + 1u
    }
    out[0] = count
    var k = 0u
    while k < 3u max 100 {
      k = k + 1u
    }
    out[1] = k
  }
})");
  auto r = run_ok(program, {});
  EXPECT_EQ(output<std::uint32_t>(r, "out"), (std::vector<std::uint32_t>{10, 3}));
}

TEST(ReferenceSemantics, ReturnBreakAndContinue) {
  auto program = parse(R"(
kernel control workgroup(8) {
  buffer out: write u32[8]
  buffer sums: write u32[8]
  let i = global_id.x
  var sum = 0u
  for j in 0u..100u {
    if j == i + 2u {
      break
    }
    if j % 2u == 1u {
      continue
    }
    sum = sum + j
  }
  var w = 0u
  while w < 100u max 1000 {
    w = w + 1u
    if w == 5u {
      break
    }
  }
  sums[i] = sum + w * 1000u
  if i == 3u {
    return
  }
  out[i] = i + 1u
})");
  auto r = run_ok(program, {});
  std::vector<std::uint32_t> expected_out = {1, 2, 3, 0, 5, 6, 7, 8};
  EXPECT_EQ(output<std::uint32_t>(r, "out"), expected_out);
  auto sums = output<std::uint32_t>(r, "sums");
  for (std::uint32_t i = 0; i < 8; ++i) {
    std::uint32_t sum = 0;
    for (std::uint32_t j = 0; j < i + 2; ++j) {
      if (j % 2 == 0) sum += j;
    }
    EXPECT_EQ(sums[i], sum + 5000u) << "at " << i;
  }
}

TEST(ReferenceSemantics, ReturnInsideLoopEndsTheInvocation) {
  auto program = parse(R"(
kernel early workgroup(4) {
  buffer out: write u32[4]
  let i = global_id.x
  for j in 0u..10u {
    if j == i {
      return
    }
    out[i] = j + 1u
  }
  out[i] = 100u
})");
  auto r = run_ok(program, {});
  EXPECT_EQ(output<std::uint32_t>(r, "out"), (std::vector<std::uint32_t>{0, 1, 2, 3}));
}

TEST(ReferenceSemantics, DivergentForBoundsAndSteps) {
  auto program = parse(R"(
kernel ranges workgroup(16) {
  buffer out: write u32[16]
  buffer neg: write i32[1]
  let i = global_id.x
  var count = 0u
  for j in i..20u step 3 {
    count = count + 1u
  }
  out[i] = count
  if i == 0u {
    var total = 0
    for k in -5..5 step 2 {
      total = total + k
    }
    var near = 0u
    for m in 4294967290u..4294967295u step 4 {
      near = near + 1u
    }
    neg[0] = total * 100 + i32(near)
  }
})");
  auto r = run_ok(program, {});
  auto out = output<std::uint32_t>(r, "out");
  for (std::uint32_t i = 0; i < 16; ++i) {
    std::uint32_t count = 0;
    for (std::uint32_t j = i; j < 20; j += 3) ++count;
    EXPECT_EQ(out[i], count) << "at " << i;
  }
  EXPECT_EQ(output<std::int32_t>(r, "neg")[0], (-5 - 3 - 1 + 1 + 3) * 100 + 2);
}

TEST(ReferenceSemantics, SelectRunsOnlyTheChosenAtomic) {
  auto program = parse(R"(
kernel choose workgroup(8) dispatch(8) {
  buffer counters: read_write u32[2]
  let i = global_id.x
  let odd = i % 2u == 1u
  let ignored = select(odd, atomic_add(counters[0], 1u), atomic_add(counters[1], 1u))
  let taken = i < 2u && atomic_add(counters[1], 10u) == 0u
})");
  auto r = run_ok(program, {});
  auto c = output<std::uint32_t>(r, "counters");
  EXPECT_EQ(c[0], 4u);
  EXPECT_EQ(c[1], 4u + 20u);
}

TEST(ReferenceSemantics, OpsFromTheRegistry) {
  auto program = parse(R"(
kernel ops workgroup(1) {
  param x: f32
  param k: i32
  param bits: u32
  buffer f: write f32[8]
  buffer n: write i32[3]
  buffer u: write u32[3]
  if global_id.x == 0u {
    f[0] = sqrt(x)
    f[1] = floor(-x)
    f[2] = round(2.5)
    f[3] = min(x, 0.0 / 0.0)
    f[4] = max(-0.0, 0.0)
    f[5] = clamp(x, 0.0, 1.0)
    f[6] = abs(-x)
    f[7] = exp(0.0) + log(1.0)
    n[0] = abs(k)
    n[1] = min(k, 3)
    n[2] = clz(k)
    u[0] = popcount(bits)
    u[1] = clz(0u)
    u[2] = ctz(bits)
  }
})");
  RunInputs in;
  in.params = {{"x", Scalar::f32(2.0f)}, {"k", Scalar::i32(kMin32)}, {"bits", Scalar::u32(0xF0u)}};
  auto r = run_ok(program, std::move(in));
  auto f = output<float>(r, "f");
  EXPECT_EQ(f[0], std::sqrt(2.0f));
  EXPECT_EQ(f[1], -2.0f);
  EXPECT_EQ(f[2], 3.0f);
  EXPECT_EQ(f[3], 2.0f);  // NaN loses
  EXPECT_EQ(f[4], 0.0f);
  EXPECT_FALSE(std::signbit(f[4]));
  EXPECT_EQ(f[5], 1.0f);
  EXPECT_EQ(f[6], 2.0f);
  EXPECT_EQ(f[7], 1.0f);
  EXPECT_EQ(output<std::int32_t>(r, "n"), (std::vector<std::int32_t>{kMin32, kMin32, 0}));
  EXPECT_EQ(output<std::uint32_t>(r, "u"), (std::vector<std::uint32_t>{4, 32, 4}));
}

TEST(ReferenceSemantics, ThreadCountDoesNotChangeResults) {
  // Many small workgroups batched together and spread over workers.
  auto program = parse(R"(
kernel squares workgroup(3) {
  buffer out: write u64[n]
  let i = global_id.x
  if i < n {
    out[i] = u64(i) * u64(i)
  }
})");
  DispatchConfig config;
  config.sizes["n"] = 100000;
  auto got = output<std::uint64_t>(run_ok(program, {}, config), "out");
  for (std::uint64_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], i * i);
}

}  // namespace
}  // namespace vyre
