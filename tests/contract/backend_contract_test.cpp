// The backend contract suite: written once against the Backend interface and run for every
// backend the module list registers (reference, opencl, cuda, and the test-only testmod). A
// backend that cannot start here (no OpenCL platform, no GPU) is skipped with its reason, except
// the required ones (as in the conformance suite: VYRE_CONFORMANCE_REQUIRE, by default
// reference, testmod and opencl when it is built in), which fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "contract_support.h"
#include "vyre/backends/builtin.h"
#include "vyre/backends/reference.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/ops.h"

namespace vyre::contract {
namespace {

bool required(const std::string& id) {
  std::string list = "reference,testmod";
  if (const char* env = std::getenv("VYRE_CONFORMANCE_REQUIRE")) {
    list = env;
  } else {
    const auto ids = registered_backend_ids();
    if (std::find(ids.begin(), ids.end(), "opencl") != ids.end()) list += ",opencl";
  }
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (item == id) return true;
  }
  return false;
}

class BackendContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    backend_ = backend_or_reason(GetParam(), why);
    if (backend_) return;
    if (required(GetParam())) {
      FAIL() << "required backend `" << GetParam() << "` cannot start here: " << why;
    }
    GTEST_SKIP() << "backend `" << GetParam() << "` cannot start here: " << why;
  }
  Backend& backend() { return *backend_; }

  std::shared_ptr<const CompiledPipeline> compile(const ir::Program& program,
                                                  const DispatchConfig& config = {}) {
    auto pipeline = backend().compile(program, config);
    EXPECT_TRUE(pipeline.ok()) << render(pipeline.error());
    return pipeline.ok() ? *pipeline : nullptr;
  }

  // Runs kAxpy over n elements on `pipeline` and checks y.
  void expect_axpy(const CompiledPipeline& pipeline, std::uint64_t n, std::uint32_t seed = 1) {
    Bindings b = axpy_bindings(n, seed);
    const auto want = axpy_expected(b);
    Status s = backend().dispatch(pipeline, b, axpy_geometry(pipeline, n), {});
    ASSERT_TRUE(s.ok()) << render(s.error());
    EXPECT_EQ(b.buffers[1].to_vector<std::uint32_t>(), want);
  }

 private:
  std::shared_ptr<Backend> backend_;
};

TEST_P(BackendContract, IsHealthyAndDescribesItself) {
  EXPECT_EQ(backend().id(), GetParam());
  EXPECT_FALSE(backend().health().has_value());
  EXPECT_FALSE(backend().fingerprint().vendor.empty());
  EXPECT_FALSE(backend().fingerprint().device.empty());
  EXPECT_FALSE(backend().fingerprint().compiler.empty());
  const Capabilities& caps = backend().capabilities();
  EXPECT_GE(caps.max_workgroup_invocations, 64u);
  EXPECT_LE(caps.max_total_groups, std::uint64_t{UINT32_MAX});
  // Every op it claims is a registered op; it answers from its own table.
  const auto ops = backend().supported_ops();
  EXPECT_FALSE(ops.empty());
  for (const std::string& op : ops) {
    EXPECT_NE(ir::OpRegistry::global().find(op), nullptr) << op;
  }
}

TEST_P(BackendContract, RunsAProgram) {
  auto program = parse(kAxpy);
  auto pipeline = compile(program);
  ASSERT_TRUE(pipeline);
  EXPECT_EQ(pipeline->owner(), backend().instance());
  EXPECT_EQ(pipeline->workgroup(), program->workgroup);
  expect_axpy(*pipeline, 1000);
}

TEST_P(BackendContract, SerializeThenLoadRunsTheSame) {
  auto program = parse(kAxpy);
  auto pipeline = compile(program);
  ASSERT_TRUE(pipeline);
  auto bytes = backend().serialize(*pipeline);
  ASSERT_TRUE(bytes.ok()) << render(bytes.error());
  ASSERT_FALSE(bytes->empty());
  auto loaded = backend().load(program, {}, *bytes);
  ASSERT_TRUE(loaded.ok()) << render(loaded.error());
  EXPECT_EQ((*loaded)->owner(), backend().instance());
  expect_axpy(**loaded, 777, 2);
}

