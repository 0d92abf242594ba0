// PipelineCache::obtain_many: hits are served per program, the misses go to one
// Backend::compile_many, each result is stored as obtain() stores it, a failing program keeps
// its own error, and the JIT policy and single-flight hold for batches too.
#include <gtest/gtest.h>

#include <barrier>

#include "pipeline/fake_backend.h"
#include "program_pointers.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/pipeline_cache.h"

namespace vyre::pipeline {
namespace {

using namespace testing;
using vyre::testing::program_pointers;

const std::string& tag_of(const std::shared_ptr<const CompiledPipeline>& p) {
  return static_cast<const FakePipeline&>(*p).tag();
}

TEST(ObtainMany, HitsAreServedAndMissesGoToOneCompileManyCall) {
  TempDir dir;
  FakeBackend backend;
  DispatchConfig config;
  std::vector<ir::Program> programs;
  for (std::uint32_t v = 1; v <= 4; ++v) programs.push_back(make_program(v));
  // k1 on disk only (compiled by an earlier cache), k2 in this cache's memory.
  ASSERT_TRUE(open_cache(options_at(dir.path()))->obtain(backend, programs[0], config).ok());
  auto cache = open_cache(options_at(dir.path()));
  ASSERT_TRUE(cache->obtain(backend, programs[1], config).ok());
  ASSERT_EQ(backend.compiles, 2);

  // k3 twice: one compile, the second waits for the first's flight.
  std::vector<const ir::Program*> batch = program_pointers(programs);
  batch.push_back(&programs[2]);
  std::vector<CacheOutcome> outcomes;
  auto results = cache->obtain_many(backend, batch, config, &outcomes);
  ASSERT_EQ(results.size(), 5u);
  ASSERT_EQ(outcomes.size(), 5u);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << i;
    EXPECT_EQ(tag_of(*results[i]), backend.expected_bytes(*batch[i], config)) << i;
  }
  EXPECT_EQ(outcomes[0].tier, CacheTier::Disk);
  EXPECT_EQ(outcomes[1].tier, CacheTier::Memory);
  EXPECT_EQ(outcomes[2].tier, CacheTier::Compiled);
  EXPECT_EQ(outcomes[3].tier, CacheTier::Compiled);
  EXPECT_EQ(outcomes[2].batch_size, 2u);
  ASSERT_TRUE(outcomes[3].miss);
  EXPECT_EQ(*outcomes[3].miss, MissReason::ProgramChanged);
  EXPECT_TRUE(outcomes[4].coalesced);
  EXPECT_EQ(results[4]->get(), results[2]->get());
  EXPECT_EQ(backend.batches, std::vector<std::size_t>{2});
  EXPECT_EQ(backend.compiles, 4);
  EXPECT_EQ(backend.loads, 1);
  Telemetry t = cache->snapshot();
  EXPECT_EQ(t.compiles, 3u);  // k2 by obtain(), k3 and k4 by the batch
  EXPECT_EQ(t.store_hits, 1u);
  EXPECT_EQ(t.coalesced, 1u);

