// `vyre run --iterations N --swap A,B`: N heat-stencil steps on buffers that stay on the device
// equal the same loop computed here in C++ (bit for bit: the IR has no contraction), on the
// reference backend and on OpenCL (PoCL in CI). The wall time against the summed device kernel
// time is printed for the record (docs/PERFORMANCE.md), never asserted.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <vector>

#include "cli/vyre_binary.h"

namespace {

namespace fs = std::filesystem;
using vyre::testing::run_vyre;

// The heat example's step, iterated with ping-pong buffers, in f32 as the kernel computes it.
std::vector<float> heat_reference(std::uint32_t w, std::uint32_t h, float alpha, int steps) {
  std::vector<float> src(std::size_t{w} * h, 0.0f), dst(src.size(), 0.0f);
  for (int s = 0; s < steps; ++s) {
    for (std::uint32_t y = 0; y < h; ++y) {
      for (std::uint32_t x = 0; x < w; ++x) {
        const std::size_t i = std::size_t{y} * w + x;
        if (x == 0 || y == 0 || x + 1 == w || y + 1 == h) {
          dst[i] = 100.0f;
        } else {
          const float neighbours = src[i - 1] + src[i + 1] + src[i - w] + src[i + w];
          dst[i] = src[i] + alpha * (neighbours - 4.0f * src[i]);
        }
      }
    }
    std::swap(src, dst);
  }
  return src;  // after the last swap, the newest state
}

std::vector<float> read_npy_f32(const fs::path& path, std::size_t count) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> values(count);
  if (bytes.size() < count * 4) return {};
  std::memcpy(values.data(), bytes.data() + bytes.size() - count * 4, count * 4);
  return values;
}

class IterateCommand : public vyre::testing::CliTest {
 protected:
  void check_heat(const std::string& backend, std::uint32_t w, std::uint32_t h, int steps) {
    const fs::path out = dir_ / "grid.npy";
    auto r = run_vyre("run " + vyre::testing::example_path("heat") + " --backend " + backend +
                          " --size w=" + std::to_string(w) + " --size h=" + std::to_string(h) +
                          " --param alpha=0.2 --in src=fill:0 --iterations " +
                          std::to_string(steps) + " --swap src,dst --out src=" + out.string(),
                      true);
    if (r.status != 0 && backend == "opencl" &&
        (r.out.find("VY6001") != std::string::npos || r.out.find("VY4003") != std::string::npos)) {
      GTEST_SKIP() << "no OpenCL platform: " << r.out;
    }
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("iterations: " + std::to_string(steps) + " on resident buffers"),
              std::string::npos)
        << r.out;
    const std::vector<float> expected = heat_reference(w, h, 0.2f, steps);
    const std::vector<float> actual = read_npy_f32(out, expected.size());
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(actual[i], expected[i]) << "cell " << i % w << "," << i / w;
    }
    std::smatch m;
    const std::regex stats(
        R"(median ([0-9.]+) ms, p90 ([0-9.]+) ms; kernels ([0-9.]+) ms in total, loop wall ([0-9.]+) ms \(([0-9.]+)x)");
    ASSERT_TRUE(std::regex_search(r.out, m, stats)) << r.out;
    EXPECT_LE(std::stod(m[1]), std::stod(m[2]));  // median <= p90
    std::printf(
        "%s, %ux%u, %d steps: wall / summed kernel time = %sx (kernels %s ms, loop %s ms)\n",
        backend.c_str(), w, h, steps, m[5].str().c_str(), m[3].str().c_str(), m[4].str().c_str());
    EXPECT_NE(r.out.find("time by step: start-up"), std::string::npos);
  }
};

TEST_F(IterateCommand, HeatOnReferenceEqualsTheCppLoop) {
  check_heat("reference", 24, 17, 60);
}

TEST_F(IterateCommand, HeatOnOpenClEqualsTheCppLoop) {
  check_heat("opencl", 256, 256, 1000);
}

TEST_F(IterateCommand, SwapNeedsTwoBuffersOfOneShape) {
  auto r = run_vyre("run " + vyre::testing::example_path("heat") +
                        " --backend reference --size w=8 --size h=8 --param alpha=0.1 --in "
                        "src=fill:0 --iterations 2 --swap src,alpha",
                    true);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("VY8"), std::string::npos) << r.out;
  auto no_iterations = run_vyre("run " + vyre::testing::example_path("heat") +
                                    " --backend reference --size w=8 --size h=8 --param "
                                    "alpha=0.1 --in src=fill:0 --swap src,dst",
                                true);
  EXPECT_NE(no_iterations.status, 0);
  EXPECT_NE(no_iterations.out.find("--swap needs --iterations"), std::string::npos)
      << no_iterations.out;
}

}  // namespace
