// A cache folder that is not vyre's, or not safe: data outside the cache is never lost, an
// untrusted folder is refused with one warning and never read or written through, and entries
// are authenticated with the user's secret (issue 22).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <map>

#include "pipeline/fake_backend.h"
#include "pipeline/file_ops.h"
#include "vyre/pipeline/cache_maintenance.h"
#include "vyre/pipeline/stats_file.h"

namespace vyre::pipeline {
namespace {

using namespace testing;
namespace fs = std::filesystem;

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

pid_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

void age(const fs::path& path, std::time_t seconds) {
  struct utimbuf times {
    std::time(nullptr) - seconds, std::time(nullptr) - seconds
  };
  ::utime(path.c_str(), &times);
}

// Every file under `dir` with its bytes, to compare before and after.
std::map<std::string, std::vector<std::uint8_t>> snapshot_of(const fs::path& dir) {
  std::map<std::string, std::vector<std::uint8_t>> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink()) {
      out[it->path().string()] = bytes_of("-> " + fs::read_symlink(it->path()).string());
    } else if (it->is_regular_file()) {
      out[it->path().string()] = read_file(it->path());
    } else {
      out[it->path().string()] = bytes_of("(folder)");
    }
  }
  return out;
}

// $HOME or /var as VYRE_CACHE_DIR: its files survive runs, clear, gc and verify.
TEST(CacheFolder, AForeignFoldersFilesSurviveEverything) {
  TempDir dir;
  write_file(dir / "notes.txt", bytes_of("my notes"));
  write_file(dir / "stats.json", bytes_of("{\"mine\": true}"));
  fs::create_directory(dir / "tmp");
  write_file(dir / "tmp" / "draft", bytes_of("draft"));
  const auto vyre_named =
      dir / "tmp" / (std::string(64, 'a') + "." + std::to_string(dead_pid()) + ".0.tmp");
  write_file(vyre_named, bytes_of("looks like vyre's"));
  age(dir / "tmp" / "draft", 7200);
  age(vyre_named, 7200);
  const auto before = snapshot_of(dir.path());

  WarningLog log;
  FakeBackend backend;
  for (int run = 0; run < 2; ++run) {
    auto options = options_at(dir.path(), &log);
    options.persist_stats = true;
    auto cache = open_cache(options);
    for (std::uint32_t v = 0; v < 3; ++v) {
      ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
    }
    EXPECT_TRUE(cache->flush().ok());
  }
  EXPECT_EQ(log.count(), 2u) << "one warning per run";
  EXPECT_EQ(log.count(code::CacheFolderNotVyres), 2u);

  DiskStore disk(inspect(dir.path()), {.create = false});
  ASSERT_TRUE(disk.refusal());
  EXPECT_EQ(disk.refusal()->code, code::CacheFolderNotVyres);
  EXPECT_EQ(disk.maintenance(), nullptr) << "a folder without the marker is not maintained";
  disk.gc();
  disk.clear();
  verify_entries(disk, true);
  EXPECT_EQ(snapshot_of(dir.path()), before);
}

