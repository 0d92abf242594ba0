// Every examples/*.vy kernel runs on OpenCL and matches the reference backend: integers and
// exact float arithmetic bit for bit (vyre forbids contraction), transcendentals within the ULP
// budget.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "opencl_fixture.h"
#include "vyre/ir/text.h"

namespace vyre::testing {
namespace {

std::vector<std::filesystem::path> example_files() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(VYRE_SOURCE_DIR "/examples")) {
    if (entry.path().extension() == ".vy") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Sizes that give partial tail workgroups in every dimension.
const std::map<std::string, std::uint64_t> kSizes = {
    {"n", 1000}, {"g", 4}, {"w", 37}, {"h", 23}, {"m", 19}, {"k", 21}, {"cols", 45}, {"rows", 29}};

class ExampleTest : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(ExampleTest, MatchesReferenceBackend) {
  VYRE_REQUIRE_OPENCL();
  const std::string text = read(GetParam());
  auto program = ir::parse_program(text);
  ASSERT_TRUE(program.ok()) << render(program.error());

  std::map<std::string, Scalar> params;
  if (program->data().name == "mandelbrot") {  // a view that has both fast and slow escapes
    params = {
        {"x0", Scalar::f32(-2.0f)}, {"y0", Scalar::f32(-1.2f)}, {"scale", Scalar::f32(0.07f)}};
  }
  Bindings expected = make_bindings(*program, kSizes, 42, params);
  Bindings actual = make_bindings(*program, kSizes, 42, params);

  Status ref = run(*reference_backend(), *program, expected);
  ASSERT_TRUE(ref.ok()) << render(ref.error());
  Status ocl = run(*opencl_backend(), *program, actual);
  ASSERT_TRUE(ocl.ok()) << render(ocl.error());

  const auto& buffers = program->data().buffers;
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    if (!ir::can_write(buffers[i].access)) continue;
    std::string mismatch = compare_buffers(expected.buffers[i], actual.buffers[i], 0);
    EXPECT_EQ(mismatch, "") << "buffer `" << buffers[i].name << "` of " << GetParam().filename();
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleTest, ::testing::ValuesIn(example_files()),
                         [](const ::testing::TestParamInfo<std::filesystem::path>& param) {
                           return param.param.stem().string();
                         });

}  // namespace
}  // namespace vyre::testing
