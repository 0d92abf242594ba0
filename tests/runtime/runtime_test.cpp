// The runtime facade: input validation diagnostics, size inference, output allocation, launch
// geometry and its limits, async runs with timeouts, and the run report.
#include "vyre/runtime/runtime.h"

#include <gtest/gtest.h>

#include <thread>

#include "runtime/run_support.h"
#include "runtime/stub_backend.h"
#include "vyre/diag/codes.h"
#include "vyre/runtime/launch.h"

namespace vyre {
namespace {

using testing::example;
using testing::on_reference;
using testing::output;
using testing::parse;
using testing::run_ok;
using testing::runtime;

HostBuffer floats(std::size_t n, float v = 1.0f) {
  return HostBuffer::of(ir::Type::F32, std::vector<float>(n, v));
}

RunInputs saxpy_inputs(std::size_t nx, std::size_t ny) {
  RunInputs in;
  in.params["a"] = Scalar::f32(2.0f);
  in.buffers["x"] = floats(nx);
  in.buffers["y"] = floats(ny);
  return in;
}

Diagnostic run_error(const ir::Program& program, RunInputs inputs, DispatchConfig config = {}) {
  auto result = runtime().run(program, std::move(inputs), on_reference(std::move(config)));
  EXPECT_FALSE(result.ok());
  if (result.ok()) return {};
  EXPECT_FALSE(result.error().help.empty()) << "every diagnostic has a help line";
  return result.error();
}

TEST(RuntimeInputs, MissingReadBuffer) {
  RunInputs in = saxpy_inputs(10, 10);
  in.buffers.erase("x");
  Diagnostic d = run_error(example("saxpy"), std::move(in));
  EXPECT_EQ(d.code, code::MissingInput);
  EXPECT_NE(d.message.find("`x`"), std::string::npos);
  EXPECT_NE(d.help.find("--in x="), std::string::npos);
}

TEST(RuntimeInputs, MissingParam) {
  RunInputs in = saxpy_inputs(10, 10);
  in.params.clear();
  Diagnostic d = run_error(example("saxpy"), std::move(in));
  EXPECT_EQ(d.code, code::MissingInput);
  EXPECT_NE(d.help.find("--param a="), std::string::npos);
}

TEST(RuntimeInputs, UnknownName) {
  RunInputs in = saxpy_inputs(10, 10);
  in.buffers["z"] = floats(10);
  Diagnostic d = run_error(example("saxpy"), std::move(in));
  EXPECT_EQ(d.code, code::UnknownInput);
  EXPECT_NE(d.help.find("x, y, a (param)"), std::string::npos);

  RunInputs swapped = saxpy_inputs(10, 10);
  swapped.buffers["a"] = floats(1);
  d = run_error(example("saxpy"), std::move(swapped));
  EXPECT_EQ(d.code, code::UnknownInput);
  EXPECT_NE(d.help.find("param"), std::string::npos);
}

TEST(RuntimeInputs, WrongElementType) {
  RunInputs in = saxpy_inputs(10, 10);
  in.buffers["x"] = HostBuffer::of(ir::Type::F64, std::vector<double>(10, 1.0));
  Diagnostic d = run_error(example("saxpy"), std::move(in));
  EXPECT_EQ(d.code, code::InputTypeMismatch);
  EXPECT_NE(d.message.find("declared f32"), std::string::npos);
  EXPECT_NE(d.message.find("f64"), std::string::npos);

  RunInputs param = saxpy_inputs(10, 10);
  param.params["a"] = Scalar::i32(2);
  d = run_error(example("saxpy"), std::move(param));
  EXPECT_EQ(d.code, code::InputTypeMismatch);
}

TEST(RuntimeInputs, MismatchedLengthsForOneSymbol) {
  Diagnostic d = run_error(example("saxpy"), saxpy_inputs(10, 12));
  EXPECT_EQ(d.code, code::InconsistentSize);
  EXPECT_NE(d.message.find("`y`"), std::string::npos);
  EXPECT_NE(d.message.find("`x`"), std::string::npos);
}

TEST(RuntimeInputs, ExplicitSizeDisagreesWithInput) {
  DispatchConfig config;
  config.sizes["n"] = 11;
  Diagnostic d = run_error(example("saxpy"), saxpy_inputs(10, 10), config);
  EXPECT_EQ(d.code, code::InconsistentSize);
  EXPECT_NE(d.message.find("--size n=11"), std::string::npos);
}

TEST(RuntimeInputs, WrongLengthForAFixedCount) {
  RunInputs in;
  in.buffers["data"] = HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>(100, 1));
  in.buffers["bins"] = HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>(255, 0));
  Diagnostic d = run_error(example("histogram"), std::move(in));
  EXPECT_EQ(d.code, code::InputSizeMismatch);
  EXPECT_NE(d.message.find("255 elements"), std::string::npos);
  EXPECT_NE(d.help.find("exactly 256"), std::string::npos);
}

