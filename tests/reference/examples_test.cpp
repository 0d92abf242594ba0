// Every kernel in examples/ on the reference backend, compared with the same computation written
// as plain C++ loops here (never by the interpreter). Floating-point expectations repeat the
// kernel's operations in the kernel's order, so the comparison is exact. The reference backend
// runs with its race detector on (the default), so this is also the examples' no-race check.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <vector>

#include "runtime/run_support.h"

namespace vyre {
namespace {

using testing::example;
using testing::output;
using testing::run_ok;

std::vector<float> random_floats(std::size_t n, unsigned seed, float lo = -4, float hi = 4) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> out(n);
  for (auto& v : out) v = dist(rng);
  return out;
}

std::vector<std::uint32_t> random_u32(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint32_t> out(n);
  for (auto& v : out) v = rng();
  return out;
}

TEST(ReferenceExamples, Saxpy) {
  const std::size_t n = 100003;  // not a multiple of the workgroup
  auto x = random_floats(n, 1);
  auto y = random_floats(n, 2);
  const float a = 2.5f;
  RunInputs in;
  in.params["a"] = Scalar::f32(a);
  in.buffers["x"] = HostBuffer::of(ir::Type::F32, x);
  in.buffers["y"] = HostBuffer::of(ir::Type::F32, y);
  auto result = run_ok(example("saxpy"), std::move(in));
  auto got = output<float>(result, "y");
  ASSERT_EQ(got.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    volatile float product = a * x[i];  // two roundings, as the IR requires
    ASSERT_EQ(got[i], product + y[i]) << "at " << i;
  }
  EXPECT_EQ(result.report.backend, "reference");
  EXPECT_EQ(result.report.sizes.at("n"), n);
  EXPECT_EQ(result.report.geometry.groups[0], (n + 255) / 256);
}

TEST(ReferenceExamples, VectorAdd) {
  const std::size_t n = 4097;
  auto a = random_floats(n, 3);
  auto b = random_floats(n, 4);
  RunInputs in;
  in.buffers["a"] = HostBuffer::of(ir::Type::F32, a);
  in.buffers["b"] = HostBuffer::of(ir::Type::F32, b);
  auto got = output<float>(run_ok(example("vector_add"), std::move(in)), "c");
  ASSERT_EQ(got.size(), n);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], a[i] + b[i]) << "at " << i;
}

TEST(ReferenceExamples, DotProductPartialSums) {
  const std::size_t n = 1000;
  const std::size_t groups = (n + 255) / 256;
  // Small integers: every partial sum is exact, so any summation order gives the same bits.
  std::vector<float> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(static_cast<int>(i % 17) - 8);
    y[i] = static_cast<float>(static_cast<int>(i % 5) - 2);
  }
  RunInputs in;
  in.buffers["x"] = HostBuffer::of(ir::Type::F32, x);
  in.buffers["y"] = HostBuffer::of(ir::Type::F32, y);
  DispatchConfig config;
  config.sizes["g"] = groups;
  auto got = output<float>(run_ok(example("dot_product"), std::move(in), config), "partial");
  ASSERT_EQ(got.size(), groups);
  double total = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    float expected = 0;
    for (std::size_t i = g * 256; i < std::min(n, (g + 1) * 256); ++i) expected += x[i] * y[i];
    EXPECT_EQ(got[g], expected) << "group " << g;
    total += got[g];
  }
  double dot = 0;
  for (std::size_t i = 0; i < n; ++i) dot += double(x[i]) * y[i];
  EXPECT_EQ(total, dot);
}

TEST(ReferenceExamples, Histogram) {
  const std::size_t n = 70001;
  auto data = random_u32(n, 5);
  RunInputs in;
  in.buffers["data"] = HostBuffer::of(ir::Type::U32, data);
  auto got = output<std::uint32_t>(run_ok(example("histogram"), std::move(in)), "bins");
  std::vector<std::uint32_t> expected(256, 0);
  for (auto v : data) ++expected[v & 255u];
  EXPECT_EQ(got, expected);
}

