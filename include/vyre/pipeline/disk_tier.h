// The disk tier: one file per entry at <root>/<2 hex>/<64 hex>.bin (entry_format.h), shared
// safely by many processes. Writes go to <root>/tmp/<key>.<pid>.<seq>.tmp and are renamed into
// place (atomic install); flush() makes the batch durable. Reads are bounded, refuse symlinks
// and fully validate; a bad entry is removed and reported, never served. Total size is bounded
// with least-recently-used eviction, the age being the file's mtime (refreshed on hits). A root
// that cannot be written turns the tier read-only with one warning: it never fails a caller.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/pipeline/cache_options.h"
#include "vyre/pipeline/entry_format.h"

namespace vyre::pipeline {

struct DiskTierOptions {
  std::filesystem::path root;
  std::uint64_t max_bytes = kDefaultDiskBytes;
  std::chrono::seconds orphan_age{3600};
  std::chrono::seconds touch_granularity{60};
  DiagnosticSink warning_sink;  // empty: render to stderr
  bool create = true;           // create the root (0700) if missing; false for inspection tools
};

// One entry file found by a scan.
struct DiskEntry {
  Digest key{};  // from the file name
  std::filesystem::path path;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;              // last use
  std::optional<EntryMetadata> metadata;  // when its header was read and valid
  std::optional<Diagnostic> defect;       // when its header or (verify) its payload was bad
};

enum class ReadStatus : std::uint8_t { Hit, Absent, Corrupt };

// Stack space obtain() gives DiskTier::read for a disk hit: 8 KiB holds a small kernel's entry
// (saxpy's CUDA entry is 4.7 KB); larger entries go to the heap.
inline constexpr std::size_t kHitScratchBytes = 8192;

struct DiskRead {
  ReadStatus status = ReadStatus::Absent;
  std::span<const std::uint8_t> file;  // the whole file, on Hit: in the caller's scratch or `bytes`
  std::vector<std::uint8_t> bytes;     // holds the file when no scratch was given or it was short
  DecodedEntry entry;                  // views into `file`, on Hit
  std::optional<Diagnostic> defect;    // on Corrupt: what was wrong (the file is already removed)
};

// Which entries an invalidation removes; every given criterion must match.
struct InvalidationFilter {
  std::optional<std::string> backend;  // Backend::id(), exactly
  std::optional<std::string> device;   // fingerprint device string, or a device-digest hex prefix
  std::optional<std::string> program;  // program digest hex prefix (8 to 64 digits)
  bool empty() const { return !backend && !device && !program; }
  bool matches(const KeyFactors& factors) const;
};

struct GcReport {
  std::size_t orphans_removed = 0;
  std::size_t entries_evicted = 0;
  std::uint64_t bytes_before = 0;
  std::uint64_t bytes_after = 0;
};

struct DiskCounters {
  std::uint64_t writes = 0;
  std::uint64_t write_failures = 0;
  std::uint64_t skipped_oversize = 0;
  std::uint64_t evictions = 0;
  std::uint64_t corrupt_removed = 0;
  std::uint64_t orphans_removed = 0;
  std::uint64_t warnings = 0;
};

class DiskTier {
 public:
  // Never fails: a root that cannot be created or written makes the tier read-only, reported
  // once through the warning sink (VY5002). Removes orphaned temp files.
  explicit DiskTier(DiskTierOptions options);
  ~DiskTier();
  DiskTier(const DiskTier&) = delete;
  DiskTier& operator=(const DiskTier&) = delete;

  const std::filesystem::path& root() const { return options_.root; }
  std::uint64_t max_bytes() const { return options_.max_bytes; }
  bool writable() const { return writable_.load(std::memory_order_relaxed); }
  std::filesystem::path entry_path(const Digest& key) const;

  // Reads and validates the entry for `key`. A corrupt, truncated, mismatched or symlinked entry
  // is removed and reported as Corrupt. `touch` refreshes its LRU age on a hit (when older than
  // touch_granularity); the metadata write is deferred to the next flush(), eviction or the
  // tier's destruction, so a hit pays no write. With `expected_factors` (encode_key_factors of
  // the request) the stored factors are compared byte for byte instead of decoded and re-hashed
  // (check_entry): the hit path. A file that fits `scratch` is read into it, and the result's
  // views then point there, so the caller keeps it while it uses them; obtain() passes stack
  // memory, which a fresh process has already touched, where a new heap buffer would cost its
  // first hit a page fault.
  DiskRead read(const Digest& key, bool touch = true,
                std::span<const std::uint8_t> expected_factors = {},
                std::span<std::uint8_t> scratch = {});
  // Installs `entry_bytes` (an encoded entry) atomically, evicting least recently used entries
  // first to stay under max_bytes. False when it was not written; never an error.
  bool write(const Digest& key, std::span<const std::uint8_t> entry_bytes);
  // Refreshes the LRU age of entries read since the last flush, then makes every write since
  // the last flush durable: fsync each file, then each parent folder.
  Status flush();
  bool remove(const Digest& key);

  // Every entry, optionally with its header read and validated (not its payload).
  std::vector<DiskEntry> scan(bool read_headers) const;
  // Every entry fully validated; bad ones carry `defect`. Removes them when `fix`.
  std::vector<DiskEntry> verify(bool fix);
  std::size_t invalidate(const InvalidationFilter& filter);
  GcReport gc();        // removes orphans, then evicts down to max_bytes
  std::size_t clear();  // removes every entry, temp file and the stats file
  std::size_t clean_orphans();
  std::uint64_t total_bytes() const;  // sum of entry file sizes, from a scan

  DiskCounters counters() const;

  // Reports `diagnostic` through the sink (used by the cache for its other warnings too).
  void warn(const Diagnostic& diagnostic) const;

 private:
  void disable_writes(std::string_view what, int error_number);
  std::size_t evict_until(std::uint64_t target_bytes, std::uint64_t* total_after);
  bool remove_path(const std::filesystem::path& path);
  std::string entry_file(const Digest& key) const;  // entry_path() as a plain string
  void apply_touches();                             // the LRU refreshes read() deferred

  DiskTierOptions options_;
  std::atomic<bool> writable_{false};
  std::atomic<bool> warned_{false};
  std::mutex budget_mutex_;  // guards sized_ and total_, serialises eviction
  bool sized_ = false;
  std::uint64_t total_ = 0;
  std::mutex touch_mutex_;
  std::vector<std::string> touches_;  // entries hit whose LRU age is still to refresh
  std::mutex pending_mutex_;
  std::vector<std::filesystem::path> pending_;
  std::atomic<std::uint64_t> temp_seq_{0};
  struct AtomicCounters {
    std::atomic<std::uint64_t> writes{0}, write_failures{0}, skipped_oversize{0}, evictions{0},
        corrupt_removed{0}, orphans_removed{0}, warnings{0};
  };
  mutable AtomicCounters counters_;
};

}  // namespace vyre::pipeline
