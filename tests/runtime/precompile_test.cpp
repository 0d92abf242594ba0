// Runtime::precompile: routes every program, sends each backend's misses to one compile_many,
// and leaves the pipelines in the cache so a later run() is a memory hit.
#include <gtest/gtest.h>

#include "program_pointers.h"
#include "runtime/run_support.h"
#include "runtime/stub_backend.h"
#include "vyre/diag/codes.h"
#include "vyre/runtime/runtime.h"

namespace vyre {
namespace {

using testing::FakeBackend;
using testing::full_capabilities;
using testing::kSineKernel;
using testing::parse;
using testing::program_pointers;
using testing::provider_of;

// A kernel whose digest differs by `scale`; `name` names it (FakeBackend fails one by name).
ir::Program scaled(const std::string& name, int scale) {
  return parse("kernel " + name + " workgroup(64) {\n  buffer y: read_write u32[n]\n" +
               "  let i = global_id.x\n  if i < n {\n    y[i] = y[i] * " + std::to_string(scale) +
               "u\n  }\n}\n");
}

struct PrecompileFixture {
  BackendRegistry registry;
  std::shared_ptr<FakeBackend> fast = std::make_shared<FakeBackend>(
      "fast", full_capabilities(), std::vector<std::string>{});  // no ops: cannot run sin()
  std::shared_ptr<FakeBackend> slow =
      std::make_shared<FakeBackend>("slow", full_capabilities(), std::vector<std::string>{"sin"});
  std::shared_ptr<pipeline::PipelineCache> cache =
      pipeline::PipelineCache::open(pipeline::PipelineCacheOptions{}).value();
  Runtime runtime{registry, cache};

  PrecompileFixture() {
    EXPECT_TRUE(registry.add(provider_of("fast", 50, fast)).ok());
    EXPECT_TRUE(registry.add(provider_of("slow", 10, slow)).ok());
  }
};

RunInputs eight_zeros() {
  RunInputs in;
  in.buffers["y"] = HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>(8, 0));
  return in;
}

TEST(Precompile, GroupsByRoutedBackendAndCompilesEachGroupInOneCall) {
  PrecompileFixture f;
  std::vector<ir::Program> programs = {scaled("a", 2), parse(kSineKernel), scaled("b", 3),
                                       scaled("c", 5)};
  auto results = f.runtime.precompile(program_pointers(programs));
  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(results[0]->backend, "fast");
  EXPECT_EQ(results[1]->backend, "slow");  // only `slow` lowers sin()
  EXPECT_EQ(results[2]->backend, "fast");
  EXPECT_EQ(results[0]->cache.tier, pipeline::CacheTier::Compiled);
  EXPECT_EQ(results[0]->cache.batch_size, 3u);
  EXPECT_EQ(f.fast->compile_many_calls, 1);
  EXPECT_EQ(f.fast->last_batch, 3u);
  EXPECT_EQ(f.slow->compile_many_calls, 1);
  EXPECT_EQ(f.slow->last_batch, 1u);

  // A later run of the same program and config is a memory hit: nothing compiles again.
  auto run = f.runtime.run(programs[2], eight_zeros(), DispatchConfig{});
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->report.backend, "fast");
  ASSERT_TRUE(run->report.cache);
  EXPECT_EQ(run->report.cache->tier, pipeline::CacheTier::Memory);
  EXPECT_EQ(f.fast->compiles, 3);

  // Precompiling again finds everything cached and calls no compiler.
  results = f.runtime.precompile(program_pointers(programs));
  for (const auto& r : results) EXPECT_EQ(r->cache.tier, pipeline::CacheTier::Memory);
  EXPECT_EQ(f.fast->compile_many_calls, 1);
  EXPECT_EQ(f.slow->compile_many_calls, 1);
}

TEST(Precompile, RespectsAllowedBackends) {
  PrecompileFixture f;
  std::vector<ir::Program> programs = {scaled("a", 2), scaled("b", 3)};
  DispatchConfig config;
  config.allowed_backends = {"slow"};
  auto results = f.runtime.precompile(program_pointers(programs), config);
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->backend, "slow");
  }
  EXPECT_EQ(f.fast->compile_many_calls, 0);
  EXPECT_EQ(f.slow->last_batch, 2u);
}

TEST(Precompile, AFailingProgramGetsItsErrorAndTheOthersCompile) {
  PrecompileFixture f;
  f.fast->fail_program = "bad";
  std::vector<ir::Program> programs = {scaled("a", 2), scaled("bad", 3), scaled("c", 5),
                                       parse(kSineKernel)};
  DispatchConfig config;
  config.allowed_backends = {"fast"};  // sin() cannot be routed there
  auto results = f.runtime.precompile(program_pointers(programs), config);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok());
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().code, code::BackendLacksFeature);
  EXPECT_NE(results[1].error().message.find("`bad`"), std::string::npos);
  EXPECT_TRUE(results[2].ok());
  ASSERT_FALSE(results[3].ok());
  EXPECT_EQ(results[3].error().code, code::BackendLacksFeature);  // the routing error
  EXPECT_EQ(f.fast->compile_many_calls, 1);
  EXPECT_EQ(f.fast->last_batch, 3u);
  // The good ones are cached; the bad one is not, and fails again when run.
  auto good = f.runtime.run(programs[2], eight_zeros(), config);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->report.cache->tier, pipeline::CacheTier::Memory);
  auto bad = f.runtime.run(programs[1], eight_zeros(), config);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, code::BackendLacksFeature);
}

}  // namespace
}  // namespace vyre