TEST(ReferenceExamples, HistogramAddsToGivenBins) {
  std::vector<std::uint32_t> data = {1, 1, 257, 3};
  std::vector<std::uint32_t> bins(256, 10);
  RunInputs in;
  in.buffers["data"] = HostBuffer::of(ir::Type::U32, data);
  in.buffers["bins"] = HostBuffer::of(ir::Type::U32, bins);
  auto got = output<std::uint32_t>(run_ok(example("histogram"), std::move(in)), "bins");
  EXPECT_EQ(got[1], 13u);
  EXPECT_EQ(got[3], 11u);
  EXPECT_EQ(got[0], 10u);
}

TEST(ReferenceExamples, PrefixScanPerBlock) {
  const std::size_t n = 1000;
  auto input = random_u32(n, 6);
  RunInputs in;
  in.buffers["input"] = HostBuffer::of(ir::Type::U32, input);
  auto got = output<std::uint32_t>(run_ok(example("prefix_scan"), std::move(in)), "output");
  ASSERT_EQ(got.size(), n);
  std::uint32_t running = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 256 == 0) running = 0;
    running += input[i];  // wraps modulo 2^32
    ASSERT_EQ(got[i], running) << "at " << i;
  }
}

TEST(ReferenceExamples, TiledMatmul) {
  const std::size_t m = 33, n = 47, k = 29;  // no dimension a multiple of the tile
  auto a = random_floats(m * k, 7);
  auto b = random_floats(k * n, 8);
  RunInputs in;
  in.buffers["a"] = HostBuffer::of(ir::Type::F32, a);
  in.buffers["b"] = HostBuffer::of(ir::Type::F32, b);
  DispatchConfig config;
  config.sizes = {{"m", m}, {"n", n}, {"k", k}};
  auto got = output<float>(run_ok(example("matmul"), std::move(in), config), "c");
  ASSERT_EQ(got.size(), m * n);
  for (std::size_t r = 0; r < m; ++r) {
    for (std::size_t c = 0; c < n; ++c) {
      float acc = 0;
      for (std::size_t j = 0; j < k; ++j) {
        volatile float product = a[r * k + j] * b[j * n + c];
        acc = acc + product;
      }
      ASSERT_EQ(got[r * n + c], acc) << "c[" << r << "][" << c << "]";
    }
  }
}

TEST(ReferenceExamples, Stencil) {
  const std::uint32_t w = 37, h = 23;
  auto src = random_floats(w * h, 9, 0, 100);
  const float alpha = 0.1f;
  RunInputs in;
  in.params["alpha"] = Scalar::f32(alpha);
  in.buffers["src"] = HostBuffer::of(ir::Type::F32, src);
  DispatchConfig config;
  config.sizes = {{"w", w}, {"h", h}};
  auto got = output<float>(run_ok(example("stencil"), std::move(in), config), "dst");
  ASSERT_EQ(got.size(), std::size_t{w} * h);
  for (std::uint32_t y = 0; y < h; ++y) {
    for (std::uint32_t x = 0; x < w; ++x) {
      std::uint32_t i = y * w + x;
      float expected = src[i];
      if (x != 0 && y != 0 && x + 1 != w && y + 1 != h) {
        float neighbours = src[i - 1] + src[i + 1] + src[i - w] + src[i + w];
        volatile float four = 4.0f * src[i];
        volatile float scaled = alpha * (neighbours - four);
        expected = src[i] + scaled;
      }
      ASSERT_EQ(got[i], expected) << "(" << x << ", " << y << ")";
    }
  }
}

TEST(ReferenceExamples, HeatStep) {
  const std::uint32_t w = 23, h = 19;  // not multiples of the 16 x 16 workgroup
  auto src = random_floats(std::size_t{w} * h, 12, 0, 100);
  const float alpha = 0.2f;
  RunInputs in;
  in.params["alpha"] = Scalar::f32(alpha);
  in.buffers["src"] = HostBuffer::of(ir::Type::F32, src);
  DispatchConfig config;
  config.sizes = {{"w", w}, {"h", h}};
  auto got = output<float>(run_ok(example("heat"), std::move(in), config), "dst");
  ASSERT_EQ(got.size(), std::size_t{w} * h);
  for (std::uint32_t y = 0; y < h; ++y) {
    for (std::uint32_t x = 0; x < w; ++x) {
      const std::uint32_t i = y * w + x;
      float expected = 100.0f;
      if (x != 0 && y != 0 && x + 1 != w && y + 1 != h) {
        float neighbours = src[i - 1] + src[i + 1] + src[i - w] + src[i + w];
        volatile float four = 4.0f * src[i];
        volatile float scaled = alpha * (neighbours - four);
        expected = src[i] + scaled;
      }
      ASSERT_EQ(got[i], expected) << "(" << x << ", " << y << ")";
    }
  }
}

