#include "vyre/pipeline/disk_tier.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <ctime>

#include "file_io.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"
#include "vyre/pipeline/stats_file.h"

namespace vyre::pipeline {
namespace fs = std::filesystem;
namespace {

constexpr const char* kTempDir = "tmp";
constexpr const char* kEntrySuffix = ".bin";
// Hits whose LRU refresh may wait for the next flush before read() applies them itself.
constexpr std::size_t kMaxPendingTouches = 256;
constexpr const char* kTempSuffix = ".tmp";

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "<64 hex>.bin" inside the "<2 hex>" shard that starts it.
std::optional<Digest> key_from_name(std::string_view shard, std::string_view name) {
  if (name.size() != 64 + 4 || name.substr(64) != kEntrySuffix) return std::nullopt;
  std::string_view hex = name.substr(0, 64);
  if (!is_hex(hex) || hex.substr(0, 2) != shard) return std::nullopt;
  return digest_from_hex(hex);
}

// Folder entries by name (no "." and ".."); empty when it cannot be read.
std::vector<std::string> list_dir(const fs::path& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

// Errors that mean "this folder cannot take writes": warn once and stop writing.
bool means_unwritable(int e) {
  return e == EROFS || e == ENOSPC || e == EDQUOT || e == EACCES || e == EPERM || e == ENOTDIR ||
         e == ENAMETOOLONG || e == ELOOP;
}

// Reads a whole entry file through `fd` (bounded) into `scratch` when it fits, else into
// out->bytes, and points out->file at it; the defect text on failure.
[[gnu::hot]] std::optional<std::string> read_entry_fd(int fd, const struct stat& st,
                                                      std::span<std::uint8_t> scratch,
                                                      DiskRead* out) {
  if (!S_ISREG(st.st_mode)) return std::string("not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > kMaxEntryBytes) {
    return "file of " + std::to_string(st.st_size) + " bytes exceeds the " +
           std::to_string(kMaxEntryBytes) + "-byte read bound";
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  std::span<std::uint8_t> into = scratch.first(std::min(size, scratch.size()));
  if (size > scratch.size()) {
    out->bytes.resize(size);
    into = out->bytes;
  }
  if (int e = file_io::read_exact(fd, into); e != 0) {
    return "read failed: " + file_io::errno_text(e);
  }
  out->file = into;
  return std::nullopt;
}

}  // namespace

bool InvalidationFilter::matches(const KeyFactors& factors) const {
  if (backend && factors.backend != *backend) return false;
  if (device && factors.fingerprint.device != *device) {
    std::string wanted = *device;
    std::transform(wanted.begin(), wanted.end(), wanted.begin(), ::tolower);
    if (wanted.size() < 8 || !is_hex(wanted) ||
        !to_hex(factors.device_digest()).starts_with(wanted)) {
      return false;
    }
  }
  if (program) {
    std::string wanted = *program;
    std::transform(wanted.begin(), wanted.end(), wanted.begin(), ::tolower);
    if (!to_hex(factors.program).starts_with(wanted)) return false;
  }
  return true;
}

DiskTier::DiskTier(DiskTierOptions options) : options_(std::move(options)) {
  if (options_.root.empty()) {
    disable_writes("use a disk cache: no folder is configured", ENOENT);
    return;
  }
  const fs::path temp = options_.root / kTempDir;
  if (!options_.create) {
    writable_ = ::access(options_.root.c_str(), W_OK | X_OK) == 0;
    return;
  }
  if (int e = file_io::make_dirs(options_.root, 0700); e != 0) {
    disable_writes("create the folder", e);
    return;
  }
  if (int e = file_io::make_dirs(temp, 0700); e != 0) {
    disable_writes("create the temp folder", e);
    return;
  }
  if (::access(options_.root.c_str(), W_OK | X_OK) != 0 ||
      ::access(temp.c_str(), W_OK | X_OK) != 0) {
    disable_writes("write to the folder", errno);
    return;
  }
  writable_ = true;
  clean_orphans();
}

DiskTier::~DiskTier() {
  apply_touches();
}

void DiskTier::warn(const Diagnostic& diagnostic) const {
  counters_.warnings.fetch_add(1, std::memory_order_relaxed);
  if (options_.warning_sink) {
    options_.warning_sink(diagnostic);
  } else {
    std::fputs(render_human(diagnostic).c_str(), stderr);
  }
}

void DiskTier::disable_writes(std::string_view what, int error_number) {
  writable_.store(false, std::memory_order_relaxed);
  if (warned_.exchange(true)) return;
  warn(Diagnostic::warning(
      code::CacheDiskUnavailable,
      "pipeline cache cannot " + std::string(what) + " at '" + options_.root.string() +
          "': " + file_io::errno_text(error_number) + "; continuing with the memory tier only",
      "set VYRE_CACHE_DIR to a writable folder, or fix this one's permissions or free space; "
      "until then compiled pipelines are not kept between processes"));
}

fs::path DiskTier::entry_path(const Digest& key) const {
  return entry_file(key);
}

// <root>/<first two hex digits>/<hex>.bin, built as a plain string: the hit path opens it, and
// a std::filesystem::path would split it into components first.
[[gnu::hot]] std::string DiskTier::entry_file(const Digest& key) const {
  const std::string& root = options_.root.native();
  const std::string hex = to_hex(key);
  std::string path;
  path.reserve(root.size() + hex.size() + 8);
  path += root;
  if (!path.empty() && path.back() != '/') path += '/';
  path.append(hex, 0, 2);
  path += '/';
  path += hex;
  path += kEntrySuffix;
  return path;
}

bool DiskTier::remove_path(const fs::path& path) {
  return ::unlink(path.c_str()) == 0;
}

bool DiskTier::remove(const Digest& key) {
  bool removed = remove_path(entry_path(key));
  if (removed) {
    std::lock_guard lock(budget_mutex_);
    sized_ = false;
  }
  return removed;
}

[[gnu::hot]] DiskRead DiskTier::read(const Digest& key, bool touch,
                                     std::span<const std::uint8_t> expected_factors,
                                     std::span<std::uint8_t> scratch) {
  DiskRead out;
  std::string path = entry_file(key);
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP) {  // a symlink: refuse to follow it, and remove the link itself
      out.status = ReadStatus::Corrupt;
      out.defect = entry_defect("entry is a symbolic link");
      if (remove_path(path)) counters_.corrupt_removed.fetch_add(1, std::memory_order_relaxed);
    }
    return out;  // ENOENT and friends: absent
  }
  struct stat st {};
  std::optional<std::string> problem;
  if (::fstat(fd, &st) != 0) {
    problem = "fstat failed: " + file_io::errno_text(errno);
  } else {
    problem = read_entry_fd(fd, st, scratch, &out);
  }
  if (!problem) {
    std::optional<Diagnostic> bad = check_entry(out.file, key, expected_factors, &out.entry);
    if (!bad) {
      out.status = ReadStatus::Hit;
      if (touch) {
        struct timespec now {};
        ::clock_gettime(CLOCK_REALTIME, &now);
        std::int64_t age_ns = static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec -
                              file_io::mtime_ns(st);
        if (age_ns > std::chrono::nanoseconds(options_.touch_granularity).count()) {
          // The LRU age is refreshed later (apply_touches), not by a metadata write on the hit;
          // a long run of hits without a flush applies them in batches, so the list stays small.
          bool full = false;
          {
            std::lock_guard lock(touch_mutex_);
            if (touches_.empty() || touches_.back() != path) touches_.push_back(std::move(path));
            full = touches_.size() >= kMaxPendingTouches;
          }
          if (full) apply_touches();
        }
      }
      ::close(fd);
      return out;
    }
    out.entry = DecodedEntry{};
    out.defect = std::move(bad);
  } else {
    out.defect = entry_defect(*problem);
  }
  // Remove the bad file, unless another writer has replaced it since we opened it.
  struct stat now_st {};
  if (::stat(path.c_str(), &now_st) == 0 && now_st.st_ino == st.st_ino &&
      now_st.st_dev == st.st_dev && remove_path(path)) {
    counters_.corrupt_removed.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(budget_mutex_);
    sized_ = false;
  }
  ::close(fd);
  out.file = {};
  out.bytes.clear();
  out.status = ReadStatus::Corrupt;
  return out;
}

bool DiskTier::write(const Digest& key, std::span<const std::uint8_t> entry_bytes) {
  if (!writable()) return false;
  const std::uint64_t n = entry_bytes.size();
  if (n > options_.max_bytes) {
    counters_.skipped_oversize.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  {
    std::lock_guard lock(budget_mutex_);
    if (!sized_) {
      total_ = total_bytes();
      sized_ = true;
    }
    if (total_ + n > options_.max_bytes) {
      // Evict to 90% of the bound (minus this entry) so eviction does not run on every write.
      std::uint64_t low_water = options_.max_bytes / 10 * 9;
      std::uint64_t target = std::min(options_.max_bytes - n, low_water > n ? low_water - n : 0);
      evict_until(target, &total_);
    }
    total_ += n;  // reserved; given back if the write fails
  }
  auto give_back = [&] {
    std::lock_guard lock(budget_mutex_);
    total_ -= std::min(total_, n);
  };
  auto fail = [&](std::string_view what, int e) {
    counters_.write_failures.fetch_add(1, std::memory_order_relaxed);
    give_back();
    if (means_unwritable(e)) disable_writes(what, e);
    return false;
  };

  const std::string hex = to_hex(key);
  const fs::path temp_dir = options_.root / kTempDir;
  const fs::path temp = temp_dir / (hex + "." + std::to_string(::getpid()) + "." +
                                    std::to_string(temp_seq_.fetch_add(1)) + kTempSuffix);
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(temp.c_str(), flags, 0600);
  if (fd < 0 && errno == ENOENT) {  // the folder was removed under us: recreate it once
    if (int e = file_io::make_dirs(temp_dir, 0700); e != 0)
      return fail("create the temp folder", e);
    fd = ::open(temp.c_str(), flags, 0600);
  }
  if (fd < 0) return fail("create a temp file", errno);
  int e = file_io::write_all(fd, entry_bytes);
  if (::close(fd) != 0 && e == 0) e = errno;
  if (e != 0) {
    ::unlink(temp.c_str());
    return fail("write an entry", e);
  }
  const fs::path final_path = entry_path(key);
  if (::mkdir(final_path.parent_path().c_str(), 0700) != 0 && errno != EEXIST) {
    e = errno;
    ::unlink(temp.c_str());
    return fail("create a shard folder", e);
  }
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    e = errno;
    ::unlink(temp.c_str());
    return fail("install an entry", e);
  }
  counters_.writes.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(pending_mutex_);
  pending_.push_back(final_path);
  return true;
}

void DiskTier::apply_touches() {
  std::vector<std::string> paths;
  {
    std::lock_guard lock(touch_mutex_);
    paths.swap(touches_);
  }
  for (const std::string& path : paths) {
    // Failure (the entry was evicted or replaced meanwhile) only costs eviction accuracy.
    (void)::utimensat(AT_FDCWD, path.c_str(), nullptr, AT_SYMLINK_NOFOLLOW);
  }
}

Status DiskTier::flush() {
  apply_touches();
  std::vector<fs::path> paths;
  {
    std::lock_guard lock(pending_mutex_);
    paths.swap(pending_);
  }
  if (paths.empty()) return Ok{};
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  std::vector<fs::path> parents{options_.root};
  std::optional<Diagnostic> failure;
  auto record = [&](const fs::path& path, int e) {
    if (!failure) {
      failure = Diagnostic::error(
          code::CacheIoError,
          "cannot flush pipeline cache file '" + path.string() + "': " + file_io::errno_text(e),
          "check the cache folder's disk; entries that were not flushed "
          "may be lost in a crash, and are then recompiled");
    }
  };
  for (const fs::path& path : paths) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;  // evicted or replaced meanwhile: nothing of ours to flush
    if (::fdatasync(fd) != 0) record(path, errno);
    ::close(fd);
    parents.push_back(path.parent_path());
  }
  std::sort(parents.begin(), parents.end());
  parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
  for (const fs::path& dir : parents) {
    if (int e = file_io::fsync_dir(dir); e != 0 && e != ENOENT) record(dir, e);
  }
  if (failure) return std::move(*failure);
  return Ok{};
}

