#include "vyre/pipeline/pipeline_cache.h"

#include <gtest/gtest.h>

#include <barrier>
#include <nlohmann/json.hpp>

#include "pipeline/fake_backend.h"
#include "vyre/pipeline/stats_file.h"

namespace vyre::pipeline {
namespace {

using namespace testing;

const std::string& tag_of(const std::shared_ptr<const CompiledPipeline>& p) {
  return static_cast<const FakePipeline&>(*p).tag();
}

TEST(PipelineCache, MemoryThenDiskThenCompile) {
  TempDir dir;
  FakeBackend backend;
  ir::Program program = make_program(1);
  DispatchConfig config;
  {
    auto cache = open_cache(options_at(dir.path()));
    CacheOutcome outcome;
    auto first = cache->obtain(backend, program, config, &outcome);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(outcome.tier, CacheTier::Compiled);
    ASSERT_TRUE(outcome.miss);
    EXPECT_EQ(*outcome.miss, MissReason::EmptyCache);
    EXPECT_EQ(tag_of(*first), backend.expected_bytes(program, config));
    auto second = cache->obtain(backend, program, config, &outcome);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(outcome.tier, CacheTier::Memory);
    EXPECT_FALSE(outcome.miss);
    EXPECT_EQ(second->get(), first->get());
    EXPECT_EQ(backend.compiles, 1);
    EXPECT_EQ(backend.loads, 0);
    // On disk at <root>/<2 hex>/<64 hex>.bin.
    std::string hex = to_hex(outcome.key);
    EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / hex.substr(0, 2) / (hex + ".bin")));
    EXPECT_EQ((std::filesystem::status(dir.path()).permissions() & std::filesystem::perms::all),
              std::filesystem::perms::owner_all);
  }
  auto fresh = open_cache(options_at(dir.path()));
  CacheOutcome outcome;
  auto third = fresh->obtain(backend, program, config, &outcome);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(outcome.tier, CacheTier::Disk);
  EXPECT_EQ(tag_of(*third), backend.expected_bytes(program, config));
  EXPECT_EQ(backend.compiles, 1);
  EXPECT_EQ(backend.loads, 1);
  Telemetry t = fresh->snapshot();
  EXPECT_EQ(t.store_hits, 1u);
  EXPECT_EQ(t.total_misses(), 0u);
  EXPECT_DOUBLE_EQ(t.hit_rate(), 1.0);
}

