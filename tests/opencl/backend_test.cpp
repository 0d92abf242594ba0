// The OpenCL backend's own behaviour: device selection, registry wiring, build failures shown
// at the generated line, serialize/load and rejection of bad bytes, zero-length buffers,
// timeouts, concurrent dispatch, and a missing platform reported as a diagnostic.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "opencl_fixture.h"
#include "vyre/backends/builtin.h"
#include "vyre/backends/opencl/backend.h"
#include "vyre/ir/ops.h"
#include "vyre/registry/backend_registry.h"
#include "vyre/runtime/launch.h"

namespace vyre::testing {
namespace {

const char* kSaxpy = R"(kernel saxpy workgroup(64) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
})";

class OpenClBackendTest : public ::testing::Test {
 protected:
  void SetUp() override { VYRE_REQUIRE_OPENCL(); }
  Backend& backend() { return *opencl_backend(); }
};

TEST_F(OpenClBackendTest, ReportsDeviceCapabilitiesAndFingerprint) {
  const Capabilities& caps = backend().capabilities();
  EXPECT_GE(caps.max_workgroup_invocations, 64u);
  EXPECT_GT(caps.max_shared_bytes, 0u);
  EXPECT_GT(caps.max_buffer_bytes, 0u);
  EXPECT_TRUE(caps.supports(ir::Type::F32));
  const DeviceFingerprint& fp = backend().fingerprint();
  EXPECT_FALSE(fp.vendor.empty());
  EXPECT_FALSE(fp.device.empty());
  EXPECT_NE(fp.driver.find("driver"), std::string::npos);
  EXPECT_NE(fp.compiler.find("vyre-codegen-c"), std::string::npos);
  std::printf("OpenCL device: %s\n", fp.describe().c_str());
}

TEST_F(OpenClBackendTest, SelectsDevicesByIndexAndName) {
  auto by_index = opencl::make_opencl_backend({.device = "0:0"});
  EXPECT_TRUE(by_index.ok()) << (by_index.ok() ? "" : render(by_index.error()));
  std::string vendor = backend().fingerprint().vendor;
  std::string part = vendor.substr(0, std::min<std::size_t>(vendor.size(), 8));
  for (char& c : part) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto by_name = opencl::make_opencl_backend({.device = part});
  EXPECT_TRUE(by_name.ok()) << (by_name.ok() ? "" : render(by_name.error()));
  auto missing = opencl::make_opencl_backend({.device = "no-such-device-anywhere"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "VY6002");
  EXPECT_FALSE(missing.error().notes.empty());
  auto bad_index = opencl::make_opencl_backend({.device = "7:9"});
  ASSERT_FALSE(bad_index.ok());
  EXPECT_EQ(bad_index.error().code, "VY6002");
}

TEST_F(OpenClBackendTest, RegistersWithTheBuiltinRegistry) {
  BackendRegistry registry;
  ASSERT_TRUE(register_builtin_backends(registry).ok());
  ASSERT_TRUE(registry.has("opencl"));
  auto acquired = registry.acquire("opencl");
  ASSERT_TRUE(acquired.ok()) << render(acquired.error());
  auto ops = (*acquired)->supported_ops();
  EXPECT_NE(std::find(ops.begin(), ops.end(), "sqrt"), ops.end());
  EXPECT_NE(std::find(ops.begin(), ops.end(), "ctz"), ops.end());
}

TEST_F(OpenClBackendTest, BuildFailureShowsTheGeneratedLine) {
  ASSERT_TRUE(ir::OpRegistry::global().add("vyre_test_broken", ir::OpSignature::FloatUnary, true,
                                           "an op whose OpenCL lowering does not compile"));
  // A syntax error, so every OpenCL compiler (PoCL's clang, NVIDIA's front end) names the line;
  // an undefined function would only fail at NVIDIA's link step, which has no line.
  // The lowering is this backend instance's own: the shared test backend never sees it.
  opencl::OpenClBackendOptions options;
  options.extra_lowerings = {{"vyre_test_broken", "(({0}) + * vyre_broken)"}};
  auto broken_backend = opencl::make_opencl_backend(options);
  ASSERT_TRUE(broken_backend.ok()) << render(broken_backend.error());
  auto ops = (*broken_backend)->supported_ops();
  EXPECT_NE(std::find(ops.begin(), ops.end(), "vyre_test_broken"), ops.end());
  ops = backend().supported_ops();
  EXPECT_EQ(std::find(ops.begin(), ops.end(), "vyre_test_broken"), ops.end());
  auto program = parse(R"(kernel broken workgroup(1) {
    buffer x: read_write f32[4]
    x[0u] = vyre_test_broken(x[1u])
  })");
  auto pipeline = (*broken_backend)->compile(program, {});
  ASSERT_FALSE(pipeline.ok());
  const Diagnostic& d = pipeline.error();
  EXPECT_EQ(d.code, "VY4101");  // KernelBuildFailed (was VY6003)
  EXPECT_NE(d.message.find("generated line"), std::string::npos) << d.message;
  bool quoted = false;
  for (const Note& note : d.notes) {
    quoted = quoted || (note.message.find("| ") != std::string::npos &&
                        note.message.find("vyre_broken") != std::string::npos);
  }
  EXPECT_TRUE(quoted) << render(d);
}

