// A byte store: one link of the pipeline cache's chain (disk, read-only packs, a shared remote).
// It keeps opaque bytes by a 32-byte key and knows nothing of pipelines: the entry format, its
// authentication, factor comparison and miss classification sit above it, in PipelineCache. A
// store never fails its caller: an I/O problem is a miss or a refused put, counted in its
// counter table, and at most one warning through the sink it was opened with.
//
// A new store is one class implementing ByteStore plus one StoreOptions row in
// PipelineCacheOptions::stores (cache_options.h); nothing else in the cache changes.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/ir/hash.h"

namespace vyre::pipeline {

class FleetLeases;  // fleet_lease.h

// Receives the cache's warnings (disk unavailable, JIT compile under `warn`, ...). Called from
// whichever thread hit the condition; must be thread-safe.
using DiagnosticSink = std::function<void(const Diagnostic&)>;

// One counter table for every store, keyed by store name in the telemetry. A store counts what
// applies to it and leaves the rest at zero.
enum class StoreCounter : std::uint8_t {
  Hits,             // get() returned bytes
  Misses,           // get() found nothing
  Writes,           // put() installed bytes
  WriteFailures,    // put() tried and failed (any cause below, or other)
  SkippedOversize,  // put() refused bytes larger than the store's bound
  Evictions,        // entries removed to stay under the size bound
  CorruptRemoved,   // entries removed because they were unreadable or failed validation
  OrphansRemoved,   // temp files of dead writers removed
  IoErrors,         // read or write system calls that failed (EIO, ENOSPC, EACCES, short I/O)
  FsyncErrors,      // fsync of a file or folder that failed in flush()
  RemoveFailures,   // remove() or maintenance could not delete something it should have
  Warnings,         // warnings delivered to the sink
};
inline constexpr std::size_t kStoreCounterCount = 12;

std::string_view store_counter_name(StoreCounter counter);  // "hits", "write_failures", ...

struct StoreCounters {
  std::array<std::uint64_t, kStoreCounterCount> values{};
  std::uint64_t operator[](StoreCounter c) const { return values[static_cast<std::size_t>(c)]; }
  std::uint64_t& operator[](StoreCounter c) { return values[static_cast<std::size_t>(c)]; }
  StoreCounters& operator+=(const StoreCounters& other);
  std::string to_json() const;  // {"hits":..,"misses":..,...}, every counter by name
};

// Counters a store keeps beyond the common table, under names it chooses ("untrusted_entry",
// "get_us_total"). The stats file keeps them in the store's own row, so no shared code names one
// store's figures: sums add up across processes, maxima (the slowest GET) keep the larger.
struct ExtraCounters {
  std::map<std::string, std::uint64_t, std::less<>> sums;
  std::map<std::string, std::uint64_t, std::less<>> maxima;

  ExtraCounters& operator+=(const ExtraCounters& other);
  // What was counted since `earlier` (a snapshot of the same store); maxima stay as they are.
  ExtraCounters since(const ExtraCounters& earlier) const;
  bool empty() const;                                  // nothing counted
  std::uint64_t sum(std::string_view name) const;      // 0 when absent
  std::uint64_t maximum(std::string_view name) const;  // 0 when absent
};

// The live form a store keeps: lock-free, relaxed increments.
class AtomicStoreCounters {
 public:
  void add(StoreCounter c, std::uint64_t n = 1) {
    values_[static_cast<std::size_t>(c)].fetch_add(n, std::memory_order_relaxed);
  }
  StoreCounters snapshot() const;

 private:
  std::array<std::atomic<std::uint64_t>, kStoreCounterCount> values_{};
};

enum class StoreStatus : std::uint8_t { Hit, Absent, Unreadable };

// What get() found. On Hit, `bytes` views either the caller's scratch or `owned`, so the caller
// keeps both alive while it uses them. On Unreadable (a symlink, a non-file, a failed read) the
// store has already counted it and removed what it safely could; `defect` says what was wrong.
struct StoreRead {
  StoreStatus status = StoreStatus::Absent;
  std::span<const std::uint8_t> bytes;
  std::vector<std::uint8_t> owned;
  std::optional<Diagnostic> defect;
  // Identifies the exact bytes read (a disk store: device and inode), so discard() removes them
  // and not a newer version another writer installed meanwhile. 0 when the store has none.
  std::uint64_t version = 0;
};

// What a maintenance scan lists: one stored item, as the store sees it (no decoding).
struct StoredItem {
  Digest key{};
  std::string location;              // a path, a URL: for people
  std::uint64_t size = 0;            // apparent size in bytes
  std::uint64_t allocated = 0;       // bytes the item really occupies (a sparse file: less)
  std::int64_t mtime_ns = 0;         // last use, for LRU
  std::optional<Diagnostic> defect;  // the store already sees it is bad (symlink, a folder, ...)
};

// Something maintenance should have deleted and could not, with why.
struct RemoveFailure {
  std::string location;
  std::string reason;  // errno text
};

struct GcReport {
  std::size_t orphans_removed = 0;
  std::size_t entries_evicted = 0;
  std::uint64_t bytes_before = 0;  // allocated bytes
  std::uint64_t bytes_after = 0;
  std::vector<RemoveFailure> failures;
};

struct ClearReport {
  std::size_t entries_removed = 0;
  std::size_t other_files_removed = 0;  // temp files, the stats file: vyre's own only
  std::vector<RemoveFailure> failures;
};

// The optional maintenance interface (`vyre cache list|verify|gc|clear|invalidate`). The disk
// store implements it; a remote store may not. Decoding and validating what it lists is the
// caller's (cache_maintenance.h), so the store stays ignorant of the entry format.
class StoreMaintenance {
 public:
  virtual ~StoreMaintenance() = default;
  virtual std::vector<StoredItem> scan() const = 0;
  // At most `max_bytes` from the start of the item, without refreshing its LRU age.
  virtual StoreRead peek(const Digest& key, std::size_t max_bytes) const = 0;
  // Deletes the item (whatever is at its place: a file, a symlink, a folder of vyre's layout).
  virtual Status erase(const StoredItem& item) = 0;
  virtual GcReport gc() = 0;        // removes orphans, then evicts down to the size bound
  virtual ClearReport clear() = 0;  // removes every item and vyre's own other files
  virtual std::uint64_t max_bytes() const = 0;
};

class ByteStore {
 public:
  virtual ~ByteStore() = default;