TEST(PipelineCache, EveryMissReasonFromARealScenario) {
  TempDir dir;
  FakeBackend backend;
  auto options = options_at(dir.path());
  options.memory_max_entries = 1;
  auto cache = open_cache(options);
  CacheOutcome o;
  DispatchConfig precise;
  precise.ulp_budget = 1;
  DispatchConfig loose;
  loose.ulp_budget = 4;

  ASSERT_TRUE(cache->obtain(backend, make_program(1), precise, &o).ok());
  EXPECT_EQ(o.miss, MissReason::EmptyCache);

  ASSERT_TRUE(cache->obtain(backend, make_program(2), precise, &o).ok());
  EXPECT_EQ(o.miss, MissReason::ProgramChanged);

  ASSERT_TRUE(cache->obtain(backend, make_program(1), loose, &o).ok());
  EXPECT_EQ(o.miss, MissReason::DispatchPolicyChanged);
  EXPECT_NE(o.miss_explanation.find("ulp_budget 1 \u2192 4"), std::string::npos)
      << o.miss_explanation;

  FakeBackend upgraded("fake", {"vyre", "fake-device sm_1", "driver 1.0", "fakecc 1.1"});
  ASSERT_TRUE(cache->obtain(upgraded, make_program(1), loose, &o).ok());
  EXPECT_EQ(o.miss, MissReason::DeviceOrRuntimeChanged);
  EXPECT_NE(o.miss_explanation.find("compiler fakecc 1.0 \u2192 fakecc 1.1"), std::string::npos)
      << o.miss_explanation;

  FakeBackend other_device("fake", {"vyre", "fake-device sm_1a", "driver 1.0", "fakecc 1.0"});
  ASSERT_TRUE(cache->obtain(other_device, make_program(1), loose, &o).ok());
  EXPECT_EQ(o.miss, MissReason::DeviceOrRuntimeChanged);
  EXPECT_NE(o.miss_explanation.find("device fake-device sm_1 \u2192 fake-device sm_1a"),
            std::string::npos)
      << o.miss_explanation;

  // Key absent: the entry was cached (this cache wrote it), then removed behind its back.
  ASSERT_TRUE(cache->obtain(backend, make_program(2), precise, &o).ok());  // memory now: 2 only
  EXPECT_EQ(o.tier, CacheTier::Disk);
  Digest key_of_1 = cache->key_factors(backend, make_program(1), precise)->key();
  ASSERT_TRUE(cache->disk()->remove(key_of_1));
  ASSERT_TRUE(cache->obtain(backend, make_program(1), precise, &o).ok());
  EXPECT_EQ(o.miss, MissReason::KeyAbsent);

  // Corrupt entry: damage it on disk; a fresh cache (cold memory) reads it.
  std::filesystem::path path = cache->disk()->entry_path(key_of_1);
  auto bytes = read_file(path);
  ASSERT_FALSE(bytes.empty());
  bytes[bytes.size() / 2] ^= 0x40;
  write_file(path, bytes);
  auto fresh = open_cache(options);
  int before = backend.compiles;
  ASSERT_TRUE(fresh->obtain(backend, make_program(1), precise, &o).ok());
  EXPECT_EQ(o.miss, MissReason::CorruptEntry);
  EXPECT_EQ(backend.compiles, before + 1);

  Telemetry t = cache->snapshot();
  EXPECT_EQ(t.misses_for(MissReason::EmptyCache), 1u);
  EXPECT_EQ(t.misses_for(MissReason::ProgramChanged), 1u);
  EXPECT_EQ(t.misses_for(MissReason::DispatchPolicyChanged), 1u);
  EXPECT_EQ(t.misses_for(MissReason::DeviceOrRuntimeChanged), 2u);
  EXPECT_EQ(t.misses_for(MissReason::KeyAbsent), 1u);
  EXPECT_EQ(fresh->snapshot().misses_for(MissReason::CorruptEntry), 1u);
  for (MissReason r : kMissReasons) EXPECT_EQ(miss_reason_from_name(metric_name(r)), r);
}

// A backend variable that changes generated code (VYRE_CUDA_ARCH) enters the key through the
// backend's fingerprint: a changed compiler target misses and the explanation names it.
TEST(PipelineCache, ChangedCompilerTargetIsNamed) {
  TempDir dir;
  FakeBackend before;
  ASSERT_TRUE(open_cache(options_at(dir.path()))->obtain(before, make_program(1), {}).ok());
  DeviceFingerprint retargeted = vyre::testing::fake_fingerprint();
  retargeted.compiler = "fakecc 1.0 sm_90a";
  FakeBackend after("fake", retargeted);
  auto cache = open_cache(options_at(dir.path()));
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(after, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.miss, MissReason::DeviceOrRuntimeChanged);
  EXPECT_NE(o.miss_explanation.find("sm_90a"), std::string::npos) << o.miss_explanation;
}

TEST(PipelineCache, WorkgroupOverrideIsNamed) {
  TempDir dir;
  FakeBackend backend;
  auto cache = open_cache(options_at(dir.path()));
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  DispatchConfig config;
  config.workgroup_override = std::array<std::uint32_t, 3>{16, 16, 1};
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), config, &o).ok());
  EXPECT_EQ(o.miss, MissReason::DispatchPolicyChanged);
  EXPECT_NE(o.miss_explanation.find("workgroup_override none \u2192 16x16x1"), std::string::npos)
      << o.miss_explanation;
}

