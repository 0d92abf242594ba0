// The IR's corner cases on OpenCL, against values computed here in plain C++ (and, where a
// whole buffer is produced, against the reference backend too): wrapping, shift counts, total
// division, robust buffer access, float->int saturation, NaN and -0.0, denormals, contraction,
// atomics, loops and ops.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "opencl_fixture.h"

namespace vyre::testing {
namespace {

constexpr std::int32_t kMin32 = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kMax32 = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kMin64 = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax64 = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();
const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

// Runs `program` on OpenCL with the given buffers (in declaration order), returns the buffers.
// Also runs the reference backend and expects the same writable results.
std::vector<HostBuffer> run_both(const ir::Program& program, std::vector<HostBuffer> buffers,
                                 std::vector<Scalar> params = {}, std::uint64_t ulp = 0,
                                 DispatchConfig config = {}) {
  Bindings ocl;
  ocl.buffers = buffers;
  ocl.params = params;
  for (const std::string& symbol : program->size_symbols) {
    (void)symbol;
    ocl.sizes.push_back(buffers.empty() ? 1 : buffers.back().count());
  }
  Bindings ref = ocl;
  Status s = run(*opencl_backend(), program, ocl, config);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : render(s.error()));
  Status r = run(*reference_backend(), program, ref, config);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : render(r.error()));
  if (s.ok() && r.ok()) {
    for (std::size_t i = 0; i < buffers.size(); ++i) {
      if (!ir::can_write(program->buffers[i].access)) continue;
      EXPECT_EQ(compare_buffers(ref.buffers[i], ocl.buffers[i], ulp), "")
          << "OpenCL differs from the reference backend in `" << program->buffers[i].name << "`";
    }
  }
  return std::move(ocl.buffers);
}

template <class T>
std::vector<T> values(const HostBuffer& b) {
  return b.to_vector<T>();
}

class OpenClSemantics : public ::testing::Test {
 protected:
  void SetUp() override { VYRE_REQUIRE_OPENCL(); }
};

TEST_F(OpenClSemantics, SignedArithmeticWraps) {
  auto p = parse(R"(kernel wrap workgroup(4) {
    buffer a: read i32[n]
    buffer b: read i32[n]
    buffer sum: write i32[n]
    buffer diff: write i32[n]
    buffer prod: write i32[n]
    buffer neg: write i32[n]
    let i = global_id.x
    sum[i] = a[i] + b[i]
    diff[i] = a[i] - b[i]
    prod[i] = a[i] * b[i]
    neg[i] = -a[i]
  })");
  std::vector<std::int32_t> a = {kMax32, kMin32, 65536, -7};
  std::vector<std::int32_t> b = {1, 1, 65536, 3};
  auto out = run_both(p, {HostBuffer::of(ir::Type::I32, a), HostBuffer::of(ir::Type::I32, b),
                          HostBuffer(ir::Type::I32, 4), HostBuffer(ir::Type::I32, 4),
                          HostBuffer(ir::Type::I32, 4), HostBuffer(ir::Type::I32, 4)});
  EXPECT_EQ(values<std::int32_t>(out[2]),
            (std::vector<std::int32_t>{kMin32, kMin32 + 1, 131072, -4}));
  EXPECT_EQ(values<std::int32_t>(out[3]), (std::vector<std::int32_t>{kMax32 - 1, kMax32, 0, -10}));
  EXPECT_EQ(values<std::int32_t>(out[4]), (std::vector<std::int32_t>{kMax32, kMin32, 0, -21}));
  EXPECT_EQ(values<std::int32_t>(out[5]), (std::vector<std::int32_t>{-kMax32, kMin32, -65536, 7}));
}