  // The name telemetry keys this store's counters by: "disk", "pack", "redis", ... Unique in one
  // cache's chain (PipelineCache::open refuses duplicates).
  virtual std::string_view name() const = 0;
  // Where it is, for people ("/home/u/.cache/vyre/pipelines", "redis://host:6379").
  virtual std::string location() const = 0;
  // Whether put() can store anything now (false for packs, read-only mode, a broken folder).
  virtual bool writable() const = 0;

  // The bytes stored for `key`. `scratch` is caller memory to read into when they fit (the hit
  // path passes stack memory); `refresh` refreshes the entry's LRU age (lookup-only passes
  // false). Never blocks indefinitely, never throws.
  virtual StoreRead get(const Digest& key, std::span<std::uint8_t> scratch = {},
                        bool refresh = true) = 0;
  // Stores `bytes` for `key`, replacing what was there, atomically for readers. False when it
  // was not stored (read-only, too big, an I/O error): counted, never an error.
  virtual bool put(const Digest& key, std::span<const std::uint8_t> bytes) = 0;
  // A compiled pipeline was not offered to put() because writable() was false. A store that is
  // off for a reason the user should hear (the disk store: a folder it may not write) warns here,
  // once, so a run of hits says nothing and the first miss says why nothing is kept.
  virtual void write_skipped() {}
  // Removes the entry for `key`; false when nothing was removed.
  virtual bool remove(const Digest& key) = 0;
  // Removes the bytes `read` returned, after the layer above found them bad (failed
  // authentication, wrong key, rejected by the backend), unless another writer has replaced
  // them since. Counted as CorruptRemoved. Default: remove(key).
  virtual bool discard(const Digest& key, const StoreRead& read);
  // Makes every put() since the last flush durable (and applies deferred LRU refreshes).
  virtual Status flush() = 0;
  virtual StoreCounters counters() const = 0;
  // What the store counts beyond the common table (the Redis store: refusals by reason, GET
  // latency, fleet turns). Empty by default.
  virtual ExtraCounters extra_counters() const { return {}; }

  // The 32-byte secret this store's entries are authenticated with (the disk store: the per-user
  // secret kept 0600 in its root), or nullopt for the public key (read-only packs shipped with an
  // application, whose trust comes from being configured). The cache signs what it puts here,
  // and never serves bytes from here that this secret does not authenticate.
  virtual std::optional<std::array<std::uint8_t, 32>> entry_secret() const { return std::nullopt; }

  // Null when the store has no maintenance interface.
  virtual StoreMaintenance* maintenance() { return nullptr; }
  // Null unless the store is shared by many processes and can elect one compiler per key
  // (fleet_lease.h; the Redis store).
  virtual FleetLeases* fleet() { return nullptr; }
  const StoreMaintenance* maintenance() const {
    return const_cast<ByteStore*>(this)->maintenance();
  }
};

// What a store's factory gets from the cache that opens it.
struct StoreContext {
  DiagnosticSink warning_sink;  // warn through this: it renders and counts (never null)
  bool read_only = false;       // VYRE_CACHE_READONLY: serve hits, write nothing, warn of nothing
  bool create = true;           // false for inspection tools: create no folder or file
};

using StoreFactory = std::function<std::unique_ptr<ByteStore>(const StoreContext&)>;

// One row of the chain (PipelineCacheOptions::stores): a store kind, its settings captured in
// `open`. Earlier rows are asked first; a hit in a later row is promoted into every earlier
// writable row and the memory tier.
struct StoreOptions {
  std::string name;  // as ByteStore::name() will answer
  StoreFactory open;
};

}  // namespace vyre::pipeline