// Each truncation and each flipped byte of a stored entry: never served, counted, removed and
// recompiled (then stored again, valid).
TEST(PipelineCache, DamagedEntriesAreNeverServed) {
  TempDir dir;
  FakeBackend backend;
  auto options = options_at(dir.path());
  options.memory_max_entries = 0;  // every obtain goes to disk
  auto cache = open_cache(options);
  ir::Program program = make_program(7);
  ASSERT_TRUE(cache->obtain(backend, program, {}).ok());
  Digest key = cache->key_factors(backend, program, {})->key();
  std::filesystem::path path = cache->disk()->entry_path(key);
  const std::vector<std::uint8_t> good = read_file(path);
  ASSERT_GT(good.size(), kEntryHeaderBytes);

  std::uint64_t expected_corrupt = 0;
  auto check_damaged = [&](const std::vector<std::uint8_t>& damaged, const std::string& what) {
    write_file(path, damaged);
    int compiles = backend.compiles;
    CacheOutcome o;
    auto got = cache->obtain(backend, program, {}, &o);
    ASSERT_TRUE(got.ok()) << what;
    EXPECT_EQ(tag_of(*got), backend.expected_bytes(program, {})) << what;
    EXPECT_EQ(o.tier, CacheTier::Compiled) << what;
    EXPECT_EQ(o.miss, MissReason::CorruptEntry) << what;
    EXPECT_EQ(backend.compiles, compiles + 1) << what;
    auto rewritten = read_file(path);  // stored again, valid (its compile time may differ)
    auto decoded = decode_entry(rewritten, *cache->disk()->entry_secret(), &key);
    ASSERT_TRUE(decoded.ok()) << what << ": not rewritten";
    EXPECT_EQ(decoded->metadata.factors, *cache->key_factors(backend, program, {})) << what;
    ++expected_corrupt;
  };
  for (std::size_t n = 0; n < good.size(); ++n) {
    check_damaged(std::vector<std::uint8_t>(good.begin(), good.begin() + n),
                  "truncated to " + std::to_string(n));
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    auto flipped = good;
    flipped[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    check_damaged(flipped, "bit flip at " + std::to_string(i));
  }
  Telemetry t = cache->snapshot();
  EXPECT_EQ(t.misses_for(MissReason::CorruptEntry), expected_corrupt);
  EXPECT_EQ(t.corrupt_entries_removed, expected_corrupt);
  EXPECT_EQ(backend.load_rejects, 0) << "a damaged entry reached Backend::load";
}

TEST(PipelineCache, BackendRejectedEntryIsRecompiled) {
  TempDir dir;
  FakeBackend writer;
  ASSERT_TRUE(open_cache(options_at(dir.path()))->obtain(writer, make_program(1), {}).ok());
  // Same identity, but this backend's load refuses the stored bytes (payload layout changed
  // without a fingerprint change): counted as corrupt, removed, recompiled.
  FakeBackend reader;
  reader.payload_bytes = 200;
  auto cache = open_cache(options_at(dir.path()));
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(reader, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.miss, MissReason::CorruptEntry);
  EXPECT_EQ(reader.load_rejects, 1);
  EXPECT_EQ(reader.compiles, 1);
  EXPECT_EQ(cache->snapshot().load_failures, 1u);
}

TEST(PipelineCache, SymlinkedEntryIsRefused) {
  TempDir dir;
  FakeBackend backend;
  ir::Program program = make_program(1);
  std::filesystem::path path;
  {
    auto cache = open_cache(options_at(dir.path()));
    ASSERT_TRUE(cache->obtain(backend, program, {}).ok());
    path = cache->disk()->entry_path(cache->key_factors(backend, program, {})->key());
  }
  std::filesystem::path elsewhere = dir / "elsewhere.bin";
  std::filesystem::rename(path, elsewhere);
  std::filesystem::create_symlink(elsewhere, path);
  auto cache = open_cache(options_at(dir.path()));
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, program, {}, &o).ok());
  EXPECT_EQ(o.miss, MissReason::CorruptEntry);
  EXPECT_EQ(backend.loads, 0);
  EXPECT_FALSE(std::filesystem::is_symlink(path));
  EXPECT_TRUE(std::filesystem::exists(elsewhere)) << "the link's target must not be touched";
}