TEST_F(OpenClSemantics, ShiftCountsWrapModuloWidth) {
  auto p = parse(R"(kernel shifts workgroup(4) {
    buffer x: read i32[n]
    buffer s: read i32[n]
    buffer u: read u64[n]
    buffer shl: write i32[n]
    buffer shr: write i32[n]
    buffer ushl: write u64[n]
    buffer ushr: write u64[n]
    let i = global_id.x
    shl[i] = x[i] << s[i]
    shr[i] = x[i] >> s[i]
    ushl[i] = u[i] << u64(s[i])
    ushr[i] = u[i] >> u64(s[i])
  })");
  std::vector<std::int32_t> x = {1, -16, 0x40000000, -1};
  std::vector<std::int32_t> s = {33, 34, 32, -1};  // -1 masks to 31 (i32) and 63 (u64)
  std::vector<std::uint64_t> u = {1, 0x8000000000000000ULL, 3, kMaxU64};
  auto out = run_both(p, {HostBuffer::of(ir::Type::I32, x), HostBuffer::of(ir::Type::I32, s),
                          HostBuffer::of(ir::Type::U64, u), HostBuffer(ir::Type::I32, 4),
                          HostBuffer(ir::Type::I32, 4), HostBuffer(ir::Type::U64, 4),
                          HostBuffer(ir::Type::U64, 4)});
  EXPECT_EQ(values<std::int32_t>(out[3]), (std::vector<std::int32_t>{2, -64, 0x40000000, kMin32}));
  EXPECT_EQ(values<std::int32_t>(out[4]), (std::vector<std::int32_t>{0, -4, 0x40000000, -1}));
  EXPECT_EQ(values<std::uint64_t>(out[5]),
            (std::vector<std::uint64_t>{1ULL << 33, 0, 3ULL << 32, 0x8000000000000000ULL}));
  EXPECT_EQ(values<std::uint64_t>(out[6]), (std::vector<std::uint64_t>{0, 1ULL << 29, 0, 1}));
}

TEST_F(OpenClSemantics, IntegerDivisionIsTotal) {
  auto p = parse(R"(kernel divide workgroup(8) {
    buffer a: read i32[n]
    buffer b: read i32[n]
    buffer q: write i32[n]
    buffer r: write i32[n]
    buffer a64: read i64[n]
    buffer b64: read i64[n]
    buffer q64: write i64[n]
    buffer r64: write i64[n]
    buffer uq: write u32[n]
    let i = global_id.x
    q[i] = a[i] / b[i]
    r[i] = a[i] % b[i]
    q64[i] = a64[i] / b64[i]
    r64[i] = a64[i] % b64[i]
    uq[i] = u32(a[i]) / u32(b[i]) + u32(a[i]) % u32(b[i])
  })");
  std::vector<std::int32_t> a = {7, 7, kMin32, kMin32, -7, 0};
  std::vector<std::int32_t> b = {0, -2, -1, 1, 2, 0};
  std::vector<std::int64_t> a64 = {7, kMin64, kMin64, -7, 9, 1};
  std::vector<std::int64_t> b64 = {0, -1, 2, 2, -4, 0};
  auto out = run_both(p, {HostBuffer::of(ir::Type::I32, a), HostBuffer::of(ir::Type::I32, b),
                          HostBuffer(ir::Type::I32, 6), HostBuffer(ir::Type::I32, 6),
                          HostBuffer::of(ir::Type::I64, a64), HostBuffer::of(ir::Type::I64, b64),
                          HostBuffer(ir::Type::I64, 6), HostBuffer(ir::Type::I64, 6),
                          HostBuffer(ir::Type::U32, 6)});
  EXPECT_EQ(values<std::int32_t>(out[2]),
            (std::vector<std::int32_t>{0, -3, kMin32, kMin32, -3, 0}));
  EXPECT_EQ(values<std::int32_t>(out[3]), (std::vector<std::int32_t>{0, 1, 0, 0, -1, 0}));
  EXPECT_EQ(values<std::int64_t>(out[6]),
            (std::vector<std::int64_t>{0, kMin64, kMin64 / 2, -3, -2, 0}));
  EXPECT_EQ(values<std::int64_t>(out[7]), (std::vector<std::int64_t>{0, 0, 0, -1, 1, 0}));
  // u32: 7/0 = 0 and 7%0 = 0; 0x80000000 / 0xffffffff = 0, remainder 0x80000000.
  EXPECT_EQ(values<std::uint32_t>(out[8])[0], 0u);
  EXPECT_EQ(values<std::uint32_t>(out[8])[2], 0x80000000u);
}

TEST_F(OpenClSemantics, OutOfBoundsLoadsReadZeroAndStoresAreDropped) {
  auto p = parse(R"(kernel robust workgroup(4) {
    buffer src: read u32[n]
    buffer idx: read i32[n]
    buffer dst: read_write u32[n]
    let i = global_id.x
    dst[i] = src[idx[i]]
    dst[idx[i] + 100i] = 77u
    dst[-1i] = 99u
  })");
  std::vector<std::uint32_t> src = {10, 11, 12, 13};
  std::vector<std::int32_t> idx = {3, 4, -1, kMin32};
  auto out = run_both(p, {HostBuffer::of(ir::Type::U32, src), HostBuffer::of(ir::Type::I32, idx),
                          HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>{5, 5, 5, 5})});
  EXPECT_EQ(values<std::uint32_t>(out[2]), (std::vector<std::uint32_t>{13, 0, 0, 0}));
}

