// What the shared remote tier (the Redis store) did in one process, beyond the common store
// counters: refused values by reason, failed commands, GET latency, fleet single-flight turns.
// RedisStore::stats() reports them live; as the store's ExtraCounters the stats file
// (stats_file.h) adds each process's counts up in the store's own row, so `vyre cache stats` can
// show them after the processes have ended.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "vyre/pipeline/byte_store.h"

namespace vyre::pipeline {

struct RemoteStats {
  std::uint64_t untrusted = 0;       // values refused as untrusted_entry
  std::uint64_t corrupt = 0;         // values refused as corrupt_entry (also oversize ones)
  std::uint64_t errors = 0;          // failed commands (timeouts, refusals, lost connections)
  std::uint64_t skipped_down = 0;    // operations skipped while backing off
  std::uint64_t dropped_writes = 0;  // puts dropped because the writer's queue was full
  std::uint64_t leases_taken = 0;    // fleet turns this process led
  std::uint64_t waits = 0;           // fleet turns spent waiting for another process
  std::uint64_t waits_served = 0;    // of those, ended by the other process's entry
  std::uint64_t wait_timeouts = 0;   // of those, ended by the wait bound
  std::uint64_t gets = 0;            // GETs answered
  std::uint64_t get_us_total = 0;
  std::uint64_t get_us_max = 0;  // a maximum: adding keeps the larger, subtracting keeps this one
  bool available = true;         // not backing off now (live only: never persisted or added)

  // Adds counts (and keeps the larger get_us_max), so the file sums processes.
  RemoteStats& operator+=(const RemoteStats& other);
  // What was counted since `earlier` (a snapshot of the same store); get_us_max stays.
  RemoteStats operator-(const RemoteStats& earlier) const;
  bool empty() const;  // nothing counted
  double get_ms_mean() const;

  // {"untrusted_entry":..,"corrupt_entry":..,"errors":..,...,"gets":..,"get_us_total":..}
  nlohmann::json counters_json() const;
  // Reads what counters_json() wrote; absent or malformed fields are 0.
  static RemoteStats from_json(const nlohmann::json& j);
  // The same counts as a store's extra block, under the names counters_json() uses.
  ExtraCounters to_extra() const;
  static RemoteStats from_extra(const ExtraCounters& extra);
  std::string to_json() const;  // counters_json() plus "available"
};

}  // namespace vyre::pipeline