TEST(PipelineCache, RelocatedFolderStillHits) {
  TempDir dir;
  FakeBackend backend;
  {
    auto cache = open_cache(options_at(dir / "a"));
    for (std::uint32_t v = 0; v < 4; ++v)
      ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
    ASSERT_TRUE(cache->flush().ok());
  }
  std::filesystem::create_directories(dir / "moved");
  std::filesystem::copy(dir / "a", dir / "moved" / "b", std::filesystem::copy_options::recursive);
  std::filesystem::remove_all(dir / "a");
  auto cache = open_cache(options_at(dir / "moved" / "b"));
  for (std::uint32_t v = 0; v < 4; ++v) {
    CacheOutcome o;
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}, &o).ok());
    EXPECT_EQ(o.tier, CacheTier::Disk);
  }
  EXPECT_EQ(backend.compiles, 4);
}

TEST(PipelineCache, SingleFlightCompilesOnce) {
  TempDir dir;
  FakeBackend backend;
  backend.compile_delay = std::chrono::milliseconds(50);
  auto cache = open_cache(options_at(dir.path()));
  ir::Program program = make_program(1);
  constexpr int kThreads = 16;
  std::barrier start(kThreads);
  std::vector<std::shared_ptr<const CompiledPipeline>> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto r = cache->obtain(backend, program, {});
      if (r.ok()) results[i] = *r;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(backend.compiles, 1);
  for (const auto& r : results) {
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r.get(), results[0].get());
  }
  Telemetry t = cache->snapshot();
  EXPECT_EQ(t.compiles, 1u);
  EXPECT_EQ(t.memory_hits + t.coalesced + t.total_misses(), static_cast<std::uint64_t>(kThreads));
}

TEST(PipelineCache, ManyThreadsManyKeys) {
  TempDir dir;
  FakeBackend backend;
  auto options = options_at(dir.path());
  options.memory_max_entries = 8;  // constant eviction
  auto cache = open_cache(options);
  std::vector<ir::Program> programs;
  for (std::uint32_t v = 0; v < 24; ++v) programs.push_back(make_program(v));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const ir::Program& p = programs[(i * 7 + t * 3) % programs.size()];
        auto r = cache->obtain(backend, p, {});
        if (!r.ok() || tag_of(*r) != backend.expected_bytes(p, {})) wrong.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_LE(cache->memory().size(), 8u);
  EXPECT_EQ(backend.compiles, 24);
}

TEST(PipelineCache, ForbidNeverCompiles) {
  TempDir dir;
  FakeBackend backend;
  auto options = options_at(dir.path());
  options.jit = JitPolicy::Forbid;
  auto cache = open_cache(options);
  auto r = cache->obtain(backend, make_program(1), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::JitForbidden);
  EXPECT_NE(r.error().message.find("empty cache: the cache holds no entries yet"),
            std::string::npos)
      << r.error().message;
  EXPECT_FALSE(r.error().help.empty());
  EXPECT_EQ(backend.compiles, 0);
  EXPECT_EQ(cache->snapshot().jit_forbidden, 1u);
  // A warm entry is served under forbid.
  {
    auto warm = open_cache(options_at(dir.path()));
    ASSERT_TRUE(warm->obtain(backend, make_program(1), {}).ok());
  }
  EXPECT_EQ(backend.compiles, 1);
  auto served = open_cache(options);
  CacheOutcome o;
  ASSERT_TRUE(served->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Disk);
  EXPECT_FALSE(served->obtain(backend, make_program(2), {}).ok());
  EXPECT_EQ(backend.compiles, 1);
}