TEST(RuntimeInputs, ProductOfSymbolsNeedsExplicitSizes) {
  RunInputs in;
  in.buffers["a"] = floats(6);
  in.buffers["b"] = floats(6);
  Diagnostic d = run_error(example("matmul"), std::move(in));
  EXPECT_EQ(d.code, code::UnresolvedSize);
  EXPECT_NE(d.help.find("--size"), std::string::npos);

  DispatchConfig config;
  config.sizes = {{"m", 2}, {"k", 3}, {"n", 2}};
  RunInputs ok;
  ok.buffers["a"] = floats(6);
  ok.buffers["b"] = floats(6);
  auto c = output<float>(run_ok(example("matmul"), std::move(ok), config), "c");
  EXPECT_EQ(c, std::vector<float>(4, 3.0f));
}

TEST(RuntimeInputs, UnknownSizeSymbol) {
  DispatchConfig config;
  config.sizes["q"] = 3;
  Diagnostic d = run_error(example("saxpy"), saxpy_inputs(10, 10), config);
  EXPECT_EQ(d.code, code::UnknownInput);
}

TEST(RuntimeInputs, ReadWriteBufferNotGivenStartsZeroed) {
  RunInputs in;
  in.params["a"] = Scalar::f32(3.0f);
  in.buffers["x"] = floats(5, 2.0f);
  auto y = output<float>(run_ok(example("saxpy"), std::move(in)), "y");
  EXPECT_EQ(y, std::vector<float>(5, 6.0f));
}

TEST(RuntimeInputs, MaxOutputBytes) {
  DispatchConfig config;
  config.max_output_bytes = 39;
  Diagnostic d = run_error(example("saxpy"), saxpy_inputs(10, 10), config);
  EXPECT_EQ(d.code, code::OutputTooLarge);
  EXPECT_NE(d.message.find("40 bytes"), std::string::npos);
  config.max_output_bytes = 40;
  EXPECT_NO_THROW(run_ok(example("saxpy"), saxpy_inputs(10, 10), config));
}

TEST(RuntimeInputs, OnlyWritableBuffersAreOutputs) {
  auto result = run_ok(example("saxpy"), saxpy_inputs(3, 3));
  EXPECT_EQ(result.outputs.size(), 1u);
  EXPECT_EQ(result.outputs.count("y"), 1u);
}

TEST(RuntimeInputs, EmptyInputRunsNothing) {
  auto result = run_ok(example("saxpy"), saxpy_inputs(0, 0));
  EXPECT_EQ(result.outputs.at("y").count(), 0u);
  EXPECT_EQ(result.report.geometry.groups[0], 0u);
}

// ---- launch geometry ----------------------------------------------------------------------

TEST(RuntimeLaunch, GeometryFromDispatchSizes) {
  auto program = example("mandelbrot");
  // Size symbols in first-appearance order: the kernel's dispatch(w, h).
  std::vector<std::uint64_t> sizes(program->size_symbols.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    sizes[i] = program->size_symbols[i] == "w" ? 100 : 33;
  }
  auto g = derive_geometry(program, {16, 16, 1}, sizes, {});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->groups, (std::array<std::uint64_t, 3>{7, 3, 1}));
  EXPECT_EQ(g->invocations(), 7u * 3u * 256u);
}