// load() refuses bytes it cannot use with a catalogued diagnostic (the cache then recompiles),
// and never crashes.
TEST_P(BackendContract, LoadRejectsBadBytes) {
  auto program = parse(kAxpy);
  auto pipeline = compile(program);
  ASSERT_TRUE(pipeline);
  const std::vector<std::uint8_t> good = *backend().serialize(*pipeline);
  std::vector<std::vector<std::uint8_t>> bad = {
      {},
      {good.begin(), good.begin() + 1},
      {good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)},
      {good.begin(), good.end() - 1},
  };
  bad.push_back(good);
  bad.back()[0] ^= 0xff;  // the magic
  auto other = parse(R"(kernel other workgroup(64) {
    buffer y: read_write u32[n]
    let i = global_id.x
    if i < n { y[i] = y[i] + 1u }
  })");
  for (std::size_t k = 0; k < bad.size(); ++k) {
    auto loaded = backend().load(program, {}, bad[k]);
    ASSERT_FALSE(loaded.ok()) << "case " << k << " was accepted";
    EXPECT_NE(builtin_catalogue().find_code(loaded.error().code), nullptr) << loaded.error().code;
  }
  auto wrong_program = backend().load(other, {}, good);
  ASSERT_FALSE(wrong_program.ok()) << "another program's bytes were accepted";
  DispatchConfig other_workgroup;
  other_workgroup.workgroup_override = std::array<std::uint32_t, 3>{32, 1, 1};
  EXPECT_FALSE(backend().load(program, other_workgroup, good).ok())
      << "bytes built for another workgroup size were accepted";
}

TEST_P(BackendContract, ZeroLengthBuffers) {
  auto program = parse(kAxpy);
  auto pipeline = compile(program);
  ASSERT_TRUE(pipeline);
  Bindings b = axpy_bindings(0);
  LaunchGeometry g = axpy_geometry(*pipeline, 0);
  EXPECT_EQ(g.groups[0], 0u);
  Status s = backend().dispatch(*pipeline, b, g, {});
  ASSERT_TRUE(s.ok()) << render(s.error());
  EXPECT_EQ(b.buffers[1].count(), 0u);
}

// A grid with no workgroups runs nothing and completes; the buffers keep their values.
TEST_P(BackendContract, EmptyGridCompletes) {
  auto program = parse(kAxpy);
  auto pipeline = compile(program);
  ASSERT_TRUE(pipeline);
  Bindings b = axpy_bindings(100);
  const auto before = b.buffers[1].to_vector<std::uint32_t>();
  for (const std::array<std::uint64_t, 3>& groups :
       {std::array<std::uint64_t, 3>{0, 1, 1}, std::array<std::uint64_t, 3>{1, 0, 1},
        std::array<std::uint64_t, 3>{1, 1, 0}}) {
    LaunchGeometry g;
    g.workgroup = pipeline->workgroup();
    g.groups = groups;
    Status s = backend().dispatch(*pipeline, b, g, {});
    ASSERT_TRUE(s.ok()) << render(s.error());
    EXPECT_EQ(b.buffers[1].to_vector<std::uint32_t>(), before);
  }
}

// A wait that times out is DispatchTimeout and leaves the dispatch running; waiting again
// completes it with its results. A loaded host may finish the loop before the short wait
// starts, which says nothing about the contract: then the loop runs again, ten times longer.
TEST_P(BackendContract, TimeoutThenCompletion) {
  auto program = parse(R"(kernel spin workgroup(1) dispatch(1) {
    param m: u32
    buffer out: write u32[1]
    var x = 1u
    for j in 0u..m { x = x * 1664525u + j }
    out[0u] = x
  })");
  auto pipeline = compile(program);
  ASSERT_TRUE(pipeline);
  bool timed_out = false;
  for (std::uint32_t m = 3000000u; m <= 300000000u && !timed_out; m *= 10) {
    Bindings b;
    b.buffers = {HostBuffer(ir::Type::U32, 1)};
    b.params = {Scalar::u32(m)};
    LaunchGeometry g;
    g.workgroup = pipeline->workgroup();
    auto pending = backend().dispatch_async(*pipeline, b, g, {});
    ASSERT_TRUE(pending.ok()) << render(pending.error());
    Status early = (*pending)->wait(std::chrono::microseconds(50));
    if (!early.ok()) {
      timed_out = true;
      EXPECT_EQ(early.error().code, code::DispatchTimeout);
    }
    Status done = (*pending)->wait(std::chrono::nanoseconds(0));
    ASSERT_TRUE(done.ok()) << render(done.error());
    EXPECT_TRUE((*pending)->ready());
    std::uint32_t x = 1;
    for (std::uint32_t j = 0; j < m; ++j) x = x * 1664525u + j;
    EXPECT_EQ(b.buffers[0].to_vector<std::uint32_t>()[0], x);
  }
  EXPECT_TRUE(timed_out) << "every loop, up to 300M dependent iterations, finished within 50 us";
}