// The contract suite (tests/contract) covers empty, truncated, bad-magic, other-program and
// other-workgroup bytes for every backend; these are the OpenCL binary's own cases.
TEST_F(OpenClBackendTest, LoadRejectsBytesItCannotUse) {
  auto program = parse(kSaxpy);
  auto compiled = backend().compile(program, {});
  ASSERT_TRUE(compiled.ok());
  std::vector<std::uint8_t> bytes = *backend().serialize(**compiled);

  auto expect_rejected = [&](std::span<const std::uint8_t> b, const ir::Program& p,
                             DispatchConfig config, std::string_view why) {
    auto loaded = backend().load(p, config, b);
    ASSERT_FALSE(loaded.ok()) << why;
    EXPECT_EQ(loaded.error().code, "VY4019") << why << ": " << render(loaded.error());
  };
  std::vector<std::uint8_t> garbage = bytes;
  for (std::size_t i = garbage.size() - std::min<std::size_t>(garbage.size() - 80, 4096);
       i < garbage.size(); ++i) {
    garbage[i] = static_cast<std::uint8_t>(i * 131);
  }
  expect_rejected(garbage, program, {}, "garbage binary");
  std::vector<std::uint8_t> longer = bytes;
  longer.push_back(0);
  expect_rejected(longer, program, {}, "trailing byte");
  DispatchConfig tighter;
  tighter.ulp_budget = 1;
  expect_rejected(bytes, program, tighter, "another ULP budget");
}

// A buffer over CL_DEVICE_MAX_MEM_ALLOC_SIZE: the runtime refuses it (VY4016) before it
// obtains a pipeline, and so does the contract for a caller that dispatches on the backend
// directly: the OpenCL allocation is never attempted.
TEST_F(OpenClBackendTest, BufferOverTheAllocationLimitIsRefusedBeforeTheDevice) {
  const std::uint64_t limit = backend().capabilities().max_buffer_bytes;
  constexpr std::uint64_t kAffordable = std::uint64_t{4} << 30;
  if (limit >= kAffordable) {
    GTEST_SKIP() << "the device allows single allocations of " << limit
                 << " bytes; a host buffer above that is too large for a unit test";
  }
  auto program = parse(R"(kernel fill workgroup(64) {
    buffer y: write u32[n]
    let i = global_id.x
    if i < len(y) { y[i] = i }
  })");
  const std::uint64_t count = limit / 4 + 1;  // one element over the limit
  Bindings b;
  b.buffers.emplace_back(ir::Type::U32, static_cast<std::size_t>(count));  // no copy
  b.sizes = {count};
  LaunchGeometry g = geometry_for(program, b, {64, 1, 1});

  Status refused = validate_launch(program, g, b, backend());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "VY4016");

  Status s = run(backend(), program, b);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "VY4016") << render(s.error());
  EXPECT_NE(s.error().message.find("buffer `y` has " + std::to_string(count * 4) + " bytes"),
            std::string::npos)
      << s.error().message;
  EXPECT_FALSE(s.error().help.empty());
}

// With OCL_ICD_VENDORS pointing at an empty folder the ICD loader finds no platform. The loader
// reads it once per process, so the check runs in a child process (this binary, filtered to the
// ChildProcess test below).
TEST(OpenClUnavailable, MissingPlatformIsADiagnostic) {
  std::filesystem::path empty = std::filesystem::temp_directory_path() / "vyre-no-icd";
  std::filesystem::create_directories(empty);
  std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  // OCL_ICD_FILENAMES would name ICDs directly, bypassing the vendors folder: clear it too.
  std::string command = "env -u OCL_ICD_FILENAMES OCL_ICD_VENDORS=" + empty.string() +
                        " VYRE_OPENCL_CHILD=1 " + exe +
                        " --gtest_filter=OpenClUnavailable.ChildProcess 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char chunk[512];
  while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) output += chunk;
  int status = pclose(pipe);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("VY4003"), std::string::npos) << output;  // was VY6001
  EXPECT_NE(output.find("[  PASSED  ] 1 test"), std::string::npos) << output;
}

TEST(OpenClUnavailable, ChildProcess) {
  if (std::getenv("VYRE_OPENCL_CHILD") == nullptr) GTEST_SKIP() << "runs only as a child process";
  Status probe = opencl::probe_opencl();
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.error().code, "VY4003");
  std::printf("probe: %s\n", render(probe.error()).c_str());
  auto backend = opencl::make_opencl_backend();
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.error().code, "VY4003");
  BackendRegistry registry;
  ASSERT_TRUE(register_builtin_backends(registry).ok());
  auto acquired = registry.acquire("opencl");
  EXPECT_FALSE(acquired.ok());
}

}  // namespace
}  // namespace vyre::testing