std::vector<DiskEntry> DiskTier::scan(bool read_headers) const {
  std::vector<DiskEntry> out;
  for (const std::string& shard : list_dir(options_.root)) {
    if (shard.size() != 2 || !is_hex(shard)) continue;
    const fs::path shard_dir = options_.root / shard;
    for (const std::string& name : list_dir(shard_dir)) {
      std::optional<Digest> key = key_from_name(shard, name);
      if (!key) continue;
      DiskEntry entry;
      entry.key = *key;
      entry.path = shard_dir / name;
      struct stat st {};
      if (::lstat(entry.path.c_str(), &st) != 0) continue;  // removed meanwhile
      entry.size = static_cast<std::uint64_t>(st.st_size);
      entry.mtime_ns = file_io::mtime_ns(st);
      if (S_ISLNK(st.st_mode)) {
        entry.defect = entry_defect("entry is a symbolic link");
      } else if (read_headers) {
        int fd = ::open(entry.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd >= 0) {
          std::vector<std::uint8_t> prefix(static_cast<std::size_t>(
              std::min<std::uint64_t>(entry.size, kEntryHeaderBytes + kMaxMetadataBytes)));
          ssize_t got = ::pread(fd, prefix.data(), prefix.size(), 0);
          ::close(fd);
          prefix.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
          auto decoded = decode_entry_header(prefix, entry.size);
          if (decoded.ok() && decoded->key != entry.key) {
            entry.defect = entry_defect("key echo does not match the file name");
          } else if (decoded.ok()) {
            entry.metadata = std::move(decoded->metadata);
          } else {
            entry.defect = std::move(decoded).error();
          }
        }
      }
      out.push_back(std::move(entry));
    }
  }
  return out;
}