TEST_F(OpenClSemantics, FloatToIntegerSaturatesAndNaNIsZero) {
  auto p = parse(R"(kernel convert workgroup(16) {
    buffer x: read f32[n]
    buffer i: write i32[n]
    buffer u: write u32[n]
    buffer l: write i64[n]
    buffer ul: write u64[n]
    buffer nz: write bool[n]
    let k = global_id.x
    i[k] = i32(x[k])
    u[k] = u32(x[k])
    l[k] = i64(x[k])
    ul[k] = u64(x[k])
    nz[k] = bool(x[k])
  })");
  std::vector<float> x = {1e10f,         -1e10f,         kNaN,  kInf, -kInf,         2.9f,  -2.9f,
                          2147483520.0f, -2147483648.0f, -0.0f, 0.5f, 4294967040.0f, 1e20f, -0.5f};
  const std::size_t n = x.size();
  auto out = run_both(p, {HostBuffer::of(ir::Type::F32, x), HostBuffer(ir::Type::I32, n),
                          HostBuffer(ir::Type::U32, n), HostBuffer(ir::Type::I64, n),
                          HostBuffer(ir::Type::U64, n), HostBuffer(ir::Type::Bool, n)});
  EXPECT_EQ(values<std::int32_t>(out[1]),
            (std::vector<std::int32_t>{kMax32, kMin32, 0, kMax32, kMin32, 2, -2, 2147483520, kMin32,
                                       0, 0, kMax32, kMax32, 0}));
  EXPECT_EQ(values<std::uint32_t>(out[2]),
            (std::vector<std::uint32_t>{0xffffffffu, 0, 0, 0xffffffffu, 0, 2, 0, 2147483520u, 0, 0,
                                        0, 4294967040u, 0xffffffffu, 0}));
  EXPECT_EQ(
      values<std::int64_t>(out[3]),
      (std::vector<std::int64_t>{10000000000LL, -10000000000LL, 0, kMax64, kMin64, 2, -2,
                                 2147483520LL, -2147483648LL, 0, 0, 4294967040LL, kMax64, 0}));
  EXPECT_EQ(values<std::uint64_t>(out[4])[0], 10000000000ULL);
  EXPECT_EQ(values<std::uint64_t>(out[4])[1], 0u);
  EXPECT_EQ(values<std::uint64_t>(out[4])[3], kMaxU64);
  EXPECT_EQ(values<std::uint64_t>(out[4])[12], kMaxU64);
  // bool(x) is x != 0: NaN is true, -0.0 is false.
  EXPECT_EQ(values<std::uint8_t>(out[5]),
            (std::vector<std::uint8_t>{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1}));
}

TEST_F(OpenClSemantics, SignedZeroNaNAndDenormalsSurvive) {
  auto p = parse(R"(kernel floats workgroup(8) {
    buffer a: read f32[n]
    buffer b: read f32[n]
    buffer lo: write f32[n]
    buffer hi: write f32[n]
    buffer prod: write f32[n]
    buffer sum: write f32[n]
    buffer negated: write f32[n]
    let i = global_id.x
    lo[i] = min(a[i], b[i])
    hi[i] = max(a[i], b[i])
    prod[i] = a[i] * b[i]
    sum[i] = a[i] + b[i]
    negated[i] = -a[i]
  })");
  const float denorm = std::bit_cast<float>(0x00000400u);  // 2^-139, a subnormal
  const float tiny = std::numeric_limits<float>::min();    // 2^-126
  std::vector<float> a = {-0.0f, 0.0f, kNaN, 1.0f, tiny, denorm, 3.0f};
  std::vector<float> b = {0.0f, -0.0f, 2.0f, kNaN, 0.5f, denorm, -0.0f};
  const std::size_t n = a.size();
  auto out = run_both(
      p, {HostBuffer::of(ir::Type::F32, a), HostBuffer::of(ir::Type::F32, b),
          HostBuffer(ir::Type::F32, n), HostBuffer(ir::Type::F32, n), HostBuffer(ir::Type::F32, n),
          HostBuffer(ir::Type::F32, n), HostBuffer(ir::Type::F32, n)});
  auto bits = [](const HostBuffer& h, std::size_t i) {
    return std::bit_cast<std::uint32_t>(h.as<float>()[i]);
  };
  EXPECT_EQ(bits(out[2], 0), 0x80000000u);  // min(-0, +0) = -0
  EXPECT_EQ(bits(out[2], 1), 0x80000000u);  // min(+0, -0) = -0
  EXPECT_EQ(bits(out[3], 0), 0u);           // max(-0, +0) = +0
  EXPECT_EQ(bits(out[3], 1), 0u);
  EXPECT_EQ(out[2].as<float>()[2], 2.0f);  // NaN loses
  EXPECT_EQ(out[3].as<float>()[3], 1.0f);
  EXPECT_EQ(bits(out[4], 4), 0x00400000u);  // 2^-126 * 0.5 = 2^-127, subnormal, not flushed
  EXPECT_EQ(bits(out[5], 5), 0x00000800u);  // subnormal + subnormal
  EXPECT_EQ(bits(out[4], 6), 0x80000000u);  // 3 * -0 = -0
  EXPECT_EQ(bits(out[6], 1), 0x80000000u);  // -(+0) = -0
  EXPECT_TRUE(std::isnan(out[4].as<float>()[2]));
}