TEST(ReferenceExamples, Transpose) {
  const std::size_t rows = 37, cols = 53;
  auto src = random_floats(rows * cols, 10);
  RunInputs in;
  in.buffers["src"] = HostBuffer::of(ir::Type::F32, src);
  DispatchConfig config;
  config.sizes = {{"rows", rows}, {"cols", cols}};
  auto got = output<float>(run_ok(example("transpose"), std::move(in), config), "dst");
  ASSERT_EQ(got.size(), rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) ASSERT_EQ(got[c * rows + r], src[r * cols + c]);
  }
}

TEST(ReferenceExamples, Mandelbrot) {
  const std::uint32_t w = 64, h = 48;
  const float x0 = -2.0f, y0 = -1.2f, scale = 0.05f;
  RunInputs in;
  in.params["x0"] = Scalar::f32(x0);
  in.params["y0"] = Scalar::f32(y0);
  in.params["scale"] = Scalar::f32(scale);
  DispatchConfig config;
  config.sizes = {{"w", w}, {"h", h}};
  auto got = output<std::uint32_t>(run_ok(example("mandelbrot"), std::move(in), config), "counts");
  ASSERT_EQ(got.size(), std::size_t{w} * h);
  std::size_t inside = 0;
  for (std::uint32_t py = 0; py < h; ++py) {
    for (std::uint32_t px = 0; px < w; ++px) {
      volatile float sx = static_cast<float>(px) * scale;
      volatile float sy = static_cast<float>(py) * scale;
      float cr = x0 + sx, ci = y0 + sy;
      float zr = 0, zi = 0;
      std::uint32_t iterations = 0;
      for (int cap = 0; cap < 256; ++cap) {
        volatile float rr = zr * zr, ii = zi * zi;
        if (!(rr + ii <= 4.0f && iterations < 256u)) break;
        volatile float diff = rr - ii;
        float next_zr = diff + cr;
        volatile float twice = 2.0f * zr;
        volatile float cross = twice * zi;
        zi = cross + ci;
        zr = next_zr;
        ++iterations;
      }
      if (iterations == 256) ++inside;
      ASSERT_EQ(got[py * w + px], iterations) << "(" << px << ", " << py << ")";
    }
  }
  EXPECT_GT(inside, 0u);
}

TEST(ReferenceExamples, IntegerHash) {
  const std::size_t n = 5000;
  auto keys = random_u32(n, 11);
  const std::uint32_t seed = 0x9e3779b9u;
  RunInputs in;
  in.params["seed"] = Scalar::u32(seed);
  in.buffers["keys"] = HostBuffer::of(ir::Type::U32, keys);
  auto got = output<std::uint32_t>(run_ok(example("hash"), std::move(in)), "hashes");
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t h = keys[i] ^ seed;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    ASSERT_EQ(got[i], h) << "at " << i;
  }
}

// Every examples/*.vy kernel has its test here, so none escapes the race detector.
TEST(ReferenceExamples, EveryExampleIsTestedHere) {
  const std::string self =
      testing::read_file(std::string(VYRE_SOURCE_DIR) + "/tests/reference/examples_test.cpp");
  int kernels = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(VYRE_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".vy") continue;
    ++kernels;
    const std::string name = entry.path().stem().string();
    EXPECT_NE(self.find("example(\"" + name + "\")"), std::string::npos)
        << "examples/" << name << ".vy has no test in tests/reference/examples_test.cpp";
  }
  EXPECT_GE(kernels, 11);
}

}  // namespace
}  // namespace vyre