TEST(PipelineCache, WarnReportsEveryCompileAfterStartup) {
  TempDir dir;
  FakeBackend backend;
  WarningLog log;
  auto options = options_at(dir.path(), &log);
  options.jit = JitPolicy::Warn;
  options.jit_startup_grace = std::chrono::hours(1);
  auto cache = open_cache(options);
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  EXPECT_EQ(log.count(), 0u) << "start-up compiles are expected";
  cache->end_startup();
  ASSERT_TRUE(cache->obtain(backend, make_program(2), {}).ok());
  ASSERT_TRUE(cache->obtain(backend, make_program(3), {}).ok());
  ASSERT_TRUE(cache->obtain(backend, make_program(3), {}).ok());  // a hit: no report
  EXPECT_EQ(log.count(code::JitCompileReported), 2u);
  EXPECT_EQ(log.warnings.back().severity, Severity::Warning);
  EXPECT_NE(log.warnings.back().message.find("new program: never compiled into this cache"),
            std::string::npos)
      << log.warnings.back().message;
  EXPECT_EQ(backend.compiles, 3);
  EXPECT_EQ(cache->snapshot().jit_warnings, 2u);
}

TEST(PipelineCache, LookupOnlyNeverCompilesOrLoads) {
  TempDir dir;
  FakeBackend backend;
  auto cache = open_cache(options_at(dir.path()));
  CacheOutcome miss;
  auto r = cache->lookup_only(backend, make_program(1), {}, &miss);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(miss.miss, MissReason::EmptyCache);
  EXPECT_EQ(miss.tier, CacheTier::Compiled);
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  r = cache->lookup_only(backend, make_program(1), {});
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->tier, CacheTier::Memory);
  auto fresh = open_cache(options_at(dir.path()));
  r = fresh->lookup_only(backend, make_program(1), {});
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->tier, CacheTier::Disk);
  r = fresh->lookup_only(backend, make_program(2), {}, &miss);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(miss.miss, MissReason::ProgramChanged);
  EXPECT_EQ(backend.compiles, 1);
  EXPECT_EQ(backend.loads, 0);
  Telemetry t = fresh->snapshot();
  EXPECT_EQ(t.lookup_only_hits, 1u);
  EXPECT_EQ(t.lookup_only_misses, 1u);
  EXPECT_EQ(t.hits() + t.total_misses(), 0u);
}

TEST(PipelineCache, CompileFailureIsReturnedAndNotCached) {
  TempDir dir;
  FakeBackend backend;
  backend.fail_compile = true;
  auto cache = open_cache(options_at(dir.path()));
  EXPECT_FALSE(cache->obtain(backend, make_program(1), {}).ok());
  backend.fail_compile = false;
  EXPECT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  EXPECT_EQ(backend.compiles, 2);
  EXPECT_EQ(cache->snapshot().compile_failures, 1u);
}

TEST(PipelineCache, SerializeFailureStaysInMemoryWithAWarning) {
  TempDir dir;
  FakeBackend backend;
  backend.fail_serialize = true;
  WarningLog log;
  auto cache = open_cache(options_at(dir.path(), &log));
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Memory);
  EXPECT_EQ(log.count(code::PipelineNotPersisted), 1u);
  EXPECT_EQ(cache->disk()->scan().size(), 0u);
}