TEST(RuntimeLaunch, GeometryFromFirstWritableBufferAndOverride) {
  auto program = example("saxpy");
  auto g = derive_geometry(program, {256, 1, 1}, {1000}, {});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->groups, (std::array<std::uint64_t, 3>{4, 1, 1}));
  DispatchConfig config;
  config.grid_override = std::array<std::uint64_t, 3>{2, 1, 1};
  g = derive_geometry(program, {256, 1, 1}, {1000}, config);
  EXPECT_EQ(g->groups, (std::array<std::uint64_t, 3>{2, 1, 1}));
}

TEST(RuntimeLaunch, WorkgroupOverLimitNamesTheLimit) {
  DispatchConfig config;
  config.workgroup_override = std::array<std::uint32_t, 3>{2048, 1, 1};
  Diagnostic d = run_error(example("saxpy"), saxpy_inputs(10, 10), config);
  EXPECT_EQ(d.code, code::WorkgroupTooLarge);
  EXPECT_NE(d.message.find("max_workgroup_size.x = 1024"), std::string::npos);

  config.workgroup_override = std::array<std::uint32_t, 3>{64, 32, 1};
  d = run_error(example("saxpy"), saxpy_inputs(10, 10), config);
  EXPECT_EQ(d.code, code::WorkgroupTooLarge);
  EXPECT_NE(d.message.find("max_workgroup_invocations = 1024"), std::string::npos);
}

struct LimitedFixture {
  BackendRegistry registry;
  std::shared_ptr<testing::FakeBackend> small;
  Runtime runtime{registry};

  LimitedFixture() {
    Capabilities caps = testing::full_capabilities();
    caps.max_groups = {8, 4, 4};
    caps.max_shared_bytes = 1024;
    caps.max_buffer_bytes = 4000;
    small = std::make_shared<testing::FakeBackend>("small", caps, std::vector<std::string>{});
    EXPECT_TRUE(registry.add(testing::provider_of("small", 1, small)).ok());
  }
};

TEST(RuntimeLaunch, TooManyGroupsNamesTheLimit) {
  LimitedFixture f;
  auto result = f.runtime.run(example("saxpy"), saxpy_inputs(900, 900));  // 4 groups: fine
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(f.small->dispatches.load(), 1);
  DispatchConfig config;
  config.grid_override = std::array<std::uint64_t, 3>{9, 1, 1};
  result = f.runtime.run(example("saxpy"), saxpy_inputs(900, 900), config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code::TooManyGroups);
  EXPECT_NE(result.error().message.find("max_groups.x = 8"), std::string::npos);
  EXPECT_EQ(f.small->dispatches.load(), 1);  // never dispatched
}

// The launch is validated before the pipeline is obtained: a grid the backend cannot launch
// (here 2^32 groups in total, each dimension within its own limit) never costs a compile.
TEST(RuntimeLaunch, AGridOverTheTotalLimitNeverCompiles) {
  BackendRegistry registry;
  Capabilities caps = testing::full_capabilities();
  caps.max_groups = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
  auto wide = std::make_shared<testing::FakeBackend>("wide", caps, std::vector<std::string>{});
  ASSERT_TRUE(registry.add(testing::provider_of("wide", 1, wide)).ok());
  Runtime runtime{registry};
  DispatchConfig config;
  config.label = "grid-total-probe";
  config.grid_override = std::array<std::uint64_t, 3>{65536, 65536, 1};
  auto result = runtime.run(example("saxpy"), saxpy_inputs(900, 900), config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code::TooManyGroupsInTotal);
  EXPECT_NE(result.error().message.find("wide's max_total_groups = 4294967295"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(wide->compiles.load(), 0);
  EXPECT_EQ(wide->dispatches.load(), 0);
}

// A dispatch that passed validation and then failed in the backend reaches the caller as the
// backend's diagnostic, with the run's label.
TEST(RuntimeLaunch, ABackendsDispatchFailureReachesTheCaller) {
  BackendRegistry registry;
  auto failing = std::make_shared<testing::FakeBackend>("failing", testing::full_capabilities(),
                                                        std::vector<std::string>{});
  failing->fail_dispatch = true;
  ASSERT_TRUE(registry.add(testing::provider_of("failing", 1, failing)).ok());
  Runtime runtime{registry};
  DispatchConfig config;
  config.label = "labelled-run";
  auto result = runtime.run(example("saxpy"), saxpy_inputs(900, 900), config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code::DispatchFailed);
  bool labelled = false;
  for (const Note& note : result.error().notes) {
    labelled = labelled || note.message == "run label: labelled-run";
  }
  EXPECT_TRUE(labelled);
  EXPECT_EQ(failing->dispatches.load(), 1);
}

TEST(RuntimeLaunch, BufferOverLimitNamesTheLimit) {
  LimitedFixture f;
  auto result = f.runtime.run(example("saxpy"), saxpy_inputs(1001, 1001));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code::BufferTooLarge);
  EXPECT_NE(result.error().message.find("max_buffer_bytes = 4000"), std::string::npos);
}

TEST(RuntimeLaunch, SharedMemoryOverLimit) {
  LimitedFixture f;
  DispatchConfig config;
  config.sizes = {{"m", 2}, {"n", 2}, {"k", 2}};
  RunInputs in;
  in.buffers["a"] = floats(4);
  in.buffers["b"] = floats(4);
  // Routing already refuses a backend whose shared memory is too small.
  auto result = f.runtime.run(example("matmul"), std::move(in), config);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code::NoSuitableBackend);
  ASSERT_FALSE(result.error().notes.empty());
  EXPECT_NE(result.error().notes[0].message.find("2048 shared bytes"), std::string::npos);
}

