// The disk store's maintenance interface: scan, peek, erase, gc, clear and orphan clean-up. It
// only ever deletes what vyre's layout names (entries, shard folders, its own temp and stats
// files) inside a root that carries vyre's marker.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "disk_store_state.h"
#include "file_io.h"
#include "vyre/diag/codes.h"

namespace vyre::pipeline {
namespace {

Diagnostic item_defect(std::string what) {
  return Diagnostic::error(code::CacheEntryCorrupt, "corrupt pipeline cache entry: " + what,
                           "`vyre cache verify --fix` removes it");
}

std::int64_t now_ns() {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

}  // namespace

std::vector<StoredItem> DiskStore::scan() const {
  const State& s = *state_;
  std::vector<StoredItem> out;
  if (!s.trusted) return out;
  std::vector<DirName> shards;
  if (s.ops->list(s.root_fd, &shards) != 0) return out;
  for (const DirName& shard : shards) {
    if (shard.name.size() != 2 || !is_lower_hex(shard.name)) continue;
    const std::string shard_path = (options_.root / shard.name).string();
    struct stat st {};
    if (s.ops->fstatat(s.root_fd, shard.name.c_str(), &st) != 0) continue;
    auto shard_item = [&](std::string what) {
      StoredItem item;  // no key: the shard itself is the problem
      item.location = shard_path;
      item.size = static_cast<std::uint64_t>(st.st_size);
      item.allocated = allocated_bytes(st);
      item.mtime_ns = mtime_of(st);
      item.defect = item_defect(std::move(what));
      out.push_back(std::move(item));
    };
    if (S_ISLNK(st.st_mode)) {
      shard_item("shard folder is a symbolic link");
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      shard_item("a plain file where a shard folder should be");
      continue;
    }
    if ((st.st_mode & 022) != 0) {
      shard_item("shard folder is writable by group or others");
      continue;
    }
    int shard_fd = s.ops->open_beneath(s.root_fd, shard.name.c_str(), O_RDONLY | O_DIRECTORY);
    if (shard_fd < 0) continue;
    std::vector<DirName> names;
    if (s.ops->list(shard_fd, &names) != 0) names.clear();
    for (const DirName& name : names) {
      std::optional<Digest> key = key_from_entry_name(shard.name, name.name);
      if (!key) continue;  // not vyre's name: never listed, never touched
      struct stat est {};
      if (s.ops->fstatat(shard_fd, name.name.c_str(), &est) != 0) continue;  // removed meanwhile
      StoredItem item;
      item.key = *key;
      item.location = shard_path + "/" + name.name;
      item.size = static_cast<std::uint64_t>(est.st_size);
      item.allocated = allocated_bytes(est);
      item.mtime_ns = mtime_of(est);
      if (S_ISLNK(est.st_mode)) {
        item.defect = item_defect("entry is a symbolic link");
      } else if (S_ISDIR(est.st_mode)) {
        item.defect = item_defect("a folder where an entry should be");
      } else if (!S_ISREG(est.st_mode)) {
        item.defect = item_defect("not a regular file");
      }
      out.push_back(std::move(item));
    }
    s.ops->close(shard_fd);
  }
  return out;
}

StoreRead DiskStore::peek(const Digest& key, std::size_t max_bytes) const {
  const State& s = *state_;
  StoreRead out;
  if (!s.trusted) return out;
  const std::string rel = entry_relative(key);
  int fd = s.ops->open_beneath(s.root_fd, rel.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return out;
  struct stat st {};
  if (s.ops->fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    out.owned.resize(static_cast<std::size_t>(
        std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), max_bytes)));
    ssize_t got = s.ops->pread(fd, out.owned.data(), out.owned.size(), 0);
    out.owned.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    out.bytes = out.owned;
    out.status = StoreStatus::Hit;
    out.version = static_cast<std::uint64_t>(st.st_ino);
  } else {
    out.status = StoreStatus::Unreadable;
  }
  s.ops->close(fd);
  return out;
}

Status DiskStore::erase(const StoredItem& item) {
  Status status = erase_unbudgeted(item);
  std::lock_guard lock(state_->budget_mutex);
  state_->sized = false;
  return status;
}

Status DiskStore::erase_unbudgeted(const StoredItem& item) {
  State& s = *state_;
  auto failed = [&](int e) -> Status {
    s.counters.add(StoreCounter::RemoveFailures);
    return Diagnostic::error(code::CacheRemoveFailed,
                             "could not delete '" + item.location + "': " +
                                 (e == ENOTEMPTY ? std::string("a folder with files in it, which "
                                                               "vyre did not put there")
                                                 : file_io::errno_text(e)),
                             "remove it by hand, or fix the cache folder's permissions");
  };
  if (!s.trusted || options_.read_only || context_.read_only) return failed(EROFS);
  const std::string root = options_.root.string();
  if (!item.location.starts_with(root + "/")) return failed(EXDEV);
  const std::string rel = item.location.substr(root.size() + 1);
  // The item's folder opened without following links; the item itself unlinked, never followed.
  const std::size_t slash = rel.rfind('/');
  int dir =
      slash == std::string::npos
          ? s.root_fd
          : s.ops->open_beneath(s.root_fd, rel.substr(0, slash).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir < 0) return errno == ENOENT ? Status(Ok{}) : failed(errno);
  const std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  struct stat st {};
  int e = 0;
  if (s.ops->fstatat(dir, name.c_str(), &st) != 0) {
    e = errno == ENOENT ? 0 : errno;
  } else if (s.ops->unlinkat(dir, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0) {
    e = errno == ENOENT ? 0 : errno;
  }
  if (dir != s.root_fd) s.ops->close(dir);
  if (e != 0) return failed(e);
  return Ok{};
}

std::size_t DiskStore::evict_until(std::uint64_t target_bytes, std::uint64_t* total_after,
                                   std::vector<RemoveFailure>* failures) {
  apply_touches();  // entries read since the last flush are recent: age them before choosing
  std::vector<StoredItem> items = scan();
  std::uint64_t total = 0;
  for (const StoredItem& item : items) total += item.allocated;
  // Defective items go first (a junk file is never worth keeping), then least recently used.
  std::sort(items.begin(), items.end(), [](const StoredItem& a, const StoredItem& b) {
    if (a.defect.has_value() != b.defect.has_value()) return a.defect.has_value();
    return a.mtime_ns != b.mtime_ns ? a.mtime_ns < b.mtime_ns : a.location < b.location;
  });
  std::size_t evicted = 0;
  for (const StoredItem& item : items) {
    if (total <= target_bytes) break;
    if (Status st = erase_unbudgeted(item); st.ok()) {  // the caller holds the budget lock
      total -= item.allocated;
      ++evicted;
    } else if (failures != nullptr) {
      failures->push_back({item.location, st.error().message});
    }
  }
  state_->counters.add(StoreCounter::Evictions, evicted);
  if (total_after != nullptr) *total_after = total;
  return evicted;
}

GcReport DiskStore::gc() {
  GcReport report;
  if (!usable()) return report;
  report.orphans_removed = clean_orphans();
  std::lock_guard lock(state_->budget_mutex);
  report.bytes_before = total_bytes();
  report.entries_evicted = evict_until(options_.max_bytes, &report.bytes_after, &report.failures);
  state_->total = report.bytes_after;
  state_->sized = true;
  return report;
}

ClearReport DiskStore::clear() {
  State& s = *state_;
  ClearReport report;
  if (!usable()) return report;
  for (const StoredItem& item : scan()) {
    if (Status st = erase(item); st.ok()) {
      ++report.entries_removed;
    } else {
      report.failures.push_back({item.location, st.error().message});
    }
  }
  std::vector<DirName> names;
  if (s.ops->list(s.root_fd, &names) == 0) {
    for (const DirName& n : names) {
      if (n.name.size() == 2 && is_lower_hex(n.name)) {
        (void)s.ops->unlinkat(s.root_fd, n.name.c_str(), AT_REMOVEDIR);  // empty shards only
      } else if (n.name == "stats.json" || n.name == "stats.lock" ||
                 (n.name.starts_with("stats.json.") && n.name.ends_with(kTempSuffix))) {
        if (s.ops->unlinkat(s.root_fd, n.name.c_str(), 0) == 0) {
          ++report.other_files_removed;
        } else if (errno != ENOENT) {
          report.failures.push_back(
              {(options_.root / n.name).string(), file_io::errno_text(errno)});
        }
      }
    }
  }
  std::lock_guard lock(s.tmp_mutex);
  if (s.tmp_fd >= 0 && s.ops->list(s.tmp_fd, &names) == 0) {
    for (const DirName& n : names) {
      if (temp_writer_pid(n.name) == 0) continue;  // not a temp file of vyre's naming
      if (s.ops->unlinkat(s.tmp_fd, n.name.c_str(), 0) == 0) {
        ++report.other_files_removed;
      } else if (errno != ENOENT) {
        report.failures.push_back(
            {(options_.root / kTempDir / n.name).string(), file_io::errno_text(errno)});
      }
    }
  }
  return report;
}

std::size_t DiskStore::clean_orphans() {
  State& s = *state_;
  if (!s.trusted || options_.read_only || context_.read_only) return 0;
  const std::int64_t now = now_ns();
  const std::int64_t max_age_ns = std::chrono::nanoseconds(options_.orphan_age).count();
  std::size_t removed = 0;
  auto sweep = [&](int dir, bool stats_only) {
    std::vector<DirName> names;
    if (dir < 0 || s.ops->list(dir, &names) != 0) return;
    for (const DirName& n : names) {
      // Only names vyre gives its temp files; a writer that is dead can never finish them.
      if (stats_only && !n.name.starts_with("stats.json.")) continue;
      const long pid = temp_writer_pid(n.name);
      if (pid <= 0) continue;
      struct stat st {};
      if (s.ops->fstatat(dir, n.name.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      const bool dead = !file_io::process_alive(static_cast<pid_t>(pid));
      const bool too_old = now - mtime_of(st) > max_age_ns;
      if ((dead || too_old) && s.ops->unlinkat(dir, n.name.c_str(), 0) == 0) ++removed;
    }
  };
  {
    std::lock_guard lock(s.tmp_mutex);
    sweep(s.tmp_fd, false);
  }
  sweep(s.root_fd, true);  // stats.json.<pid>.tmp of a writer killed while saving stats
  s.counters.add(StoreCounter::OrphansRemoved, removed);
  return removed;
}

std::uint64_t DiskStore::total_bytes() const {
  std::uint64_t total = 0;
  for (const StoredItem& item : scan()) total += item.allocated;
  return total;
}

}  // namespace vyre::pipeline