  // Stored like obtain() stores: memory hits now, disk hits for a fresh cache.
  CacheOutcome later;
  ASSERT_TRUE(cache->obtain(backend, programs[3], config, &later).ok());
  EXPECT_EQ(later.tier, CacheTier::Memory);
  (void)cache->obtain_many(backend, program_pointers(programs), config, &outcomes);
  for (const CacheOutcome& o : outcomes) EXPECT_EQ(o.tier, CacheTier::Memory);
  EXPECT_EQ(backend.batches.size(), 1u) << "all hits: compile_many must not be called";
  auto fresh = open_cache(options_at(dir.path()));
  (void)fresh->obtain_many(backend, program_pointers(programs), config, &outcomes);
  for (const CacheOutcome& o : outcomes) EXPECT_EQ(o.tier, CacheTier::Disk);
  EXPECT_EQ(backend.compiles, 4);
}

TEST(ObtainMany, AFailingProgramGetsItsErrorAndTheOthersTheirPipelines) {
  TempDir dir;
  FakeBackend backend;
  backend.fail_program = "k7";
  auto cache = open_cache(options_at(dir.path()));
  std::vector<ir::Program> programs = {make_program(6), make_program(7), make_program(8)};
  auto results = cache->obtain_many(backend, program_pointers(programs), {});
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0].ok());
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().message, "fake compile failure");
  ASSERT_TRUE(results[2].ok());
  EXPECT_EQ(tag_of(*results[2]), backend.expected_bytes(programs[2], {}));
  Telemetry t = cache->snapshot();
  EXPECT_EQ(t.compiles, 2u);
  EXPECT_EQ(t.compile_failures, 1u);
  // A failure is not cached: the next batch compiles only k7, again.
  std::vector<CacheOutcome> outcomes;
  results = cache->obtain_many(backend, program_pointers(programs), {}, &outcomes);
  EXPECT_FALSE(results[1].ok());
  EXPECT_EQ(outcomes[0].tier, CacheTier::Memory);
  EXPECT_EQ(outcomes[1].tier, CacheTier::Compiled);
  EXPECT_EQ(backend.batches, (std::vector<std::size_t>{3, 1}));
}

TEST(ObtainMany, ForbidCompilesNothingButServesHits) {
  TempDir dir;
  FakeBackend backend;
  ir::Program cached = make_program(1);
  ir::Program uncached = make_program(2);
  ASSERT_TRUE(open_cache(options_at(dir.path()))->obtain(backend, cached, {}).ok());
  auto options = options_at(dir.path());
  options.jit = JitPolicy::Forbid;
  auto cache = open_cache(options);
  std::vector<const ir::Program*> batch = {&cached, &uncached};
  auto results = cache->obtain_many(backend, batch, {});
  ASSERT_TRUE(results[0].ok());
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().code, code::JitForbidden);
  EXPECT_TRUE(backend.batches.empty());
  EXPECT_EQ(cache->snapshot().jit_forbidden, 1u);
}

TEST(ObtainMany, OverlappingBatchesOnManyThreadsCompileEachProgramOnce) {
  TempDir dir;
  FakeBackend backend;
  backend.compile_delay = std::chrono::milliseconds(5);
  auto cache = open_cache(options_at(dir.path()));
  std::vector<ir::Program> programs;
  for (std::uint32_t v = 0; v < 12; ++v) programs.push_back(make_program(v));
  constexpr int kThreads = 6;
  std::barrier start(kThreads);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<const ir::Program*> batch;  // 8 of the 12, a different window per thread
      for (int k = 0; k < 8; ++k) batch.push_back(&programs[(t * 2 + k) % programs.size()]);
      start.arrive_and_wait();
      auto results = cache->obtain_many(backend, batch, {});
      for (std::size_t k = 0; k < batch.size(); ++k) {
        if (!results[k].ok() || tag_of(*results[k]) != backend.expected_bytes(*batch[k], {})) {
          wrong.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(backend.compiles, 12);
}

TEST(ObtainMany, MemoryOnlyCacheNeedNotSerialize) {
  FakeBackend backend;
  backend.payload_bytes = 4096;
  ir::Program program = make_program(1);
  PipelineCacheOptions sized;  // no root: memory-only
  auto cache = open_cache(sized);
  ASSERT_TRUE(cache->obtain(backend, program, {}).ok());
  EXPECT_EQ(backend.serializes, 1);
  EXPECT_EQ(cache->snapshot().memory_bytes, 4096u);

  PipelineCacheOptions unsized;
  unsized.size_memory_entries = false;
  auto lean = open_cache(unsized);
  std::vector<const ir::Program*> batch = {&program};
  ASSERT_TRUE(lean->obtain_many(backend, batch, {})[0].ok());
  EXPECT_EQ(backend.serializes, 1) << "serialize() called only to measure";
  EXPECT_EQ(lean->snapshot().memory_bytes, 256u);
}

}  // namespace
}  // namespace vyre::pipeline
