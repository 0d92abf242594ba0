// The cumulative stats file (<root>/stats.json): a file that cannot be read or parsed, or a lock
// that cannot be taken, is reported as a cache I/O error naming the path.
#include "vyre/pipeline/stats_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "pipeline/fake_backend.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/pipeline_cache.h"
#include "vyre/pipeline/remote_stats.h"

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

TEST(StatsFile, EachStoresRowAddsUpAcrossProcessesUnderItsOwnName) {
  TempDir dir;
  PersistedStats first;
  PersistedStoreStats& remote = first.stores["redis"];
  remote.counters[StoreCounter::Hits] = 2;
  remote.counters[StoreCounter::Misses] = 1;
  remote.served = 2;
  remote.extra.sums["untrusted_entry"] = 1;
  remote.extra.sums["gets"] = 4;
  remote.extra.maxima["get_us_max"] = 250;
  first.stores["shelf"].extra.sums["folded"] = 7;  // any store's own block, named by it
  ASSERT_TRUE(add_persisted_stats(dir.path(), first).ok());
  PersistedStats second;
  second.stores["redis"].counters[StoreCounter::Hits] = 1;
  second.stores["redis"].extra.sums["corrupt_entry"] = 3;
  second.stores["redis"].extra.sums["gets"] = 1;
  second.stores["redis"].extra.maxima["get_us_max"] = 90;
  ASSERT_TRUE(add_persisted_stats(dir.path(), second).ok());

  auto read = read_persisted_stats(dir.path());
  ASSERT_TRUE(read.ok());
  const PersistedStoreStats& r = read->store("redis");
  EXPECT_EQ(r.counters[StoreCounter::Hits], 3u);
  EXPECT_EQ(r.counters[StoreCounter::Misses], 1u);
  EXPECT_EQ(r.served, 2u);
  EXPECT_EQ(r.extra.sum("untrusted_entry"), 1u);
  EXPECT_EQ(r.extra.sum("corrupt_entry"), 3u);
  EXPECT_EQ(r.extra.sum("gets"), 5u);
  EXPECT_EQ(r.extra.maximum("get_us_max"), 250u) << "the slowest GET of any process, not a sum";
  EXPECT_EQ(read->store("shelf").extra.sum("folded"), 7u);
  EXPECT_TRUE(read->store("disk").empty()) << "the disk store's row stays apart";
  // The Redis store's own view of its block.
  const RemoteStats stats = RemoteStats::from_extra(r.extra);
  EXPECT_EQ(stats.untrusted, 1u);
  EXPECT_EQ(stats.gets, 5u);
  EXPECT_EQ(stats.get_us_max, 250u);
}

TEST(StatsFile, AFileWithoutStoreRowsReadsAsZeros) {
  TempDir dir;
  std::ofstream(dir.path() / kStatsFileName) << "{\"memory_hits\": 3}";  // an older version's
  auto read = read_persisted_stats(dir.path());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->memory_hits, 3u);
  EXPECT_TRUE(read->stores.empty());
}

TEST(StatsFile, AFormat1FileIsReadIntoStoreRows) {
  TempDir dir;
  // What vyre wrote before stats.json had a row per store.
  std::ofstream(dir.path() / kStatsFileName) << R"({
    "memory_hits": 4, "store_hits": 2, "compiles": 1,
    "misses": {"empty_cache": 1},
    "store": {"hits": 2, "writes": 1, "io_errors": 5},
    "remote": {"untrusted_entry": 2, "gets": 3, "get_us_max": 70,
               "store": {"hits": 1, "misses": 6}}
  })";
  auto read = read_persisted_stats(dir.path());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->memory_hits, 4u);
  EXPECT_EQ(read->misses[static_cast<std::size_t>(MissReason::EmptyCache)], 1u);
  EXPECT_EQ(read->store("disk").counters[StoreCounter::Writes], 1u);
  EXPECT_EQ(read->store("disk").counters[StoreCounter::IoErrors], 5u);
  EXPECT_EQ(read->store("redis").counters[StoreCounter::Misses], 6u);
  EXPECT_EQ(read->store("redis").extra.sum("untrusted_entry"), 2u);
  EXPECT_EQ(read->store("redis").extra.maximum("get_us_max"), 70u);
  // Adding to it writes format 2, keeping the migrated counts.
  PersistedStats more;
  more.memory_hits = 1;
  ASSERT_TRUE(add_persisted_stats(dir.path(), more).ok());
  read = read_persisted_stats(dir.path());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->memory_hits, 5u);
  EXPECT_EQ(read->store("redis").counters[StoreCounter::Misses], 6u);
  std::ifstream in(dir.path() / kStatsFileName);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"format\": 2"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"remote\""), std::string::npos) << "no field names one store: " << text;
}