TEST_F(OpenClSemantics, MultiplyAddIsNotContracted) {
  auto p = parse(R"(kernel mad workgroup(1) dispatch(1) {
    param a: f32
    param c: f32
    buffer r: write f32[2]
    r[0u] = a * a + c
    r[1u] = fma(a, a, c)
  })");
  const float a = 1.0f + std::ldexp(1.0f, -12);  // a*a needs 25 bits
  volatile float square = a * a;                 // rounded once
  const float c = -square;
  auto out = run_both(p, {HostBuffer(ir::Type::F32, 2)}, {Scalar::f32(a), Scalar::f32(c)});
  EXPECT_EQ(out[0].as<float>()[0], 0.0f) << "a * a + c was contracted into an fma";
  EXPECT_EQ(out[0].as<float>()[1], std::fma(a, a, c));
  EXPECT_NE(out[0].as<float>()[1], 0.0f);
}

TEST_F(OpenClSemantics, BoolBuffersAreBytesAndBoolParamsAreUints) {
  auto p = parse(R"(kernel flags workgroup(4) {
    param flip: bool
    buffer in: read bool[n]
    buffer out: write bool[n]
    buffer count: write u32[n]
    let i = global_id.x
    out[i] = in[i] != flip
    count[i] = u32(in[i]) + u32(flip)
  })");
  std::vector<std::uint8_t> in = {0, 1, 2, 255};  // any nonzero byte reads as true
  auto out = run_both(
      p,
      {HostBuffer(ir::Type::Bool, in), HostBuffer(ir::Type::Bool, 4), HostBuffer(ir::Type::U32, 4)},
      {Scalar::boolean(true)});
  EXPECT_EQ(values<std::uint8_t>(out[1]), (std::vector<std::uint8_t>{1, 0, 0, 0}));
  EXPECT_EQ(values<std::uint32_t>(out[2]), (std::vector<std::uint32_t>{1, 2, 2, 2}));
}

TEST_F(OpenClSemantics, AtomicsIncludingOutOfBoundsAnd64Bit) {
  auto p = parse(R"(kernel atomics workgroup(64) dispatch(n) {
    buffer counter: read_write u32[4]
    buffer wide: read_write i64[2]
    buffer swapped: read_write u32[1]
    buffer oob: write u32[n]
    let i = global_id.x
    atomic_add(counter[0u], 1u)
    atomic_max(counter[1u], i)
    atomic_min(wide[0u], -i64(i))
    atomic_add(wide[1u], 4294967296i64)
    oob[i] = atomic_add(counter[100u], 5u) + atomic_xor(counter[2u], 1u) * 0u
    if i == 3u {
      let old = atomic_compare_exchange(swapped[0u], 7u, 9u)
      counter[3u] = old
    }
  })");
  const std::size_t n = 256;
  auto out = run_both(p, {HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>{0, 0, 0, 0}),
                          HostBuffer::of(ir::Type::I64, std::vector<std::int64_t>{0, 0}),
                          HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>{7}),
                          HostBuffer(ir::Type::U32, n)});
  EXPECT_EQ(values<std::uint32_t>(out[0]), (std::vector<std::uint32_t>{256, 255, 0, 7}));
  EXPECT_EQ(values<std::int64_t>(out[1]), (std::vector<std::int64_t>{-255, 256LL << 32}));
  EXPECT_EQ(values<std::uint32_t>(out[2]), (std::vector<std::uint32_t>{9}));
  EXPECT_EQ(values<std::uint32_t>(out[3]), std::vector<std::uint32_t>(n, 0));
}

