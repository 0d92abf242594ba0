#include "vyre/pipeline/disk_tier.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <utime.h>

#include <algorithm>

#include "pipeline/fake_backend.h"

namespace vyre::pipeline {
namespace {

using namespace testing;

pid_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;  // reaped: no process has this id now (barring reuse, which needs a wrap)
}

void set_mtime(const std::filesystem::path& path, std::time_t when) {
  struct utimbuf times {
    when, when
  };
  ::utime(path.c_str(), &times);
}

TEST(DiskTier, RootIsCreatedOwnerOnly) {
  TempDir dir;
  DiskTier disk({.root = dir / "a" / "b"});
  EXPECT_TRUE(disk.writable());
  struct stat st {};
  ASSERT_EQ(::stat((dir / "a" / "b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir / "a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(DiskTier, OrphanedTempFilesAreCleanedOnOpen) {
  TempDir dir;
  { DiskTier create({.root = dir.path()}); }
  auto tmp = dir / "tmp";
  std::string key(64, 'a');
  auto dead = tmp / (key + "." + std::to_string(dead_pid()) + ".0.tmp");
  auto live_fresh = tmp / (key + "." + std::to_string(::getpid()) + ".1.tmp");
  auto live_old = tmp / (key + "." + std::to_string(::getpid()) + ".2.tmp");
  auto garbage_old = tmp / "something-else";
  for (const auto& p : {dead, live_fresh, live_old, garbage_old})
    write_file(p, std::vector<std::uint8_t>(10, 1));
  set_mtime(live_old, std::time(nullptr) - 7200);
  set_mtime(garbage_old, std::time(nullptr) - 7200);
  DiskTier disk({.root = dir.path(), .orphan_age = std::chrono::seconds(3600)});
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(live_fresh)) << "a live writer's recent temp file stays";
  EXPECT_FALSE(std::filesystem::exists(live_old));
  EXPECT_FALSE(std::filesystem::exists(garbage_old));
  EXPECT_EQ(disk.counters().orphans_removed, 3u);
}

TEST(DiskTier, EvictionKeepsTheFolderUnderItsBound) {
  TempDir dir;
  FakeBackend backend;
  backend.payload_bytes = 1000;
  auto options = options_at(dir.path());
  options.disk_max_bytes = 10000;
  options.memory_max_entries = 0;
  auto cache = open_cache(options);
  for (std::uint32_t v = 0; v < 40; ++v) {
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
    EXPECT_LE(cache->disk()->total_bytes(), options.disk_max_bytes) << "after program " << v;
  }
  EXPECT_GT(cache->snapshot().disk_evictions, 0u);
  EXPECT_GE(cache->disk()->scan(false).size(), 5u);
}

TEST(DiskTier, EvictionIsLeastRecentlyUsed) {
  TempDir dir;
  FakeBackend backend;
  backend.payload_bytes = 1000;
  auto options = options_at(dir.path());
  options.disk_max_bytes = 6000;
  options.memory_max_entries = 0;
  auto cache = open_cache(options);
  std::vector<Digest> keys;
  for (std::uint32_t v = 0; v < 4; ++v) {
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
    keys.push_back(cache->key_factors(backend, make_program(v), {})->key());
    set_mtime(cache->disk()->entry_path(keys.back()), std::time(nullptr) - 1000 + v * 10);
  }
  // Program 0 is the oldest; touch it with a hit, so program 1 is now least recently used.
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(0), {}, &o).ok());
  ASSERT_EQ(o.tier, CacheTier::Disk);
  ASSERT_TRUE(cache->obtain(backend, make_program(10), {}).ok());
  ASSERT_TRUE(cache->obtain(backend, make_program(11), {}).ok());
  EXPECT_TRUE(std::filesystem::exists(cache->disk()->entry_path(keys[0])));
  EXPECT_FALSE(std::filesystem::exists(cache->disk()->entry_path(keys[1])));
}

std::time_t mtime_of(const std::filesystem::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mtime : 0;
}

// A cache whose every hit after the first obtain() comes from the disk tier.
std::shared_ptr<PipelineCache> disk_only_cache(const TempDir& dir) {
  auto options = options_at(dir.path());
  options.memory_max_entries = 0;
  return open_cache(options);
}

std::filesystem::path entry_of(PipelineCache& cache, FakeBackend& backend, std::uint32_t v) {
  return cache.disk()->entry_path(cache.key_factors(backend, make_program(v), {})->key());
}

// A hit refreshes an old entry's LRU age, but not on the hit path: at the next flush.
TEST(DiskTier, HitsRefreshTheLruAgeAtFlushNotOnTheHitPath) {
  TempDir dir;
  FakeBackend backend;
  auto cache = disk_only_cache(dir);
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  const auto path = entry_of(*cache, backend, 1);
  const std::time_t old = std::time(nullptr) - 3600;
  set_mtime(path, old);
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  ASSERT_EQ(o.tier, CacheTier::Disk);
  EXPECT_EQ(mtime_of(path), old) << "the hit itself wrote the entry's metadata";
  ASSERT_TRUE(cache->flush().ok());
  EXPECT_GT(mtime_of(path), old + 3000) << "flush did not refresh the entry's LRU age";

  // Destroying the cache applies what is pending too.
  set_mtime(path, old);
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  ASSERT_EQ(o.tier, CacheTier::Disk);
  cache.reset();
  EXPECT_GT(mtime_of(path), old + 3000);
}

// Without a flush, pending LRU refreshes are applied in batches, so they never pile up.
TEST(DiskTier, PendingLruRefreshesAreBounded) {
  TempDir dir;
  FakeBackend backend;
  auto cache = disk_only_cache(dir);
  constexpr std::uint32_t kPrograms = 300;
  const std::time_t old = std::time(nullptr) - 3600;
  for (std::uint32_t v = 0; v < kPrograms; ++v) {
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
    set_mtime(entry_of(*cache, backend, v), old);
  }
  for (std::uint32_t v = 0; v < kPrograms; ++v) {
    CacheOutcome o;
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}, &o).ok());
    ASSERT_EQ(o.tier, CacheTier::Disk);
  }
  // No flush yet: the first hits' refreshes were applied when the pending list filled up.
  EXPECT_GT(mtime_of(entry_of(*cache, backend, 0)), old + 3000);
}