TEST(StatsFile, HostileFieldsReadAsZerosNeverACrash) {
  TempDir dir;
  const std::vector<std::string> hostile = {
      R"({"format": 2, "stores": [1, 2], "dispatches": "x", "compile_time": 7})",
      R"({"format": 2, "stores": {"disk": 5, "redis": {"counters": [], "extra": {"sums": 3}}}})",
      R"({"format": 2, "stores": {"a"b": {"served": -4, "extra": {"sums": {"x": 1.5, "y": -1},
          "maxima": {"z": "big"}}}}})",
      R"({"format": 2, "compile_time": {"count": 99, "sum_us": -1,
          "buckets": {"3": 4, "1024": 2, "+Inf": 1, "-5": 9, "99999999999999999999999": 1,
                      "": 3, "1e3": 2, "1": "many"}}})",
      R"({"format": "two", "memory_hits": 18446744073709551615, "misses": [1]})",
      R"({"format": 2, "dispatches": {"opencl": {"dispatches": 2, "device_time": {"buckets":
          {"+Inf": 18446744073709551615}}}}})",
      std::string(100000, '[') + std::string(100000, ']'),
  };
  for (const std::string& text : hostile) {
    std::ofstream(dir.path() / kStatsFileName, std::ios::trunc) << text;
    auto read = read_persisted_stats(dir.path());
    if (!read.ok()) {  // only a file that is no JSON object is an error
      EXPECT_EQ(read.error().code, code::CacheIoError) << text.substr(0, 80);
      continue;
    }
    // Whatever was readable is kept; what is not is 0, and the result prints and re-reads.
    (void)read->to_json();
    (void)read->hit_rate();
    (void)read->compile_time.quantile_ms(0.9);
    PersistedStats one;
    one.compiles = 1;
    EXPECT_TRUE(add_persisted_stats(dir.path(), one).ok()) << text.substr(0, 80);
    EXPECT_TRUE(read_persisted_stats(dir.path()).ok()) << text.substr(0, 80);
  }
  // Names vyre would not write (a quote, control characters) are skipped.
  std::ofstream(dir.path() / kStatsFileName, std::ios::trunc)
      << R"({"format": 2, "stores": {"a\"b": {"served": 1}, "\u001b[2J": {"served": 1},
            "disk": {"served": 2, "extra": {"sums": {"ok": 1, "\n": 5}}}}})";
  auto named = read_persisted_stats(dir.path());
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->stores.size(), 1u);
  EXPECT_EQ(named->store("disk").served, 2u);
  EXPECT_EQ(named->store("disk").extra.sums.size(), 1u);
  // Buckets are read by their bounds (powers of two, in microseconds): "3" and the malformed
  // keys are none of ours, so only the 1024 us and +Inf buckets count.
  std::ofstream(dir.path() / kStatsFileName, std::ios::trunc) << hostile[3];
  auto read = read_persisted_stats(dir.path());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->compile_time.count, 3u) << "the count is the buckets' sum, not the file's 99";
  EXPECT_EQ(read->compile_time.counts[Histogram::bucket_of(1024)], 2u);
  EXPECT_EQ(read->compile_time.counts[Histogram::kBuckets - 1], 1u);
}

TEST(StatsFile, HistogramsAndDispatchTotalsAddUpAcrossProcesses) {
  TempDir dir;
  PersistedStats first;
  first.compile_time.record_us(900);
  first.compile_time.record_us(20000);
  first.load_time.record_us(30);
  DispatchTotals& opencl = first.dispatches["opencl"];
  opencl.dispatches = 2;
  opencl.bytes_to_device = 100;
  opencl.device_time.record_us(70);
  ASSERT_TRUE(add_persisted_stats(dir.path(), first).ok());
  PersistedStats second;
  second.compile_time.record_us(1000);
  second.dispatches["opencl"].dispatches = 1;
  second.dispatches["opencl"].failures = 1;
  second.dispatches["reference"].dispatches = 1;
  ASSERT_TRUE(add_persisted_stats(dir.path(), second).ok());

  auto read = read_persisted_stats(dir.path());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->compile_time.count, 3u);
  EXPECT_EQ(read->compile_time.sum_us, 21900u);
  EXPECT_EQ(read->compile_time.counts[Histogram::bucket_of(1000)], 2u) << "900 and 1000 us";
  EXPECT_EQ(read->load_time.count, 1u);
  EXPECT_EQ(read->dispatches.at("opencl").dispatches, 3u);
  EXPECT_EQ(read->dispatches.at("opencl").failures, 1u);
  EXPECT_EQ(read->dispatches.at("opencl").bytes_to_device, 100u);
  EXPECT_EQ(read->dispatches.at("opencl").device_time.count, 1u);
  EXPECT_EQ(read->dispatches.at("reference").dispatches, 1u);
}

}  // namespace
}  // namespace vyre::pipeline