// An empty folder, or one holding only vyre's own names (an older vyre cache), is adopted.
TEST(CacheFolder, AnEmptyFolderIsAdoptedAndMarked) {
  TempDir dir;
  FakeBackend backend;
  auto cache = open_cache(options_at(dir.path()));
  ASSERT_TRUE(cache->disk()->writable());
  const auto marker = read_file(dir / "CACHEDIR.TAG");
  EXPECT_EQ(std::string(marker.begin(), marker.begin() + 43),
            "Signature: 8a477f597d28d172789f06886806bc55");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "secret.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

void expect_refused_without_io(const fs::path& root, WarningLog& log, std::string_view code) {
  FakeBackend backend;
  auto cache = open_cache(options_at(root, &log));
  for (int round = 0; round < 2; ++round) {
    for (std::uint32_t v = 0; v < 3; ++v) {
      CacheOutcome o;
      ASSERT_TRUE(cache->obtain(backend, make_program(v), {}, &o).ok());
      EXPECT_EQ(o.tier, round == 0 ? CacheTier::Compiled : CacheTier::Memory);
    }
  }
  EXPECT_EQ(backend.loads, 0);
  EXPECT_EQ(log.count(), 1u);
  EXPECT_EQ(log.count(code), 1u);
  EXPECT_FALSE(cache->snapshot().any_store_writable());
}

TEST(CacheFolder, AWorldWritableRootIsRefused) {
  TempDir dir;
  const fs::path root = dir / "shared";
  fs::create_directory(root);
  ::chmod(root.c_str(), 0777);
  WarningLog log;
  expect_refused_without_io(root, log, code::CacheFolderUntrusted);
  EXPECT_NE(log.warnings[0].message.find("0777"), std::string::npos) << log.warnings[0].message;
  EXPECT_EQ(count_files(root), 0u) << "nothing was written into it";
}

TEST(CacheFolder, ARootOwnedByAnotherUserIsRefused) {
  TempDir dir;
  WarningLog log;
  FakeBackend backend;
  DiskStoreOptions disk = inspect(dir.path());
  disk.trusted_owner = static_cast<long>(::geteuid()) + 1;  // as if the folder were theirs
  PipelineCacheOptions options = options_at({}, &log);
  options.stores = {DiskStore::row(disk)};
  auto cache = open_cache(options);
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  EXPECT_EQ(log.count(code::CacheFolderUntrusted), 1u);
  EXPECT_NE(log.warnings[0].message.find("owned by user"), std::string::npos);
  EXPECT_EQ(count_files(dir.path()), 0u);
}

// A warm cache elsewhere, reached through a symlink at each level: never read or written.
struct WarmCache {
  TempDir dir;
  FakeBackend backend;
  Digest key{};
  WarmCache() {
    auto cache = open_cache(options_at(dir.path()));
    if (!cache->obtain(backend, make_program(1), {}).ok()) std::abort();
    key = cache->key_factors(backend, make_program(1), {})->key();
  }
  fs::path entry() const { return dir / to_hex(key).substr(0, 2) / (to_hex(key) + ".bin"); }
};

TEST(CacheFolder, ASymlinkAtTheRootIsRefused) {
  WarmCache warm;
  TempDir dir;
  fs::create_directory_symlink(warm.dir.path(), dir / "link");
  const auto before = snapshot_of(warm.dir.path());
  WarningLog log;
  expect_refused_without_io(dir / "link", log, code::CacheFolderUntrusted);
  EXPECT_EQ(snapshot_of(warm.dir.path()), before);
}

TEST(CacheFolder, ASymlinkAtTmpIsRefused) {
  TempDir target, dir;
  { open_cache(options_at(dir.path())); }
  fs::remove_all(dir / "tmp");
  fs::create_directory_symlink(target.path(), dir / "tmp");
  WarningLog log;
  expect_refused_without_io(dir.path(), log, code::CacheFolderUntrusted);
  EXPECT_EQ(count_files(target.path()), 0u);
}

TEST(CacheFolder, ASymlinkAtAShardIsNotReadOrWrittenThrough) {
  WarmCache warm;
  TempDir dir;
  { open_cache(options_at(dir.path())); }
  const std::string shard = to_hex(warm.key).substr(0, 2);
  fs::create_directory_symlink(warm.dir / shard, dir / shard);
  const auto before = snapshot_of(warm.dir.path());
  WarningLog log;
  FakeBackend backend;
  auto cache = open_cache(options_at(dir.path(), &log));
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Compiled) << "an entry behind a symlinked shard was served";
  EXPECT_EQ(backend.loads, 0);
  ASSERT_TRUE(cache->flush().ok());
  EXPECT_EQ(snapshot_of(warm.dir.path()), before) << "written through the symlinked shard";
  EXPECT_EQ(log.count(code::CacheFolderUntrusted), 1u);
  EXPECT_EQ(log.count(), 1u) << log.warnings.back().code << ": " << log.warnings.back().message;
  // Other shards work.
  std::uint32_t v = 2;
  while (to_hex(cache->key_factors(backend, make_program(v), {})->key()).substr(0, 2) == shard) ++v;
  ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  EXPECT_TRUE(cache->disk()->writable());
  auto verified = verify_entries(*cache->disk(), false);
  EXPECT_TRUE(std::any_of(verified.entries.begin(), verified.entries.end(), [](auto& e) {
    return e.defect && e.defect->message.find("symbolic link") != std::string::npos;
  })) << "verify does not report the symlinked shard";
}

