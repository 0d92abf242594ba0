// Cumulative cache counters kept in <root>/stats.json, so `vyre cache stats` can show hit rates
// across processes. Each PipelineCache adds what it counted since its last save; the file is
// updated under an flock on <root>/stats.lock and replaced atomically (temp file + rename). The
// counts of the shared remote store (when the chain has one) are kept beside the disk store's:
// what the processes using this folder did with the remote, not what the whole fleet did.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "vyre/diag/result.h"
#include "vyre/pipeline/byte_store.h"
#include "vyre/pipeline/miss_reason.h"
#include "vyre/pipeline/remote_stats.h"

namespace vyre::pipeline {

inline constexpr std::string_view kStatsFileName = "stats.json";

struct PersistedStats {
  std::uint64_t memory_hits = 0;
  std::uint64_t store_hits = 0;  // "disk_hits" in files of older versions
  std::array<std::uint64_t, kMissReasons.size()> misses{};
  std::uint64_t compiles = 0;
  std::uint64_t compile_us = 0;
  std::uint64_t compile_us_saved = 0;
  std::uint64_t corrupt_entries_removed = 0;
  StoreCounters store;         // the disk store's own counters (writes, I/O and fsync errors, ...)
  StoreCounters remote_store;  // the Redis store's counters (hits, misses: absent, writes, ...)
  RemoteStats remote;          // and its own (refusals by reason, errors, GET latency, leases)

  PersistedStats& operator+=(const PersistedStats& other);
  PersistedStats operator-(const PersistedStats& other) const;
  bool empty() const;
  std::uint64_t total_misses() const;
  double hit_rate() const;  // hits / (hits + misses), 0 when nothing was looked up
  std::string to_json() const;
};

// Zeros when the file is missing; an error (VY5007) when it exists but cannot be parsed.
Result<PersistedStats> read_persisted_stats(const std::filesystem::path& root);
// Adds `delta` to the file under the lock.
Status add_persisted_stats(const std::filesystem::path& root, const PersistedStats& delta);

}  // namespace vyre::pipeline