// Routing refuses such a backend before a run gets this far (see above); validate_launch is
// the contract's own check for callers that pick a backend themselves.
TEST(RuntimeLaunch, ValidateLaunchRefusesSharedMemoryOverTheBackendLimit) {
  LimitedFixture f;
  auto program = example("matmul");
  LaunchGeometry geometry;
  geometry.workgroup = {16, 16, 1};
  geometry.groups = {1, 1, 1};
  Status s = validate_launch(program, geometry, Bindings{}, *f.small);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code::SharedMemoryOverLimit);
  EXPECT_NE(s.error().message.find("declares 2048 bytes of shared memory"), std::string::npos)
      << s.error().message;
  EXPECT_NE(s.error().message.find("small's max_shared_bytes = 1024"), std::string::npos)
      << s.error().message;
  EXPECT_FALSE(s.error().help.empty());
}

// ---- size overflow ------------------------------------------------------------------------

constexpr std::uint64_t kMaxSize = UINT32_MAX;

TEST(RuntimeSizes, ElementCountOverflowingSixtyFourBits) {
  auto program = parse(R"(kernel cube workgroup(64) {
  buffer y: write u32[a*b*c]
  y[global_id.x] = 1u
})");
  DispatchConfig config;
  config.sizes = {{"a", kMaxSize}, {"b", kMaxSize}, {"c", kMaxSize}};
  Diagnostic d = run_error(program, {}, config);
  EXPECT_EQ(d.code, code::SizeOverflow);
  EXPECT_NE(d.message.find("the count a*b*c of buffer `y` overflows 64 bits"), std::string::npos)
      << d.message;
}

TEST(RuntimeSizes, ByteSizeOverflowingSixtyFourBits) {
  // (2^32 - 1)^2 elements fit in 64 bits; eight bytes each do not.
  auto program = parse(R"(kernel square workgroup(64) {
  buffer y: write f64[a*b]
  y[global_id.x] = 1.0
})");
  DispatchConfig config;
  config.sizes = {{"a", kMaxSize}, {"b", kMaxSize}};
  Diagnostic d = run_error(program, {}, config);
  EXPECT_EQ(d.code, code::SizeOverflow);
  EXPECT_NE(d.message.find("buffer `y` would need more than 2^64 bytes"), std::string::npos)
      << d.message;
}

TEST(RuntimeSizes, SizeSymbolOverU32) {
  DispatchConfig config;
  config.sizes = {{"n", kMaxSize + 1}};
  Diagnostic d = run_error(example("saxpy"), saxpy_inputs(0, 0), config);
  EXPECT_EQ(d.code, code::SizeOverflow);
  EXPECT_NE(d.message.find("size n = 4294967296 does not fit u32"), std::string::npos) << d.message;
  EXPECT_NE(d.help.find("4294967295"), std::string::npos) << d.help;
}

