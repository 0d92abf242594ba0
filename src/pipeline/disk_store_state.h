// What a DiskStore keeps between calls: the root's descriptors, what the trust checks found, the
// size budget, deferred LRU refreshes and pending flushes, and its counters. Shared by the files
// of the disk store (disk_store.cpp, disk_root.cpp, disk_maintenance.cpp).
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "file_ops.h"
#include "vyre/pipeline/disk_store.h"

namespace vyre::pipeline {

inline constexpr const char* kTempDir = "tmp";
inline constexpr std::string_view kEntrySuffix = ".bin";
inline constexpr std::string_view kTempSuffix = ".tmp";

struct DiskStore::State {
  std::shared_ptr<FileOps> owned_ops;
  std::unique_ptr<CountingFileOps> counting_ops;
  FileOps* ops = nullptr;  // counting_ops: every failure of the file system is counted
  int root_fd = -1;
  int tmp_fd = -1;
  std::mutex tmp_mutex;  // guards tmp_fd when the temp folder is recreated
  bool present = false;  // the root exists (an inspection of a missing root sees nothing)
  bool trusted = false;  // the root passed the trust checks and is vyre's: reads are allowed
  std::optional<Diagnostic> refusal;  // why not, when not
  std::optional<std::array<std::uint8_t, 32>> secret;
  std::atomic<bool> writable{false};
  // A root that cannot take writes is reported at the first put() that needs it, so runs that
  // only hit never warn.
  std::optional<Diagnostic> unwritable_warning;
  std::atomic<bool> warned_unwritable{false};
  std::atomic<bool> warned_write_error{false};
  std::atomic<bool> warned_oversize{false};
  std::atomic<bool> warned_untrusted{false};

  std::mutex budget_mutex;  // guards sized and total, serialises eviction
  bool sized = false;
  std::uint64_t total = 0;  // allocated bytes of every entry
  std::mutex touch_mutex;
  std::vector<std::string> touches;  // "<2 hex>/<64 hex>.bin" of hits whose LRU age is stale
  std::mutex pending_mutex;
  std::vector<std::string> pending;  // written since the last flush, relative to the root
  std::atomic<std::uint64_t> temp_seq{0};
  AtomicStoreCounters counters;
};

// errno_text, with kShortIo read as "short read or write".
std::string io_error_text(int e);

// "<2 hex>/<64 hex>.bin", the entry's path relative to the root.
std::string entry_relative(const Digest& key);
// "<64 hex>.bin" inside the "<2 hex>" shard that starts it; nullopt for any other name.
std::optional<Digest> key_from_entry_name(std::string_view shard, std::string_view name);
bool is_lower_hex(std::string_view s);
// The pid in the name of a temp file vyre makes ("<64 hex>.<pid>.<seq>.tmp", "marker.<pid>.tmp",
// "secret.<pid>.tmp", "stats.json.<pid>.tmp"); 0 for every other name.
long temp_writer_pid(std::string_view name);
// Bytes a file really occupies (st_blocks), the measure the size bound counts.
std::uint64_t allocated_bytes(const struct stat& st);
std::int64_t mtime_of(const struct stat& st);

}  // namespace vyre::pipeline
