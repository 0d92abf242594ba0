// The cache's decisions in the log (diag/log.h): at info, each miss with its reason, the
// compile, the stores written and a store hit with its load time; at debug also memory hits and
// each store that did not have the entry; nothing at the default level. And the per-process
// totals an embedder exports (PipelineCache::totals -> prometheus_metrics).
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "pipeline/fake_backend.h"
#include "vyre/diag/log.h"
#include "vyre/pipeline/cache_metrics.h"

namespace vyre::pipeline {
namespace {

using namespace testing;

class CacheLog : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_sink([this](const LogRecord& r) {
      std::lock_guard lock(mutex_);
      lines_.push_back(std::string(log_level_name(r.level)) + " " + std::string(r.component) +
                       ": " + std::string(r.message));
    });
  }
  void TearDown() override {
    set_log_sink(nullptr);
    set_log_level(LogLevel::Warn);
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(lines_, {});
  }
  static bool has(const std::vector<std::string>& lines, const std::string& part) {
    for (const auto& l : lines) {
      if (l.find(part) != std::string::npos) return true;
    }
    return false;
  }
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

TEST_F(CacheLog, InfoTracesMissesCompilesWritesAndStoreHits) {
  TempDir dir;
  FakeBackend backend;
  set_log_level(LogLevel::Info);
  const std::string key =
      to_hex(open_cache(options_at(dir.path()))->key_factors(backend, make_program(1), {})->key())
          .substr(0, 12);
  {
    auto cache = open_cache(options_at(dir.path()));
    ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
    auto lines = take();
    EXPECT_TRUE(has(lines, "info cache: " + key + " for fake: miss, empty_cache (")) << lines[0];
    EXPECT_TRUE(has(lines, key + " for fake: compiled in "));
    EXPECT_TRUE(has(lines, key + " for fake: stored in disk ("));
    ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
    EXPECT_TRUE(take().empty()) << "a memory hit is a debug record";
  }
  auto fresh = open_cache(options_at(dir.path()));
  ASSERT_TRUE(fresh->obtain(backend, make_program(1), {}).ok());
  auto lines = take();
  EXPECT_TRUE(has(lines, key + " for fake: disk hit, loaded in "))
      << (lines.empty() ? "" : lines[0]);

  set_log_level(LogLevel::Debug);
  ASSERT_TRUE(fresh->obtain(backend, make_program(1), {}).ok());
  EXPECT_TRUE(has(take(), "debug cache: " + key + " for fake: memory hit"));
  ASSERT_TRUE(fresh->obtain(backend, make_program(2), {}).ok());
  lines = take();
  EXPECT_TRUE(has(lines, ": disk: absent"));
  EXPECT_TRUE(has(lines, ": miss, key_absent (") || has(lines, ": miss, program_changed ("));

  set_log_level(LogLevel::Warn);
  ASSERT_TRUE(fresh->obtain(backend, make_program(3), {}).ok());
  EXPECT_TRUE(take().empty()) << "the default level logs no decisions";
}

TEST_F(CacheLog, ACorruptEntryIsLoggedAsRefused) {
  TempDir dir;
  FakeBackend backend;
  {
    auto cache = open_cache(options_at(dir.path()));
    ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  }
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (e.path().extension() == ".bin") {
      auto bytes = read_file(e.path());
      bytes.back() ^= 0xff;
      write_file(e.path(), bytes);
    }
  }
  set_log_level(LogLevel::Info);
  auto cache = open_cache(options_at(dir.path()));
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  auto lines = take();
  EXPECT_TRUE(has(lines, ": disk: entry refused and discarded ("));
  EXPECT_TRUE(has(lines, ": miss, corrupt_entry ("));
}

TEST(CacheTotals, AnEmbedderExportsItsProcesssMetrics) {
  TempDir dir;
  FakeBackend backend;
  auto cache = open_cache(options_at(dir.path()));
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  cache->dispatch_metrics().record("fake", 64, 32, 120);
  PersistedStats totals = cache->totals();
  EXPECT_EQ(totals.memory_hits, 1u);
  EXPECT_EQ(totals.compile_time.count, 1u);
  EXPECT_EQ(totals.store("disk").counters[StoreCounter::Writes], 1u);
  EXPECT_EQ(totals.dispatches.at("fake").bytes_from_device, 32u);
  const std::string text = prometheus_metrics(totals);
  EXPECT_NE(text.find("vyre_cache_hits_total{tier=\"memory\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("vyre_cache_compile_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(text.find("vyre_cache_store_writes_total{store=\"disk\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("vyre_dispatches_total{backend=\"fake\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("vyre_dispatch_seconds_bucket{backend=\"fake\",le=\"0.000128\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace vyre::pipeline