// A root that cannot exist (its parent is a regular file: ENOTDIR even for root) degrades to
// memory-only with exactly one warning, and never fails a request.
TEST(DiskTier, UnwritableRootWarnsOnceAndCarriesOnInMemory) {
  TempDir dir;
  write_file(dir / "file", std::vector<std::uint8_t>{1});
  WarningLog log;
  FakeBackend backend;
  auto cache = open_cache(options_at(dir / "file" / "cache", &log));
  for (int round = 0; round < 2; ++round) {
    for (std::uint32_t v = 0; v < 5; ++v) {
      CacheOutcome o;
      ASSERT_TRUE(cache->obtain(backend, make_program(v), {}, &o).ok());
      EXPECT_EQ(o.tier, round == 0 ? CacheTier::Compiled : CacheTier::Memory);
    }
  }
  EXPECT_TRUE(cache->flush().ok());
  EXPECT_EQ(log.count(), 1u);
  EXPECT_EQ(log.count(code::CacheDiskUnavailable), 1u);
  EXPECT_EQ(log.warnings[0].severity, Severity::Warning);
  EXPECT_NE(log.warnings[0].message.find("Not a directory"), std::string::npos)
      << log.warnings[0].message;
  Telemetry t = cache->snapshot();
  EXPECT_FALSE(t.disk_writable);
  EXPECT_EQ(t.warnings, 1u);
  EXPECT_EQ(backend.compiles, 5);
}

// The folder becomes unwritable while running (its temp folder replaced by a file).
TEST(DiskTier, FolderThatBreaksLaterWarnsOnce) {
  TempDir dir;
  WarningLog log;
  FakeBackend backend;
  auto cache = open_cache(options_at(dir.path(), &log));
  ASSERT_TRUE(cache->obtain(backend, make_program(0), {}).ok());
  std::filesystem::remove_all(dir / "tmp");
  write_file(dir / "tmp", std::vector<std::uint8_t>{1});
  for (std::uint32_t v = 1; v < 6; ++v)
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  EXPECT_EQ(log.count(code::CacheDiskUnavailable), 1u);
  EXPECT_FALSE(cache->disk()->writable());
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(3), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Memory);
}

TEST(DiskTier, ReadOnlyFolderWhenNotRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "permission bits do not stop root; covered by ENOTDIR";
  TempDir dir;
  auto root = dir / "ro";
  std::filesystem::create_directory(root);
  ::chmod(root.c_str(), 0500);
  WarningLog log;
  FakeBackend backend;
  auto cache = open_cache(options_at(root, &log));
  for (std::uint32_t v = 0; v < 3; ++v)
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  EXPECT_EQ(log.count(code::CacheDiskUnavailable), 1u);
  EXPECT_EQ(log.count(), 1u);
}