TEST(CacheFolder, ASymlinkAtAnEntryIsNotFollowed) {
  WarmCache warm;
  TempDir dir;
  FakeBackend backend;
  auto cache = open_cache(options_at(dir.path()));
  fs::create_directory(dir / to_hex(warm.key).substr(0, 2));
  fs::create_symlink(warm.entry(), cache->disk()->entry_path(warm.key));
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Compiled);
  EXPECT_EQ(o.miss, MissReason::CorruptEntry);
  EXPECT_EQ(backend.loads, 0);
  EXPECT_TRUE(fs::is_regular_file(warm.entry())) << "the link's target was touched";
  EXPECT_FALSE(fs::is_symlink(cache->disk()->entry_path(warm.key)));
}

// Entries are authenticated with the user's secret: bytes written under another never load.
TEST(CacheFolder, AnEntryWrittenWithAnotherUsersSecretIsNeverLoaded) {
  WarmCache warm;
  std::vector<std::uint8_t> theirs(32, 0x77);
  write_file(warm.dir / "secret.key", theirs);
  ::chmod((warm.dir / "secret.key").c_str(), 0600);
  FakeBackend backend;
  auto cache = open_cache(options_at(warm.dir.path()));
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Compiled);
  EXPECT_EQ(o.miss, MissReason::CorruptEntry);
  EXPECT_NE(o.miss_explanation.find("another secret"), std::string::npos) << o.miss_explanation;
  EXPECT_EQ(backend.loads, 0);
}

TEST(CacheFolder, ASecretReadableByOthersIsRefused) {
  WarmCache warm;
  ::chmod((warm.dir / "secret.key").c_str(), 0644);
  WarningLog log;
  expect_refused_without_io(warm.dir.path(), log, code::CacheSecretUnusable);
}

// VYRE_CACHE_READONLY: hits served silently, nothing written, no warning.
TEST(CacheFolder, ReadOnlyModeServesHitsAndWritesNothing) {
  WarmCache warm;
  const auto before = snapshot_of(warm.dir.path());
  WarningLog log;
  FakeBackend backend;
  auto options = options_at(warm.dir.path(), &log);
  options.read_only = true;
  options.persist_stats = true;
  auto cache = open_cache(options);
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Disk);
  ASSERT_TRUE(cache->obtain(backend, make_program(2), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Compiled);
  EXPECT_TRUE(cache->flush().ok());
  cache.reset();
  EXPECT_EQ(log.count(), 0u);
  EXPECT_EQ(snapshot_of(warm.dir.path()), before);
}

// A cache folder that cannot take writes warns once, at the first write, and not on runs that
// only hit.
TEST(CacheFolder, AnUnwritableFolderWarnsOnlyWhenAWriteIsNeeded) {
  if (::geteuid() == 0)
    GTEST_SKIP() << "permission bits do not stop root (the fault test covers it)";
  WarmCache warm;
  ::chmod((warm.dir / "tmp").c_str(), 0500);
  WarningLog log;
  FakeBackend backend;
  {
    auto cache = open_cache(options_at(warm.dir.path(), &log));
    CacheOutcome o;
    ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
    EXPECT_EQ(o.tier, CacheTier::Disk);
  }
  EXPECT_EQ(log.count(), 0u) << "a run of hits warned";
  auto cache = open_cache(options_at(warm.dir.path(), &log));
  for (std::uint32_t v = 2; v < 5; ++v)
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  EXPECT_EQ(log.count(code::CacheDiskUnavailable), 1u);
}

// The same through the FileOps seam, so it runs as root too: a folder the process may not write
// (every write-type call fails with EACCES) serves a run of hits without a warning, and warns once
// when a miss needs a write.
class ReadOnlyFolderOps : public FileOps {
 public:
  int open_beneath(int d, const char* r, int f, mode_t m) override {
    return (f & (O_WRONLY | O_RDWR | O_CREAT)) != 0 ? denied() : FileOps::open_beneath(d, r, f, m);
  }
  int mkdirat(int, const char*, mode_t) override { return denied(); }
  int renameat(int, const char*, int, const char*) override { return denied(); }
  int unlinkat(int, const char*, int) override { return denied(); }
  int linkat(int, const char*, int, const char*) override { return denied(); }
  int faccessat(int d, const char* n, int m) override {
    return (m & W_OK) != 0 ? denied() : FileOps::faccessat(d, n, m);
  }

 private:
  static int denied() {
    errno = EACCES;
    return -1;
  }
};

