// Cumulative cache counters kept in <root>/stats.json, so `vyre cache stats` can show hit rates
// across processes. Each PipelineCache adds what it counted since its last save; the file is
// updated under an flock on <root>/stats.lock and replaced atomically (temp file + rename). Each
// store of the chain has its own row, keyed by ByteStore::name(): the common counter table, what
// the cache served from it and promoted into it, and the store's extra block (ExtraCounters), so
// nothing here names one store. The compile and load time histograms and the runtime's dispatch
// totals are kept too. Remote rows count what the processes using this folder did with the
// remote, not what the whole fleet did.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "vyre/diag/result.h"
#include "vyre/pipeline/byte_store.h"
#include "vyre/pipeline/dispatch_metrics.h"
#include "vyre/pipeline/histogram.h"
#include "vyre/pipeline/miss_reason.h"

namespace vyre::pipeline {

inline constexpr std::string_view kStatsFileName = "stats.json";
// Format 2 keeps a row per store; format 1 (no "format" field) had a "store" object for the disk
// store and a "remote" object for the Redis store, read into those rows.
inline constexpr int kStatsFormat = 2;

// One store's row.
struct PersistedStoreStats {
  StoreCounters counters;
  std::uint64_t served = 0;    // pipelines its bytes produced
  std::uint64_t promoted = 0;  // entries put into it because a later store had them
  ExtraCounters extra;

  PersistedStoreStats& operator+=(const PersistedStoreStats& other);
  PersistedStoreStats since(const PersistedStoreStats& earlier) const;
  bool empty() const;
};

struct PersistedStats {
  std::uint64_t memory_hits = 0;
  std::uint64_t store_hits = 0;  // "disk_hits" in files of older versions
  std::array<std::uint64_t, kMissReasons.size()> misses{};
  std::uint64_t compiles = 0;
  std::uint64_t compile_us = 0;
  std::uint64_t compile_us_saved = 0;
  std::uint64_t corrupt_entries_removed = 0;  // summed over the stores
  Histogram compile_time;
  Histogram load_time;
  std::map<std::string, PersistedStoreStats, std::less<>> stores;  // by ByteStore::name()
  DispatchTotalsByBackend dispatches;                              // by backend id

  PersistedStats& operator+=(const PersistedStats& other);
  // What was counted since `earlier` (an earlier snapshot of the same process).
  PersistedStats since(const PersistedStats& earlier) const;
  bool empty() const;
  std::uint64_t total_misses() const;
  double hit_rate() const;  // hits / (hits + misses), 0 when nothing was looked up
  // The row of store `name`, or an empty row when there is none.
  const PersistedStoreStats& store(std::string_view name) const;
  std::string to_json() const;
};

// Zeros when the file is missing; an error (VY5007) when it exists but is not a JSON object.
// Fields of the wrong type or out of range read as 0 (a hostile file cannot crash a reader).
Result<PersistedStats> read_persisted_stats(const std::filesystem::path& root);
// Adds `delta` to the file under the lock.
Status add_persisted_stats(const std::filesystem::path& root, const PersistedStats& delta);

}  // namespace vyre::pipeline
