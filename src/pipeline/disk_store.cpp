// The disk store's data path: get (bounded, no symlink followed), put (temp file, rename),
// remove, discard and the batched durable flush.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "disk_store_state.h"
#include "file_io.h"
#include "vyre/diag/codes.h"

namespace vyre::pipeline {
namespace fs = std::filesystem;
namespace {

// Hits whose LRU refresh may wait for the next flush before get() applies them itself.
constexpr std::size_t kMaxPendingTouches = 256;

// Errors that mean "this folder cannot take writes": warn once and stop writing.
bool means_unwritable(int e) {
  return e == EROFS || e == ENOSPC || e == EDQUOT || e == EACCES || e == EPERM;
}

std::uint64_t round_to_blocks(std::uint64_t n) {
  return (n + 4095) / 4096 * 4096;
}

std::int64_t now_ns() {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

}  // namespace

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string entry_relative(const Digest& key) {
  const std::string hex = to_hex(key);
  std::string rel;
  rel.reserve(hex.size() + 8);
  rel.append(hex, 0, 2);
  rel += '/';
  rel += hex;
  rel += kEntrySuffix;
  return rel;
}

std::optional<Digest> key_from_entry_name(std::string_view shard, std::string_view name) {
  if (name.size() != 64 + kEntrySuffix.size() || name.substr(64) != kEntrySuffix) {
    return std::nullopt;
  }
  std::string_view hex = name.substr(0, 64);
  if (!is_lower_hex(hex) || hex.substr(0, 2) != shard) return std::nullopt;
  return digest_from_hex(hex);
}

long temp_writer_pid(std::string_view name) {
  if (!name.ends_with(kTempSuffix)) return 0;
  name.remove_suffix(kTempSuffix.size());
  auto digits = [](std::string_view d) {
    return !d.empty() && d.size() < 10 && std::all_of(d.begin(), d.end(), ::isdigit);
  };
  auto number = [](std::string_view d) { return std::stol(std::string(d)); };
  if (name.starts_with("stats.json.")) {  // stats.json.<pid>.tmp
    std::string_view pid = name.substr(11);
    return digits(pid) ? number(pid) : 0;
  }
  for (std::string_view kind : {"marker.", "secret."}) {  // <kind>.<pid>.tmp
    if (name.starts_with(kind)) {
      std::string_view pid = name.substr(kind.size());
      return digits(pid) ? number(pid) : 0;
    }
  }
  // <64 hex key>.<pid>.<seq>.tmp
  if (name.size() < 68 || !is_lower_hex(name.substr(0, 64)) || name[64] != '.') return 0;
  std::string_view rest = name.substr(65);
  std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos || !digits(rest.substr(0, dot)) ||
      !digits(rest.substr(dot + 1))) {
    return 0;
  }
  return number(rest.substr(0, dot));
}

std::string io_error_text(int e) {
  return e == FileOps::kShortIo ? std::string(
                                      "short read or write (the file changed or the disk "
                                      "is full)")
                                : file_io::errno_text(e);
}

std::uint64_t allocated_bytes(const struct stat& st) {
  return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

std::int64_t mtime_of(const struct stat& st) {
  return file_io::mtime_ns(st);
}

StoreOptions DiskStore::row(DiskStoreOptions options) {
  StoreOptions row;
  row.name = options.name;
  row.open = [options = std::move(options)](const StoreContext& context) {
    return std::unique_ptr<ByteStore>(new DiskStore(options, context));
  };
  return row;
}

fs::path DiskStore::entry_path(const Digest& key) const {
  return options_.root / entry_relative(key);
}

StoreCounters DiskStore::counters() const {
  return state_->counters.snapshot();
}

StoreRead DiskStore::get(const Digest& key, std::span<std::uint8_t> scratch, bool refresh) {
  State& s = *state_;
  StoreRead out;
  if (!s.trusted) return out;
  std::string rel = entry_relative(key);
  auto unreadable = [&](std::string what) {
    out.status = StoreStatus::Unreadable;
    out.bytes = {};
    out.owned.clear();
    out.defect = Diagnostic::error(code::CacheEntryCorrupt, "corrupt pipeline cache entry: " + what,
                                   "the entry is never served; the cache removes it and "
                                   "recompiles (`vyre cache verify --fix` cleans the folder)");
    return out;
  };
  int fd = s.ops->open_beneath(s.root_fd, rel.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT || e == ENOTDIR) {  // absent, or a plain file where the shard should be
      s.counters.add(StoreCounter::Misses);
      return out;
    }
    if (e == ELOOP) {
      struct stat shard {};
      if (s.ops->fstatat(s.root_fd, rel.substr(0, 2).c_str(), &shard) == 0 &&
          S_ISLNK(shard.st_mode)) {
        warn_once(s.warned_untrusted,
                  Diagnostic::warning(code::CacheFolderUntrusted,
                                      "pipeline cache shard folder '" +
                                          (options_.root / rel.substr(0, 2)).string() +
                                          "' is a symbolic link; it is not read or written "
                                          "through",
                                      "remove the link (`vyre cache verify --fix` does)"));
        s.counters.add(StoreCounter::Misses);
        return out;
      }
      // The entry itself is a symlink: refuse it, and remove the link (never its target).
      StoreRead bad = unreadable("entry is a symbolic link");
      (void)discard(key, bad);
      return bad;
    }
    return unreadable("cannot open: " + file_io::errno_text(e));
  }
  struct stat st {};
  std::string problem;
  if (s.ops->fstat(fd, &st) != 0) {
    problem = "fstat failed: " + file_io::errno_text(errno);
  } else if (S_ISDIR(st.st_mode)) {
    problem = "a folder where an entry should be";
  } else if (!S_ISREG(st.st_mode)) {
    problem = "not a regular file";
  } else if (static_cast<std::uint64_t>(st.st_size) > options_.max_item_bytes) {
    problem = "file of " + std::to_string(st.st_size) + " bytes exceeds the " +
              std::to_string(options_.max_item_bytes) + "-byte read bound";
  } else {
    const auto size = static_cast<std::size_t>(st.st_size);
    std::uint8_t* into = scratch.data();
    if (size > scratch.size()) {
      out.owned.resize(size);
      into = out.owned.data();
    }
    if (int e = s.ops->read_exact(fd, into, size); e != 0) {
      if (e == FileOps::kShortIo) s.counters.add(StoreCounter::IoErrors);  // no call failed
      s.ops->close(fd);
      return unreadable("read failed: " + io_error_text(e));  // kept: maybe transient
    }
    out.bytes = {into, size};
  }
  s.ops->close(fd);
  if (!problem.empty()) {
    out.version = static_cast<std::uint64_t>(st.st_ino);
    StoreRead bad = unreadable(problem);
    (void)discard(key, bad);
    return bad;
  }
  out.status = StoreStatus::Hit;
  out.version = static_cast<std::uint64_t>(st.st_ino);
  s.counters.add(StoreCounter::Hits);
  if (refresh && s.writable.load(std::memory_order_relaxed) &&
      now_ns() - mtime_of(st) > std::chrono::nanoseconds(options_.touch_granularity).count()) {
    // The LRU age is refreshed later (apply_touches), not by a metadata write on the hit.
    bool full = false;
    {
      std::lock_guard lock(s.touch_mutex);
      if (s.touches.empty() || s.touches.back() != rel) s.touches.push_back(std::move(rel));
      full = s.touches.size() >= kMaxPendingTouches;
    }
    if (full) apply_touches();
  }
  return out;
}

int DiskStore::open_shard(const std::string& shard, bool create) {
  State& s = *state_;
  int fd = s.ops->open_beneath(s.root_fd, shard.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0 && errno == ENOENT && create) {
    if (s.ops->mkdirat(s.root_fd, shard.c_str(), 0700) != 0 && errno != EEXIST) return -1;
    fd = s.ops->open_beneath(s.root_fd, shard.c_str(), O_RDONLY | O_DIRECTORY);
  }
  if (fd < 0) return -1;
  struct stat st {};
  if (s.ops->fstat(fd, &st) != 0 || (st.st_mode & 022) != 0) {
    s.ops->close(fd);
    errno = EPERM;
    return -1;
  }
  return fd;
}

bool DiskStore::remove(const Digest& key) {
  return unlink_entry(key, 0);
}

bool DiskStore::discard(const Digest& key, const StoreRead& read) {
  if (!unlink_entry(key, read.version)) return false;
  state_->counters.add(StoreCounter::CorruptRemoved);
  return true;
}

bool DiskStore::unlink_entry(const Digest& key, std::uint64_t version) {
  State& s = *state_;
  if (!s.trusted || options_.read_only || context_.read_only) return false;
  const std::string rel = entry_relative(key);
  int shard = s.ops->open_beneath(s.root_fd, rel.substr(0, 2).c_str(), O_RDONLY | O_DIRECTORY);
  if (shard < 0) return false;
  const std::string name = rel.substr(3);
  struct stat st {};
  bool removed = false;
  if (s.ops->fstatat(shard, name.c_str(), &st) == 0 &&
      (version == 0 || static_cast<std::uint64_t>(st.st_ino) == version)) {
    // A folder at an entry path goes too when it is empty; one with files in it is not vyre's.
    removed = s.ops->unlinkat(shard, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) == 0;
    if (!removed) s.counters.add(StoreCounter::RemoveFailures);
  }
  s.ops->close(shard);
  if (removed) {
    std::lock_guard lock(s.budget_mutex);
    s.sized = false;
  }
  return removed;
}

bool DiskStore::fail_put(std::string_view what, int e, bool broken_folder) {
  State& s = *state_;
  s.counters.add(StoreCounter::WriteFailures);
  if (broken_folder || means_unwritable(e)) {
    s.writable.store(false, std::memory_order_relaxed);
    warn_once(s.warned_unwritable,
              Diagnostic::warning(
                  code::CacheDiskUnavailable,
                  "pipeline cache cannot " + std::string(what) + " at '" + options_.root.string() +
                      "': " + file_io::errno_text(e) + "; continuing with the memory tier only",
                  "set VYRE_CACHE_DIR to a writable folder, or fix this one's permissions or "
                  "free space; until then compiled pipelines are not kept between processes"));
  } else {
    warn_once(s.warned_write_error,
              Diagnostic::warning(code::CacheWriteFailed,
                                  "pipeline cache could not " + std::string(what) + " at '" +
                                      options_.root.string() + "': " + file_io::errno_text(e) +
                                      "; the pipeline is kept in memory only",
                                  "check the disk; `vyre cache stats` counts these failures"));
  }
  return false;
}

void DiskStore::write_skipped() {
  State& s = *state_;
  if (!s.trusted || options_.read_only || context_.read_only) return;  // off on purpose: silent
  if (s.unwritable_warning) warn_once(s.warned_unwritable, *s.unwritable_warning);
}

bool DiskStore::put(const Digest& key, std::span<const std::uint8_t> bytes) {
  State& s = *state_;
  if (!s.trusted || options_.read_only || context_.read_only) return false;
  if (!s.writable.load(std::memory_order_relaxed)) {
    if (s.unwritable_warning) warn_once(s.warned_unwritable, *s.unwritable_warning);
    return false;
  }
  const std::uint64_t n = round_to_blocks(bytes.size());
  if (n > options_.max_bytes) {
    s.counters.add(StoreCounter::SkippedOversize);
    warn_once(s.warned_oversize,
              Diagnostic::warning(code::CacheEntryOverBound,
                                  "a pipeline cache entry of " + std::to_string(bytes.size()) +
                                      " bytes is larger than the disk cache's whole bound of " +
                                      std::to_string(options_.max_bytes) +
                                      " bytes; such entries are not stored",
                                  "raise VYRE_CACHE_MAX_BYTES above the entry's size"));
    return false;
  }
  {
    std::lock_guard lock(s.budget_mutex);
    if (!s.sized) {
      s.total = total_bytes();
      s.sized = true;
    }
    if (s.total + n > options_.max_bytes) {
      // Evict to 90% of the bound (minus this entry) so eviction does not run on every write.
      std::uint64_t low_water = options_.max_bytes / 10 * 9;
      std::uint64_t target = std::min(options_.max_bytes - n, low_water > n ? low_water - n : 0);
      evict_until(target, &s.total, nullptr);
    }
    s.total += n;  // reserved; given back if the write fails
  }
  auto fail = [&](std::string_view what, int e, bool broken_folder = false) {
    {
      std::lock_guard lock(s.budget_mutex);
      s.total -= std::min(s.total, n);
    }
    return fail_put(what, e, broken_folder);
  };

  const std::string rel = entry_relative(key);
  const std::string shard = rel.substr(0, 2);
  const std::string name = rel.substr(3);
  const std::string temp = rel.substr(3, 64) + "." + std::to_string(::getpid()) + "." +
                           std::to_string(s.temp_seq.fetch_add(1)) + std::string(kTempSuffix);
  std::unique_lock tmp_lock(s.tmp_mutex);
  int fd = s.ops->open_beneath(s.tmp_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0 && errno == ENOENT) {  // tmp/ was removed under us: recreate it once
    (void)s.ops->mkdirat(s.root_fd, kTempDir, 0700);
    int fresh = s.ops->open_beneath(s.root_fd, kTempDir, O_RDONLY | O_DIRECTORY);
    if (fresh >= 0) {
      s.ops->close(s.tmp_fd);
      s.tmp_fd = fresh;
      fd = s.ops->open_beneath(s.tmp_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    }
  }
  const int tmp_fd = s.tmp_fd;
  tmp_lock.unlock();
  if (fd < 0) {
    const int e = errno;
    // tmp/ gone and replaced by a file: the folder is broken for writing, not one entry.
    return fail("create a temp file", e, /*broken_folder=*/e == ENOTDIR);
  }
  int e = s.ops->write_all(fd, bytes.data(), bytes.size());
  if (e == FileOps::kShortIo) {
    s.counters.add(StoreCounter::IoErrors);  // a write that wrote nothing: no call failed
    e = EIO;
  }
  if (s.ops->close(fd) != 0 && e == 0) e = errno;
  if (e != 0) {
    (void)s.ops->unlinkat(tmp_fd, temp.c_str(), 0);
    return fail("write an entry", e);
  }
  const int shard_fd = open_shard(shard, /*create=*/true);
  if (shard_fd < 0) {
    e = errno;
    (void)s.ops->unlinkat(tmp_fd, temp.c_str(), 0);
    if (e == ELOOP || e == EPERM) {
      // A symlinked or foreign shard: this shard is refused, the rest of the store works.
      warn_once(
          s.warned_untrusted,
          Diagnostic::warning(code::CacheFolderUntrusted,
                              "pipeline cache shard folder '" + (options_.root / shard).string() +
                                  "' is a symbolic link or writable by others; it is not "
                                  "read or written through",
                              "remove it (`vyre cache verify --fix` does)"));
      s.counters.add(StoreCounter::WriteFailures);
      std::lock_guard lock(s.budget_mutex);
      s.total -= std::min(s.total, n);
      return false;
    }
    // ENOTDIR: a plain file where the shard folder should be; only this shard is affected.
    return fail(
        e == ENOTDIR ? "create a shard folder (a file is in its place)" : "create a shard folder",
        e == ENOTDIR || e == EEXIST ? EIO : e);
  }
  if (s.ops->renameat(tmp_fd, temp.c_str(), shard_fd, name.c_str()) != 0) {
    e = errno;
    if (e == EISDIR || e == ENOTEMPTY || e == EEXIST) {
      // A folder sits at the entry path: remove it if empty (vyre may have left it), retry once.
      if (s.ops->unlinkat(shard_fd, name.c_str(), AT_REMOVEDIR) == 0 &&
          s.ops->renameat(tmp_fd, temp.c_str(), shard_fd, name.c_str()) == 0) {
        e = 0;
      }
    }
    if (e != 0) {
      (void)s.ops->unlinkat(tmp_fd, temp.c_str(), 0);
      s.ops->close(shard_fd);
      return fail("install an entry", e == EISDIR || e == ENOTEMPTY ? EIO : e);
    }
  }
  s.ops->close(shard_fd);
  s.counters.add(StoreCounter::Writes);
  std::lock_guard lock(s.pending_mutex);
  s.pending.push_back(rel);
  return true;
}

void DiskStore::apply_touches() {
  State& s = *state_;
  std::vector<std::string> paths;
  {
    std::lock_guard lock(s.touch_mutex);
    paths.swap(s.touches);
  }
  for (const std::string& rel : paths) {
    // Through the shard's descriptor, following nothing. Failure (the entry was evicted or
    // replaced meanwhile) only costs eviction accuracy.
    int shard = s.ops->open_beneath(s.root_fd, rel.substr(0, 2).c_str(), O_RDONLY | O_DIRECTORY);
    if (shard < 0) continue;
    (void)s.ops->touch(shard, rel.substr(3).c_str());
    s.ops->close(shard);
  }
}

Status DiskStore::flush() {
  State& s = *state_;
  if (!s.trusted) return Ok{};
  apply_touches();
  std::vector<std::string> paths;
  {
    std::lock_guard lock(s.pending_mutex);
    paths.swap(s.pending);
  }
  if (paths.empty()) return Ok{};
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  std::optional<Diagnostic> failure;
  auto record = [&](const std::string& rel, int e) {  // counted by the FileOps layer
    if (!failure) {
      failure =
          Diagnostic::error(code::CacheIoError,
                            "cannot flush pipeline cache file '" + (options_.root / rel).string() +
                                "': " + file_io::errno_text(e),
                            "check the cache folder's disk; entries that were not flushed "
                            "may be lost in a crash, and are then recompiled");
    }
  };
  std::vector<std::string> shards;
  for (const std::string& rel : paths) {
    int fd = s.ops->open_beneath(s.root_fd, rel.c_str(), O_RDONLY);
    if (fd < 0) continue;  // evicted or replaced meanwhile: nothing of ours to flush
    if (s.ops->fsync(fd) != 0) record(rel, errno);
    s.ops->close(fd);
    shards.push_back(rel.substr(0, 2));
  }
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  for (const std::string& shard : shards) {
    int fd = s.ops->open_beneath(s.root_fd, shard.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) continue;
    if (s.ops->fsync(fd) != 0) record(shard, errno);
    s.ops->close(fd);
  }
  if (s.ops->fsync(s.root_fd) != 0) record(".", errno);
  if (failure) {
    warn_once(s.warned_write_error,
              Diagnostic::warning(code::CacheWriteFailed, failure->message,
                                  "check the disk; `vyre cache stats` counts these failures"));
    return std::move(*failure);
  }
  return Ok{};
}

}  // namespace vyre::pipeline
