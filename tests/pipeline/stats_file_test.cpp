// The cumulative stats file (<root>/stats.json): a file that cannot be read or parsed, or a lock
// that cannot be taken, is reported as a cache I/O error naming the path.
#include "vyre/pipeline/stats_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/fake_backend.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/pipeline_cache.h"

namespace vyre::pipeline {
namespace {

using namespace testing;
namespace fs = std::filesystem;

void expect_cache_io_error(const Diagnostic& d, const fs::path& path, std::string_view what) {
  EXPECT_EQ(d.code, code::CacheIoError);
  EXPECT_NE(d.message.find(path.string()), std::string::npos) << d.message;
  EXPECT_NE(d.message.find(what), std::string::npos) << d.message;
  EXPECT_FALSE(d.help.empty());
}

TEST(StatsFile, MissingFileReadsAsZeros) {
  TempDir dir;
  auto stats = read_persisted_stats(dir.path());
  ASSERT_TRUE(stats.ok());
  EXPECT_TRUE(stats->empty());
}

TEST(StatsFile, CorruptFileIsACacheIoError) {
  TempDir dir;
  std::ofstream(dir.path() / kStatsFileName) << "{\"memory_hits\": 3,";  // cut off mid-write
  auto stats = read_persisted_stats(dir.path());
  ASSERT_FALSE(stats.ok());
  expect_cache_io_error(stats.error(), dir.path() / kStatsFileName, "not a JSON object");
}

TEST(StatsFile, FolderInPlaceOfTheFileIsACacheIoError) {
  TempDir dir;
  fs::create_directory(dir.path() / kStatsFileName);
  auto stats = read_persisted_stats(dir.path());
  ASSERT_FALSE(stats.ok());
  expect_cache_io_error(stats.error(), dir.path() / kStatsFileName, "not a regular file");
}

TEST(StatsFile, FlushReportsALockItCannotTake) {
  TempDir dir;
  FakeBackend backend;
  auto options = options_at(dir.path());
  options.persist_stats = true;
  auto cache = open_cache(options);
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  // Something else took the lock file's name: opening it fails even for root.
  const fs::path lock = dir.path() / "stats.lock";
  fs::remove(lock);
  fs::create_directory(lock);
  Status flushed = cache->flush();
  ASSERT_FALSE(flushed.ok());
  expect_cache_io_error(flushed.error(), lock, "stats file");
  // Dispatches are unaffected: the entry is still served.
  CacheOutcome outcome;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &outcome).ok());
  EXPECT_EQ(outcome.tier, CacheTier::Memory);
  fs::remove(lock);
  EXPECT_TRUE(cache->flush().ok());
  auto stats = read_persisted_stats(dir.path());
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->compiles, 1u);
}

TEST(StatsFile, TheRemoteStoresCountsAddUpAcrossProcesses) {
  TempDir dir;
  PersistedStats first;
  first.remote_store[StoreCounter::Hits] = 2;
  first.remote_store[StoreCounter::Misses] = 1;
  first.remote.untrusted = 1;
  first.remote.gets = 4;
  first.remote.get_us_total = 400;
  first.remote.get_us_max = 250;
  ASSERT_TRUE(add_persisted_stats(dir.path(), first).ok());
  PersistedStats second;
  second.remote_store[StoreCounter::Hits] = 1;
  second.remote.corrupt = 3;
  second.remote.gets = 1;
  second.remote.get_us_total = 90;
  second.remote.get_us_max = 90;
  ASSERT_TRUE(add_persisted_stats(dir.path(), second).ok());

  auto read = read_persisted_stats(dir.path());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->remote_store[StoreCounter::Hits], 3u);
  EXPECT_EQ(read->remote_store[StoreCounter::Misses], 1u);
  EXPECT_EQ(read->remote.untrusted, 1u);
  EXPECT_EQ(read->remote.corrupt, 3u);
  EXPECT_EQ(read->remote.gets, 5u);
  EXPECT_EQ(read->remote.get_us_total, 490u);
  EXPECT_EQ(read->remote.get_us_max, 250u) << "the slowest GET of any process, not a sum";
  EXPECT_EQ(read->store[StoreCounter::Hits], 0u) << "the disk store's row stays apart";
}

TEST(StatsFile, AFileWithoutRemoteRowsReadsAsZeros) {
  TempDir dir;
  std::ofstream(dir.path() / kStatsFileName) << "{\"memory_hits\": 3}";  // an older version's
  auto read = read_persisted_stats(dir.path());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->memory_hits, 3u);
  EXPECT_TRUE(read->remote.empty());
}

}  // namespace
}  // namespace vyre::pipeline