TEST_F(OpenClSemantics, SelectRunsOnlyTheChosenArm) {
  auto p = parse(R"(kernel pick workgroup(8) {
    buffer hits: read_write u32[2]
    buffer out: write u32[n]
    let i = global_id.x
    out[i] = select(i < 3u, atomic_add(hits[0u], 1u) * 0u + 1u, atomic_add(hits[1u], 1u) * 0u + 2u)
  })");
  auto out = run_both(p, {HostBuffer(ir::Type::U32, 2), HostBuffer(ir::Type::U32, 8)});
  EXPECT_EQ(values<std::uint32_t>(out[0]), (std::vector<std::uint32_t>{3, 5}));
}

TEST_F(OpenClSemantics, LoopsEndWithoutOverflowAndUpToTheirCap) {
  auto p = parse(R"(kernel loops workgroup(1) dispatch(1) {
    buffer r: write u32[4]
    var a = 0u
    for j in 4294967290u..4294967295u step 4 { a = a + 1u }
    r[0u] = a
    var b = 0u
    while b < 7u max 7 { b = b + 1u }
    r[1u] = b
    var c = 0u
    for k in -3i..3i step 2 {
      if k == -1i { continue }
      c = c + 1u
    }
    r[2u] = c
    var d = 0u
    for m in 0i64..9223372036854775807i64 step 4611686018427387904 { d = d + 1u }
    r[3u] = d
  })");
  // The second buffer is the loop status buffer check() gives a kernel with while loops.
  auto out = run_both(p, {HostBuffer(ir::Type::U32, 4), HostBuffer(ir::Type::U32, 1)});
  EXPECT_EQ(values<std::uint32_t>(out[0]), (std::vector<std::uint32_t>{2, 7, 2, 2}));
  EXPECT_EQ(values<std::uint32_t>(out[1]), (std::vector<std::uint32_t>{0}));  // no cap reached
}

TEST_F(OpenClSemantics, BitAndIntegerOps) {
  auto p = parse(R"(kernel bits workgroup(4) {
    buffer x: read i32[n]
    buffer y: read u64[n]
    buffer pc: write i32[n]
    buffer lz: write i32[n]
    buffer tz: write i32[n]
    buffer ab: write i32[n]
    buffer tz64: write u64[n]
    buffer lz64: write u64[n]
    let i = global_id.x
    pc[i] = popcount(x[i])
    lz[i] = clz(x[i])
    tz[i] = ctz(x[i])
    ab[i] = abs(x[i])
    tz64[i] = ctz(y[i])
    lz64[i] = clz(y[i])
  })");
  std::vector<std::int32_t> x = {0, -1, kMin32, 40};
  std::vector<std::uint64_t> y = {0, 1ULL << 40, kMaxU64, 12};
  auto out = run_both(p, {HostBuffer::of(ir::Type::I32, x), HostBuffer::of(ir::Type::U64, y),
                          HostBuffer(ir::Type::I32, 4), HostBuffer(ir::Type::I32, 4),
                          HostBuffer(ir::Type::I32, 4), HostBuffer(ir::Type::I32, 4),
                          HostBuffer(ir::Type::U64, 4), HostBuffer(ir::Type::U64, 4)});
  EXPECT_EQ(values<std::int32_t>(out[2]), (std::vector<std::int32_t>{0, 32, 1, 2}));
  EXPECT_EQ(values<std::int32_t>(out[3]), (std::vector<std::int32_t>{32, 0, 0, 26}));
  EXPECT_EQ(values<std::int32_t>(out[4]), (std::vector<std::int32_t>{32, 0, 31, 3}));
  EXPECT_EQ(values<std::int32_t>(out[5]), (std::vector<std::int32_t>{0, 1, kMin32, 40}));
  EXPECT_EQ(values<std::uint64_t>(out[6]), (std::vector<std::uint64_t>{64, 40, 0, 2}));
  EXPECT_EQ(values<std::uint64_t>(out[7]), (std::vector<std::uint64_t>{64, 23, 0, 60}));
}

