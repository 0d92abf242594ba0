// Pipeline cache telemetry: hits per tier, misses per reason, compile and load time histograms,
// hit rate and compile time saved; and the JSON reproducibility manifest of one pipeline.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/pipeline/byte_store.h"
#include "vyre/pipeline/cache_outcome.h"
#include "vyre/pipeline/histogram.h"
#include "vyre/pipeline/miss_reason.h"

namespace vyre::pipeline {

// One store of the chain, as the cache saw it: its own counter table plus what the cache served
// from it and promoted into it.
struct StoreTelemetry {
  std::string name;      // ByteStore::name(): the key of this row
  std::string location;  // ByteStore::location()
  bool writable = false;
  std::uint64_t served = 0;    // pipelines this store's bytes produced (authenticated and loaded)
  std::uint64_t promoted = 0;  // entries put here because a later store had them
  StoreCounters counters;
  ExtraCounters extra;  // ByteStore::extra_counters()
};

struct Telemetry {
  std::uint64_t memory_hits = 0;
  std::uint64_t store_hits = 0;  // pipelines served from any store of the chain
  std::uint64_t coalesced = 0;   // requests that waited for another's compile or load
  std::array<std::uint64_t, kMissReasons.size()> misses{};  // by MissReason
  std::uint64_t compiles = 0;
  std::uint64_t compile_failures = 0;
  std::uint64_t load_failures = 0;  // Backend::load rejected an entry (counted corrupt_entry)
  std::uint64_t jit_forbidden = 0;  // misses refused under JitPolicy::Forbid
  std::uint64_t jit_warnings = 0;   // compiles reported under JitPolicy::Warn
  std::uint64_t lookup_only_hits = 0;
  std::uint64_t lookup_only_misses = 0;
  std::uint64_t memory_evictions = 0;
  std::uint64_t corrupt_entries_removed = 0;  // summed over the stores
  std::uint64_t warnings = 0;                 // warnings delivered to the sink
  double compile_seconds = 0;
  // The recorded compile time of every disk hit: a compile saved once per entry and process
  // (later memory hits of that entry save nothing more).
  double compile_seconds_saved = 0;
  Histogram compile_ms;
  Histogram load_ms;
  std::size_t memory_entries = 0;
  std::uint64_t memory_bytes = 0;
  std::vector<StoreTelemetry> stores;  // in chain order

  const StoreTelemetry* store(std::string_view name) const;  // null when not in the chain
  bool any_store_writable() const;
  std::uint64_t misses_for(MissReason reason) const {
    return misses[static_cast<std::size_t>(reason)];
  }
  std::uint64_t total_misses() const;
  std::uint64_t hits() const { return memory_hits + store_hits; }
  // hits / (hits + misses); coalesced requests are in neither (they caused no compile or load).
  double hit_rate() const;
  // {"hits":{"memory":..,"stores":..},"misses":{...},"stores":{"disk":{...}},"hit_rate":..,...}
  std::string to_json() const;
};

// The reproducibility manifest of one pipeline: backend, program digest, policy, fingerprint,
// environment, cache format and outcome, as a JSON object.
std::string manifest_json(const CacheOutcome& outcome);

}  // namespace vyre::pipeline