TEST(CacheFolder, AnUnwritableFolderWarnsOnlyWhenAWriteIsNeededEvenForRoot) {
  WarmCache warm;
  WarningLog log;
  FakeBackend backend;
  auto options_for = [&] {
    DiskStoreOptions disk = inspect(warm.dir.path());
    disk.file_ops = std::make_shared<ReadOnlyFolderOps>();
    PipelineCacheOptions options = options_at({}, &log);
    options.stores = {DiskStore::row(disk)};
    return options;
  };
  for (int run = 0; run < 3; ++run) {  // three runs of hits: not a word
    auto cache = open_cache(options_for());
    CacheOutcome o;
    ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
    EXPECT_EQ(o.tier, CacheTier::Disk);
    EXPECT_FALSE(cache->disk()->writable());
  }
  EXPECT_EQ(log.count(), 0u) << "a run of hits warned: " << log.warnings[0].message;
  auto cache = open_cache(options_for());
  for (std::uint32_t v = 2; v < 5; ++v)
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  EXPECT_EQ(log.count(code::CacheDiskUnavailable), 1u);
  EXPECT_EQ(log.count(), 1u);
}

// Packs: read-only stores under the user's cache, served and promoted, never written.
TEST(CacheFolder, APackIsServedPromotedAndNeverWritten) {
  TempDir pack, user;
  FakeBackend backend;
  {  // built by the application's vendor: a disk store keyed with the public pack secret
    DiskStoreOptions build = inspect(pack.path());
    build.name = "pack";
    build.keyed = false;
    PipelineCacheOptions options = options_at({});
    options.stores = {DiskStore::row(build)};
    ASSERT_TRUE(open_cache(options)->obtain(backend, make_program(1), {}).ok());
  }
  ASSERT_EQ(backend.compiles, 1);
  const auto before = snapshot_of(pack.path());
  auto options = options_at(user.path());
  options.stores = pack_rows(pack.path().string());
  auto cache = open_cache(options);
  ASSERT_EQ(cache->stores().size(), 2u);
  EXPECT_FALSE(cache->store("pack")->writable());
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Disk);
  EXPECT_EQ(o.store, "pack");
  EXPECT_EQ(backend.compiles, 1);
  ASSERT_TRUE(cache->obtain(backend, make_program(2), {}).ok());
  ASSERT_TRUE(cache->flush().ok());
  EXPECT_EQ(cache->snapshot().store("disk")->promoted, 1u);
  EXPECT_EQ(list_entries(*cache->disk(), false).size(), 2u) << "promoted and compiled entries";
  EXPECT_EQ(snapshot_of(pack.path()), before) << "the pack was written";

  // A damaged pack entry is never served, and (read-only) not removed either.
  cache.reset();
  TempDir other_user;
  const Digest key = open_cache(options_at({}))->key_factors(backend, make_program(1), {})->key();
  const fs::path entry = pack / to_hex(key).substr(0, 2) / (to_hex(key) + ".bin");
  auto bytes = read_file(entry);
  bytes[bytes.size() - 1] ^= 1;
  write_file(entry, bytes);
  auto fresh_options = options_at(other_user.path());
  fresh_options.stores = pack_rows(pack.path().string());
  auto fresh = open_cache(fresh_options);
  ASSERT_TRUE(fresh->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Compiled);
  EXPECT_EQ(o.miss, MissReason::CorruptEntry);
  EXPECT_TRUE(fs::exists(entry));
}