TEST_P(BackendContract, ConcurrentDispatchesOnOnePipeline) {
  auto program = parse(kAxpy);
  auto pipeline = compile(program);
  ASSERT_TRUE(pipeline);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 4; ++round) {
        const std::uint64_t n = 500 + 37 * t + round;
        Bindings b = axpy_bindings(n, 10 * t + round);
        const auto want = axpy_expected(b);
        Status s = backend().dispatch(*pipeline, b, axpy_geometry(*pipeline, n), {});
        if (!s.ok() || b.buffers[1].to_vector<std::uint32_t>() != want) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// compile_many's results are index-aligned with its programs, each what compile() would give:
// one program's failure stays with it.
TEST_P(BackendContract, CompileManyIsIndexAligned) {
  static const bool registered = ir::OpRegistry::global()
                                     .add("vyre_contract_unlowered", ir::OpSignature::FloatUnary,
                                          true, "an op no backend lowers")
                                     .has_value();
  ASSERT_TRUE(registered);
  std::vector<ir::Program> programs = {
      parse(kAxpy), parse(R"(kernel twice workgroup(32) {
    buffer y: read_write u32[n]
    let i = global_id.x
    if i < n { y[i] = y[i] * 2u }
  })"),
      parse(R"(kernel unlowered workgroup(1) {
    buffer x: read_write f32[4]
    x[0u] = vyre_contract_unlowered(x[1u])
  })"),
      parse(kAxpy),  // a duplicate
  };
  std::vector<const ir::Program*> pointers;
  for (const auto& p : programs) pointers.push_back(&p);
  auto results = backend().compile_many(pointers, {});
  ASSERT_EQ(results.size(), programs.size());
  for (std::size_t i : {0u, 1u, 3u}) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << render(results[i].error());
    EXPECT_EQ((*results[i])->program().digest(), programs[i].digest()) << i;
    EXPECT_EQ((*results[i])->workgroup(), programs[i]->workgroup) << i;
    EXPECT_EQ((*results[i])->owner(), backend().instance()) << i;
  }
  ASSERT_FALSE(results[2].ok());
  EXPECT_NE(results[2].error().message.find("vyre_contract_unlowered"), std::string::npos)
      << render(results[2].error());
  expect_axpy(**results[3], 300, 3);
}

// The contract validates every dispatch before the backend sees it: the pipeline's owner, the
// bindings and the launch.
TEST_P(BackendContract, RefusesWhatDoesNotMatchThePipeline) {
  auto program = parse(kAxpy);
  auto pipeline = compile(program);
  ASSERT_TRUE(pipeline);
  auto stranger = make_reference_backend();
  CompiledPipeline foreign(*stranger, program, pipeline->workgroup());
  Bindings b = axpy_bindings(64);
  Status s = backend().dispatch(foreign, b, axpy_geometry(*pipeline, 64), {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code::BadBindings);
  EXPECT_NE(s.error().message.find("another backend instance"), std::string::npos);

  Bindings missing = b;
  missing.buffers.pop_back();
  s = backend().dispatch(*pipeline, missing, axpy_geometry(*pipeline, 64), {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code::BadBindings);

  Bindings wrong_type = b;
  wrong_type.buffers[0] = HostBuffer(ir::Type::F32, 64);
  s = backend().dispatch(*pipeline, wrong_type, axpy_geometry(*pipeline, 64), {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code::BadBindings);

  Bindings short_buffer = b;
  short_buffer.buffers[1] = HostBuffer(ir::Type::U32, 10);
  s = backend().dispatch(*pipeline, short_buffer, axpy_geometry(*pipeline, 64), {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code::BadBindings);

  LaunchGeometry other_workgroup = axpy_geometry(*pipeline, 64);
  other_workgroup.workgroup = {32, 1, 1};
  s = backend().dispatch(*pipeline, b, other_workgroup, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code::BadBindings);
}

// 2^32 or more workgroups in total is a diagnostic on every backend, even when each dimension
// is within its own limit (PoCL used to abort on such a launch).
TEST_P(BackendContract, RefusesAGridOf2To32Workgroups) {
  auto program = parse(kAxpy);
  auto pipeline = compile(program);
  ASSERT_TRUE(pipeline);
  const Capabilities& caps = backend().capabilities();
  Bindings b = axpy_bindings(64);
  LaunchGeometry g;
  g.workgroup = pipeline->workgroup();
  const std::uint64_t x = std::min<std::uint64_t>(caps.max_groups[0], UINT32_MAX);
  const std::uint64_t y = (std::uint64_t{1} << 32) / x + 1;
  ASSERT_LE(y, caps.max_groups[1]);
  g.groups = {x, y, 1};
  Status s = backend().dispatch(*pipeline, b, g, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code::TooManyGroupsInTotal) << render(s.error());
  EXPECT_NE(s.error().message.find("max_total_groups"), std::string::npos);

  g.groups = {std::uint64_t{1} << 32, 1, 1};  // also over the x dimension's own limit
  s = backend().dispatch(*pipeline, b, g, {});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().code == code::TooManyGroups || s.error().code == code::TooManyGroupsInTotal)
      << render(s.error());
}

INSTANTIATE_TEST_SUITE_P(Registered, BackendContract, ::testing::ValuesIn(registered_backend_ids()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace vyre::contract