// The hit path reads into the caller's scratch when the file fits, the heap when it does not;
// either way the same entry comes back, and a corrupt one is refused from the scratch too.
TEST(DiskTier, ReadsIntoTheCallersScratchWhenTheEntryFits) {
  TempDir dir;
  FakeBackend backend;
  backend.payload_bytes = 1000;
  const ir::Program program = make_program(7);
  auto cache = open_cache(options_at(dir.path()));
  ASSERT_TRUE(cache->obtain(backend, program, {}).ok());
  auto factors = cache->key_factors(backend, program, {});
  const Digest key = factors->key();
  const std::vector<std::uint8_t> expected = encode_key_factors(*factors);
  const std::string payload = backend.expected_bytes(program, {});
  auto payload_of = [](const DiskRead& read) {
    return std::string(read.entry.payload.begin(), read.entry.payload.end());
  };

  std::vector<std::uint8_t> roomy(8192, 0);
  DiskRead in_scratch = cache->disk()->read(key, true, expected, roomy);
  ASSERT_EQ(in_scratch.status, ReadStatus::Hit);
  EXPECT_EQ(in_scratch.file.data(), roomy.data());
  EXPECT_TRUE(in_scratch.bytes.empty()) << "no heap copy when the scratch holds the file";
  EXPECT_EQ(in_scratch.file.size(), std::filesystem::file_size(cache->disk()->entry_path(key)));
  EXPECT_EQ(payload_of(in_scratch), payload);

  std::vector<std::uint8_t> short_scratch(64, 0);
  DiskRead on_heap = cache->disk()->read(key, true, expected, short_scratch);
  ASSERT_EQ(on_heap.status, ReadStatus::Hit);
  EXPECT_EQ(on_heap.file.data(), on_heap.bytes.data());
  EXPECT_EQ(on_heap.file.size(), in_scratch.file.size());
  EXPECT_TRUE(std::all_of(short_scratch.begin(), short_scratch.end(), [](auto b) {
    return b == 0;
  })) << "a scratch too short for the file is not written";
  EXPECT_EQ(payload_of(on_heap), payload);
  EXPECT_EQ(payload_of(cache->disk()->read(key, true, expected)), payload);

  const auto path = cache->disk()->entry_path(key);
  auto bytes = read_file(path);
  bytes[bytes.size() - 10] ^= 0x40;  // inside the payload
  write_file(path, bytes);
  DiskRead corrupt = cache->disk()->read(key, true, expected, roomy);
  EXPECT_EQ(corrupt.status, ReadStatus::Corrupt);
  EXPECT_TRUE(corrupt.file.empty());
  ASSERT_TRUE(corrupt.defect);
  EXPECT_FALSE(std::filesystem::exists(path)) << "a corrupt entry is removed";
}

TEST(DiskTier, VerifyFindsAndFixesBadEntries) {
  TempDir dir;
  FakeBackend backend;
  {
    auto cache = open_cache(options_at(dir.path()));
    for (std::uint32_t v = 0; v < 3; ++v)
      ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  }
  DiskTier disk({.root = dir.path()});
  auto entries = disk.scan(true);
  ASSERT_EQ(entries.size(), 3u);
  auto bytes = read_file(entries[1].path);
  bytes.back() ^= 1;
  write_file(entries[1].path, bytes);
  auto verified = disk.verify(false);
  ASSERT_EQ(verified.size(), 3u);
  EXPECT_EQ(
      std::count_if(verified.begin(), verified.end(), [](auto& e) { return e.defect.has_value(); }),
      1);
  EXPECT_TRUE(verified[1].defect);
  EXPECT_TRUE(std::filesystem::exists(entries[1].path));
  disk.verify(true);
  EXPECT_FALSE(std::filesystem::exists(entries[1].path));
  EXPECT_EQ(disk.scan(false).size(), 2u);
  for (const auto& e : disk.scan(true)) {
    ASSERT_TRUE(e.metadata);
    EXPECT_EQ(e.metadata->factors.backend, "fake");
    EXPECT_EQ(e.metadata->factors.fingerprint.compiler, "fakecc 1.0");
  }
}

TEST(DiskTier, GcAndClear) {
  TempDir dir;
  FakeBackend backend;
  backend.payload_bytes = 1000;
  {
    auto cache = open_cache(options_at(dir.path()));
    for (std::uint32_t v = 0; v < 10; ++v)
      ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  }
  write_file(dir / "tmp" / (std::string(64, 'b') + "." + std::to_string(dead_pid()) + ".0.tmp"),
             std::vector<std::uint8_t>(5));
  DiskTier disk({.root = dir.path(), .max_bytes = 5000, .create = false});
  GcReport report = disk.gc();
  EXPECT_EQ(report.orphans_removed, 1u);
  EXPECT_GT(report.entries_evicted, 0u);
  EXPECT_LE(report.bytes_after, 5000u);
  EXPECT_EQ(disk.total_bytes(), report.bytes_after);
  EXPECT_GT(disk.clear(), 0u);
  EXPECT_EQ(disk.scan(false).size(), 0u);
  EXPECT_EQ(count_files(dir / "tmp"), 0u);
}

}  // namespace
}  // namespace vyre::pipeline