// A folder at an entry path: removed when empty, and the key stored again; one with files in it
// is reported, by verify --fix and clear, as not deleted.
TEST(CacheFolder, AFolderAtAnEntryPathIsWorkedAround) {
  TempDir dir;
  FakeBackend backend;
  auto options = options_at(dir.path());
  options.memory_max_entries = 0;
  auto cache = open_cache(options);
  const Digest key = cache->key_factors(backend, make_program(1), {})->key();
  const fs::path path = cache->disk()->entry_path(key);
  fs::create_directories(path);
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.miss, MissReason::CorruptEntry);
  EXPECT_TRUE(fs::is_regular_file(path)) << "the key could not be stored again";
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Disk);

  const Digest key2 = cache->key_factors(backend, make_program(2), {})->key();
  const fs::path path2 = cache->disk()->entry_path(key2);
  fs::create_directories(path2);
  write_file(path2 / "someone-elses", bytes_of("x"));
  ASSERT_TRUE(cache->obtain(backend, make_program(2), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Compiled);
  VerifyReport fixed = verify_entries(*cache->disk(), true);
  ASSERT_EQ(fixed.failures.size(), 1u);
  EXPECT_EQ(fixed.failures[0].location, path2.string());
  EXPECT_NE(fixed.failures[0].reason.find("files in it"), std::string::npos);
  ClearReport cleared = cache->disk()->clear();
  ASSERT_EQ(cleared.failures.size(), 1u);
  EXPECT_EQ(cleared.entries_removed, 1u);
  EXPECT_TRUE(fs::exists(path2 / "someone-elses"));
  EXPECT_GT(cache->snapshot().store("disk")->counters[StoreCounter::RemoveFailures], 0u);
  auto folder = std::find_if(fixed.entries.begin(), fixed.entries.end(), [&](const CacheEntry& e) {
    return e.item.location == path2.string();
  });
  ASSERT_NE(folder, fixed.entries.end());
  Status erased = cache->disk()->erase(folder->item);
  ASSERT_FALSE(erased.ok()) << folder->item.location << " " << fs::exists(path2);
  EXPECT_EQ(erased.error().code, code::CacheRemoveFailed);
}

// A plain file where a shard folder should be: only that shard is affected, verify sees it, and
// verify --fix clears the way.
TEST(CacheFolder, APlainFileAtAShardPathIsNoticedAndWorkedAround) {
  TempDir dir;
  FakeBackend backend;
  WarningLog log;
  auto cache = open_cache(options_at(dir.path(), &log));
  const Digest key = cache->key_factors(backend, make_program(1), {})->key();
  const fs::path shard = dir / to_hex(key).substr(0, 2);
  write_file(shard, bytes_of("not a folder"));
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  EXPECT_TRUE(cache->disk()->writable()) << "one bad shard turned every write off";
  std::uint32_t v = 2;
  while (to_hex(cache->key_factors(backend, make_program(v), {})->key()).substr(0, 2) ==
         to_hex(key).substr(0, 2)) {
    ++v;
  }
  ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  EXPECT_EQ(list_entries(*cache->disk(), false).size(), 2u);  // the shard's defect and entry v
  EXPECT_EQ(cache->snapshot().store("disk")->counters[StoreCounter::WriteFailures], 1u);
  EXPECT_EQ(log.count(code::CacheWriteFailed), 1u);
  VerifyReport verified = verify_entries(*cache->disk(), true);
  EXPECT_EQ(verified.removed, 1u);
  EXPECT_FALSE(fs::exists(shard));
  auto again = open_cache(options_at(dir.path()));
  ASSERT_TRUE(again->obtain(backend, make_program(1), {}).ok());
  EXPECT_TRUE(fs::is_regular_file(again->disk()->entry_path(key)));
}

// The size bound counts allocated bytes, so a sparse junk file evicts nothing valid.
TEST(CacheFolder, GcCountsAllocatedNotApparentSize) {
  TempDir dir;
  FakeBackend backend;
  auto options = options_at(dir.path());
  options.disk_max_bytes = 1 << 20;
  {
    auto cache = open_cache(options);
    for (std::uint32_t v = 0; v < 4; ++v)
      ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  }
  const fs::path junk = dir / "ab" / (std::string("ab") + std::string(62, '0') + ".bin");
  fs::create_directories(junk.parent_path());
  write_file(junk, bytes_of("x"));
  fs::resize_file(junk, 1ull << 30);  // 1 GiB apparent, a block allocated
  DiskStoreOptions disk = inspect(dir.path());
  disk.max_bytes = options.disk_max_bytes;
  DiskStore store(disk, {.create = false});
  GcReport report = store.gc();
  EXPECT_EQ(report.entries_evicted, 0u);
  EXPECT_EQ(list_entries(store, true).size(), 5u);
}

TEST(CacheFolder, ABoundSmallerThanOneEntryIsReportedOnce) {
  TempDir dir;
  WarningLog log;
  FakeBackend backend;
  auto options = options_at(dir.path(), &log);
  options.disk_max_bytes = 1000;
  auto cache = open_cache(options);
  for (std::uint32_t v = 0; v < 3; ++v)
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  EXPECT_EQ(log.count(code::CacheEntryOverBound), 1u);
  EXPECT_EQ(cache->snapshot().store("disk")->counters[StoreCounter::SkippedOversize], 3u);
}

}  // namespace
}  // namespace vyre::pipeline