TEST(PipelineCache, TelemetryAndManifest) {
  TempDir dir;
  FakeBackend backend;
  backend.compile_delay = std::chrono::milliseconds(2);
  std::vector<std::string> manifests;
  auto options = options_at(dir.path());
  options.manifest_sink = [&](const std::string& m) { manifests.push_back(m); };
  auto cache = open_cache(options);
  DispatchConfig config;
  config.ulp_budget = 2;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), config).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(cache->obtain(backend, make_program(1), config).ok());
  Telemetry t = cache->snapshot();
  EXPECT_EQ(t.memory_hits, 3u);
  EXPECT_EQ(t.compiles, 1u);
  EXPECT_DOUBLE_EQ(t.hit_rate(), 0.75);
  EXPECT_GE(t.compile_seconds, 0.002);
  // Memory hits of a pipeline this process compiled saved no compile: it was compiled once.
  EXPECT_EQ(t.compile_seconds_saved, 0.0);
  EXPECT_EQ(t.compile_ms.count, 1u);
  EXPECT_GE(t.compile_ms.quantile_ms(0.5), 2.0);
  auto j = nlohmann::json::parse(t.to_json());
  EXPECT_EQ(j["hits"]["memory"], 3);
  EXPECT_EQ(j["misses"]["empty_cache"], 1);

  ASSERT_EQ(manifests.size(), 1u);
  auto m = nlohmann::json::parse(manifests[0]);
  EXPECT_EQ(m["backend"], "fake");
  EXPECT_EQ(m["program_digest"], to_hex(make_program(1).digest()));
  EXPECT_EQ(m["policy"]["ulp_budget"], "2");
  EXPECT_EQ(m["fingerprint"]["compiler"], "fakecc 1.0");
  EXPECT_EQ(m["outcome"]["tier"], "compiled");
  EXPECT_EQ(m["outcome"]["miss"], "empty_cache");

  // Disk hits in a fresh cache record load time and the saved compile time stored in the entry.
  auto fresh = open_cache(options_at(dir.path()));
  ASSERT_TRUE(fresh->obtain(backend, make_program(1), config).ok());
  Telemetry f = fresh->snapshot();
  EXPECT_EQ(f.store_hits, 1u);
  EXPECT_EQ(f.load_ms.count, 1u);
  EXPECT_NEAR(f.compile_seconds_saved, t.compile_seconds, 1e-6);
  // Memory hits of the loaded entry count that saved compile no second time.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fresh->obtain(backend, make_program(1), config).ok());
  EXPECT_NEAR(fresh->snapshot().compile_seconds_saved, t.compile_seconds, 1e-6);
}

TEST(PipelineCache, StatsFileAccumulatesAcrossCaches) {
  TempDir dir;
  FakeBackend backend;
  auto options = options_at(dir.path());
  options.persist_stats = true;
  {
    auto cache = open_cache(options);
    ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
    ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  }
  {
    auto cache = open_cache(options);
    ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
    ASSERT_TRUE(cache->flush().ok());
    ASSERT_TRUE(cache->flush().ok());  // a second flush adds nothing twice
  }
  auto stats = read_persisted_stats(dir.path());
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->memory_hits, 1u);
  EXPECT_EQ(stats->store_hits, 1u);
  EXPECT_EQ(stats->compiles, 1u);
  EXPECT_EQ(stats->misses[static_cast<std::size_t>(MissReason::EmptyCache)], 1u);
  EXPECT_NEAR(stats->hit_rate(), 2.0 / 3.0, 1e-9);
  // The disk store's row, by its name: what it served and its own counters.
  EXPECT_EQ(stats->store("disk").served, 1u);
  EXPECT_EQ(stats->store("disk").counters[StoreCounter::Writes], 1u);
  EXPECT_EQ(stats->store("disk").counters[StoreCounter::Hits], 1u);
  // The compile and load histograms of both processes.
  EXPECT_EQ(stats->compile_time.count, 1u);
  EXPECT_EQ(stats->load_time.count, 1u);
}

TEST(PipelineCache, InvalidateByBackendDeviceAndProgram) {
  TempDir dir;
  FakeBackend a("alpha");
  FakeBackend b("beta", {"vyre", "other-device", "driver 1.0", "fakecc 1.0"});
  auto cache = open_cache(options_at(dir.path()));
  for (std::uint32_t v = 0; v < 3; ++v) {
    ASSERT_TRUE(cache->obtain(a, make_program(v), {}).ok());
    ASSERT_TRUE(cache->obtain(b, make_program(v), {}).ok());
  }
  EXPECT_EQ(cache->disk()->scan().size(), 6u);
  EXPECT_EQ(cache->invalidate({.backend = "alpha"}), 3u);
  EXPECT_EQ(cache->invalidate({.device = "other-device",
                               .program = to_hex(make_program(1).digest()).substr(0, 10)}),
            1u);
  EXPECT_EQ(cache->disk()->scan().size(), 2u);
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(a, make_program(0), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Compiled) << "memory tier must be invalidated too";
  ASSERT_TRUE(cache->obtain(b, make_program(0), {}, &o).ok());
  EXPECT_NE(o.tier, CacheTier::Compiled);
}

}  // namespace
}  // namespace vyre::pipeline