TEST_F(OpenClSemantics, ExactFloatOps) {
  auto p = parse(R"(kernel exact workgroup(8) {
    buffer x: read f32[n]
    buffer rd: write f32[n]
    buffer fl: write f32[n]
    buffer sq: write f32[n]
    buffer dv: write f32[n]
    buffer d64: write f64[n]
    let i = global_id.x
    rd[i] = round(x[i])
    fl[i] = floor(x[i]) + ceil(x[i]) * 0.0 + trunc(x[i]) * 0.0
    sq[i] = sqrt(abs(x[i]))
    dv[i] = 1.0 / x[i]
    d64[i] = sqrt(f64(abs(x[i]))) / 3.0f64
  })");
  std::vector<float> x = {2.5f, -2.5f, 0.5f, -0.5f, 1.4999999f, 3.0f, 1e-40f, 7.0f};
  const std::size_t n = x.size();
  auto out = run_both(p, {HostBuffer::of(ir::Type::F32, x), HostBuffer(ir::Type::F32, n),
                          HostBuffer(ir::Type::F32, n), HostBuffer(ir::Type::F32, n),
                          HostBuffer(ir::Type::F32, n), HostBuffer(ir::Type::F64, n)});
  EXPECT_EQ(values<float>(out[1]), (std::vector<float>{3.0f, -3.0f, 1.0f, -1.0f, 1.0f, 3.0f, 0.0f,
                                                       7.0f}));  // ties away from zero
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(out[3].as<float>()[i], std::sqrt(std::fabs(x[i]))) << i;
    EXPECT_EQ(out[4].as<float>()[i], 1.0f / x[i]) << i;
    EXPECT_EQ(out[5].as<double>()[i], std::sqrt(static_cast<double>(std::fabs(x[i]))) / 3.0) << i;
  }
}

// Transcendentals: within the dispatch's ULP budget of a double-precision evaluation.
class Transcendental : public ::testing::TestWithParam<std::uint32_t> {
 protected:
  void SetUp() override { VYRE_REQUIRE_OPENCL(); }
};

TEST_P(Transcendental, WithinUlpBudget) {
  const std::uint32_t budget = GetParam();
  auto p = parse(R"(kernel tr workgroup(64) {
    buffer x: read f32[n]
    buffer e: write f32[n]
    buffer e2: write f32[n]
    buffer l: write f32[n]
    buffer l2: write f32[n]
    buffer s: write f32[n]
    buffer c: write f32[n]
    buffer t: write f32[n]
    buffer pw: write f32[n]
    let i = global_id.x
    let v = x[i]
    e[i] = exp(v)
    e2[i] = exp2(v)
    l[i] = log(abs(v))
    l2[i] = log2(abs(v))
    s[i] = sin(v)
    c[i] = cos(v)
    t[i] = tan(v)
    pw[i] = pow(abs(v), 1.37)
  })");
  const std::size_t n = 1000;
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = -20.0f + 40.0f * static_cast<float>(i) / n + 1e-3f;
  std::vector<HostBuffer> buffers = {HostBuffer::of(ir::Type::F32, x)};
  for (int k = 0; k < 8; ++k) buffers.emplace_back(ir::Type::F32, n);
  DispatchConfig config;
  config.ulp_budget = budget;
  auto out = run_both(p, buffers, {}, budget, config);
  using Fn = double (*)(double);
  const Fn fns[] = {[](double v) { return std::exp(v); },
                    [](double v) { return std::exp2(v); },
                    [](double v) { return std::log(std::fabs(v)); },
                    [](double v) { return std::log2(std::fabs(v)); },
                    [](double v) { return std::sin(v); },
                    [](double v) { return std::cos(v); },
                    [](double v) { return std::tan(v); },
                    [](double v) { return std::pow(std::fabs(v), static_cast<double>(1.37f)); }};
  for (int k = 0; k < 8; ++k) {
    std::uint64_t worst = 0;
    for (std::size_t i = 0; i < n; ++i) {
      float want = static_cast<float>(fns[k](x[i]));
      worst = std::max(worst, ulp_distance_f32(want, out[1 + k].as<float>()[i]));
    }
    EXPECT_LE(worst, budget) << "op #" << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Budgets, Transcendental, ::testing::Values(1u, 4u));

}  // namespace
}  // namespace vyre::testing