TEST(RuntimeSizes, ThreadCountOverflowingSixtyFourBits) {
  // No buffer is sized by the product, so only the launch geometry meets it.
  auto program = parse(R"(kernel wide workgroup(64) dispatch(a*b*c) {
  buffer out: write u32[1]
  if global_id.x == 0u { out[0] = a }
})");
  DispatchConfig config;
  config.sizes = {{"a", kMaxSize}, {"b", kMaxSize}, {"c", kMaxSize}};
  Diagnostic d = run_error(program, {}, config);
  EXPECT_EQ(d.code, code::SizeOverflow);
  EXPECT_NE(d.message.find("thread count a*b*c overflows"), std::string::npos) << d.message;
}

// ---- async ----------------------------------------------------------------------------------

constexpr std::string_view kSpin = R"(
kernel spin workgroup(1) {
  param limit: u32
  buffer out: write u32[1]
  var i = 0u
  while i < limit max 4000000000 {
    i = i + 1u
  }
  out[0] = i
})";

TEST(RuntimeAsync, WaitTimesOutThenCompletes) {
  RunInputs in;
  in.params["limit"] = Scalar::u32(3000000);
  RunHandle handle = runtime().run_async(parse(kSpin), std::move(in), on_reference());
  Status early = handle.wait(std::chrono::milliseconds(1));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, code::DispatchTimeout);
  EXPECT_NE(early.error().message.find("1 ms"), std::string::npos);
  EXPECT_FALSE(handle.ready());
  EXPECT_EQ(handle.report().backend, "reference");
  Status done = handle.wait();  // forever
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_TRUE(handle.ready());
  auto result = handle.get();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(output<std::uint32_t>(*result, "out")[0], 3000000u);
  EXPECT_GT(result->report.timings.dispatch_ms, 0.0);
  auto again = handle.get();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, code::RunNotFinished);
}

TEST(RuntimeAsync, RunWithTimeoutReturnsTheTimeoutAndCancels) {
  RunInputs in;
  in.params["limit"] = Scalar::u32(4000000000u);  // far longer than the test
  DispatchConfig config;
  config.timeout = std::chrono::milliseconds(5);
  auto start = std::chrono::steady_clock::now();
  auto result = runtime().run(parse(kSpin), std::move(in), on_reference(config));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code::DispatchTimeout);
  // Dropping the handle cancelled the dispatch instead of waiting 4e9 iterations.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(RuntimeAsync, ErrorsBeforeDispatchAreReportedByTheHandle) {
  RunHandle handle = runtime().run_async(example("saxpy"), {}, on_reference());
  EXPECT_TRUE(handle.ready());
  Status s = handle.wait(std::chrono::milliseconds(1));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code::MissingInput);
}

TEST(RuntimeAsync, ManyRunsInParallel) {
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      RunInputs in;
      in.params["a"] = Scalar::f32(static_cast<float>(t));
      in.buffers["x"] = floats(1000, 1.0f);
      in.buffers["y"] = floats(1000, 1.0f);
      auto r = runtime().run(example("saxpy"), std::move(in), on_reference());
      if (r.ok() && output<float>(*r, "y")[999] == static_cast<float>(t) + 1.0f) ++good;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 4);
}

// ---- report ---------------------------------------------------------------------------------

TEST(RuntimeReport, SaysWhatRanWhereAndHow) {
  auto result = run_ok(example("saxpy"), saxpy_inputs(1000, 1000));
  const RunReport& r = result.report;
  EXPECT_EQ(r.program, "saxpy");
  EXPECT_EQ(r.backend, "reference");
  EXPECT_EQ(r.backend_why, "explicitly requested");
  EXPECT_FALSE(r.cache_outcome.empty());
  EXPECT_EQ(r.sizes.at("n"), 1000u);
  EXPECT_EQ(r.geometry.workgroup, (std::array<std::uint32_t, 3>{256, 1, 1}));
  EXPECT_GE(r.timings.total_ms, r.timings.dispatch_ms);
}

TEST(RuntimeReport, AutomaticRoutingExplainsTheChoice) {
  auto result = runtime().run(example("saxpy"), saxpy_inputs(10, 10), {});
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_FALSE(result->report.backend.empty());
  EXPECT_FALSE(result->report.backend_why.empty());
}

}  // namespace
}  // namespace vyre
