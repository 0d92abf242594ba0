// Pipeline cache telemetry: hits per tier, misses per reason, compile and load time histograms,
// hit rate and compile time saved; and the JSON reproducibility manifest of one pipeline.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "vyre/pipeline/cache_outcome.h"
#include "vyre/pipeline/miss_reason.h"

namespace vyre::pipeline {

// Durations in power-of-two buckets: bucket i counts samples up to 2^i microseconds; the last
// bucket is unbounded.
struct Histogram {
  static constexpr std::size_t kBuckets = 28;  // 1 us .. ~67 s, then the rest
  std::array<std::uint64_t, kBuckets> counts{};
  std::uint64_t count = 0;
  double sum_ms = 0;

  static double upper_bound_ms(std::size_t bucket);  // +infinity for the last
  static std::size_t bucket_of(std::uint64_t micros);
  double mean_ms() const { return count ? sum_ms / static_cast<double>(count) : 0; }
  double quantile_ms(double q) const;  // upper bound of the bucket holding the q-quantile
};

struct Telemetry {
  std::uint64_t memory_hits = 0;
  std::uint64_t disk_hits = 0;
  std::uint64_t coalesced = 0;  // requests that waited for another's compile or load
  std::array<std::uint64_t, kMissReasons.size()> misses{};  // by MissReason
  std::uint64_t compiles = 0;
  std::uint64_t compile_failures = 0;
  std::uint64_t load_failures = 0;  // Backend::load rejected an entry (counted corrupt_entry)
  std::uint64_t jit_forbidden = 0;  // misses refused under JitPolicy::Forbid
  std::uint64_t jit_warnings = 0;   // compiles reported under JitPolicy::Warn
  std::uint64_t lookup_only_hits = 0;
  std::uint64_t lookup_only_misses = 0;
  std::uint64_t disk_writes = 0;
  std::uint64_t disk_write_failures = 0;
  std::uint64_t disk_evictions = 0;
  std::uint64_t memory_evictions = 0;
  std::uint64_t corrupt_entries_removed = 0;
  std::uint64_t orphans_removed = 0;
  std::uint64_t warnings = 0;  // warnings delivered to the sink
  double compile_seconds = 0;
  // The recorded compile time of every disk hit: a compile saved once per entry and process
  // (later memory hits of that entry save nothing more).
  double compile_seconds_saved = 0;
  Histogram compile_ms;
  Histogram load_ms;
  bool disk_writable = false;
  std::size_t memory_entries = 0;
  std::uint64_t memory_bytes = 0;

  std::uint64_t misses_for(MissReason reason) const {
    return misses[static_cast<std::size_t>(reason)];
  }
  std::uint64_t total_misses() const;
  std::uint64_t hits() const { return memory_hits + disk_hits; }
  // hits / (hits + misses); coalesced requests are in neither (they caused no compile or load).
  double hit_rate() const;
  // {"hits":{"memory":..,"disk":..},"misses":{"empty_cache":..,...},"hit_rate":..,...}
  std::string to_json() const;
};

// The reproducibility manifest of one pipeline: backend, program digest, policy, fingerprint,
// environment, cache format and outcome, as a JSON object.
std::string manifest_json(const CacheOutcome& outcome);

}  // namespace vyre::pipeline