std::vector<DiskEntry> DiskTier::verify(bool fix) {
  std::vector<DiskEntry> entries = scan(false);
  for (DiskEntry& entry : entries) {
    if (!entry.defect) {
      int fd = ::open(entry.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
      if (fd < 0) {
        if (errno == ENOENT) continue;
        entry.defect = entry_defect("cannot open: " + file_io::errno_text(errno));
      } else {
        struct stat st {};
        DiskRead read;
        std::optional<std::string> problem = ::fstat(fd, &st) != 0
                                                 ? std::optional<std::string>("fstat failed")
                                                 : read_entry_fd(fd, st, {}, &read);
        ::close(fd);
        if (problem) {
          entry.defect = entry_defect(*problem);
        } else {
          auto decoded = decode_entry(read.file, &entry.key);
          if (decoded.ok()) {
            entry.metadata = std::move(decoded->metadata);
          } else {
            entry.defect = std::move(decoded).error();
          }
        }
      }
    }
    if (entry.defect && fix && remove_path(entry.path)) {
      counters_.corrupt_removed.fetch_add(1, std::memory_order_relaxed);
    }
  }
  std::lock_guard lock(budget_mutex_);
  sized_ = false;
  return entries;
}

std::size_t DiskTier::invalidate(const InvalidationFilter& filter) {
  std::size_t removed = 0;
  for (const DiskEntry& entry : scan(true)) {
    if (entry.metadata && filter.matches(entry.metadata->factors) && remove_path(entry.path)) {
      ++removed;
    }
  }
  std::lock_guard lock(budget_mutex_);
  sized_ = false;
  return removed;
}

std::size_t DiskTier::evict_until(std::uint64_t target_bytes, std::uint64_t* total_after) {
  apply_touches();  // entries read since the last flush are recent: age them before choosing
  std::vector<DiskEntry> entries = scan(false);
  std::uint64_t total = 0;
  for (const DiskEntry& e : entries) total += e.size;
  std::sort(entries.begin(), entries.end(), [](const DiskEntry& a, const DiskEntry& b) {
    return a.mtime_ns != b.mtime_ns ? a.mtime_ns < b.mtime_ns : a.path < b.path;
  });
  std::size_t evicted = 0;
  for (const DiskEntry& e : entries) {
    if (total <= target_bytes) break;
    if (remove_path(e.path) || errno == ENOENT) {
      total -= e.size;
      ++evicted;
    }
  }
  counters_.evictions.fetch_add(evicted, std::memory_order_relaxed);
  if (total_after != nullptr) *total_after = total;
  return evicted;
}

GcReport DiskTier::gc() {
  GcReport report;
  report.orphans_removed = clean_orphans();
  std::lock_guard lock(budget_mutex_);
  report.bytes_before = total_bytes();
  report.entries_evicted = evict_until(options_.max_bytes, &report.bytes_after);
  total_ = report.bytes_after;
  sized_ = true;
  return report;
}

std::size_t DiskTier::clear() {
  std::size_t removed = 0;
  for (const DiskEntry& entry : scan(false)) {
    if (remove_path(entry.path)) ++removed;
  }
  for (const std::string& shard : list_dir(options_.root)) {
    if (shard.size() == 2 && is_hex(shard)) ::rmdir((options_.root / shard).c_str());
  }
  for (const std::string& name : list_dir(options_.root / kTempDir)) {
    ::unlink((options_.root / kTempDir / name).c_str());
  }
  ::unlink((options_.root / kStatsFileName).c_str());
  std::lock_guard lock(budget_mutex_);
  sized_ = false;
  return removed;
}

std::size_t DiskTier::clean_orphans() {
  const fs::path temp_dir = options_.root / kTempDir;
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const std::int64_t now_ns = static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
  const std::int64_t max_age_ns = std::chrono::nanoseconds(options_.orphan_age).count();
  std::size_t removed = 0;
  for (const std::string& name : list_dir(temp_dir)) {
    // "<key>.<pid>.<seq>.tmp": a temp file whose writer is dead can never be renamed into place.
    bool dead_writer = false;
    std::size_t end = name.rfind(kTempSuffix);
    if (end != std::string::npos && end + 4 == name.size()) {
      std::size_t seq_dot = name.rfind('.', end - 1);
      std::size_t pid_dot = seq_dot == std::string::npos || seq_dot == 0
                                ? std::string::npos
                                : name.rfind('.', seq_dot - 1);
      if (pid_dot != std::string::npos) {
        std::string pid_text = name.substr(pid_dot + 1, seq_dot - pid_dot - 1);
        if (!pid_text.empty() && pid_text.size() < 10 &&
            std::all_of(pid_text.begin(), pid_text.end(), ::isdigit)) {
          dead_writer = !file_io::process_alive(static_cast<pid_t>(std::stol(pid_text)));
        }
      }
    }
    const fs::path path = temp_dir / name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    bool too_old = now_ns - file_io::mtime_ns(st) > max_age_ns;
    if ((dead_writer || too_old) && !S_ISDIR(st.st_mode) && ::unlink(path.c_str()) == 0) {
      ++removed;
    }
  }
  counters_.orphans_removed.fetch_add(removed, std::memory_order_relaxed);
  return removed;
}

std::uint64_t DiskTier::total_bytes() const {
  std::uint64_t total = 0;
  for (const DiskEntry& e : scan(false)) total += e.size;
  return total;
}

DiskCounters DiskTier::counters() const {
  DiskCounters out;
  out.writes = counters_.writes.load();
  out.write_failures = counters_.write_failures.load();
  out.skipped_oversize = counters_.skipped_oversize.load();
  out.evictions = counters_.evictions.load();
  out.corrupt_removed = counters_.corrupt_removed.load();
  out.orphans_removed = counters_.orphans_removed.load();
  out.warnings = counters_.warnings.load();
  return out;
}

}  // namespace vyre::pipeline
