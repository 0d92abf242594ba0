// The live, lock-free counters behind PipelineCache::snapshot().
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>

#include "vyre/pipeline/stats_file.h"
#include "vyre/pipeline/telemetry.h"

namespace vyre::pipeline {

struct AtomicHistogram {
  std::array<std::atomic<std::uint64_t>, Histogram::kBuckets> counts{};
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum_us{0};

  void record_us(std::uint64_t micros) {
    counts[Histogram::bucket_of(micros)].fetch_add(1, std::memory_order_relaxed);
    count.fetch_add(1, std::memory_order_relaxed);
    sum_us.fetch_add(micros, std::memory_order_relaxed);
  }
  Histogram snapshot() const {
    Histogram h;
    for (std::size_t i = 0; i < Histogram::kBuckets; ++i) h.counts[i] = counts[i].load();
    h.count = count.load();
    h.sum_us = sum_us.load();
    return h;
  }
};

struct TelemetryCounters {
  using Counter = std::atomic<std::uint64_t>;
  Counter memory_hits{0}, store_hits{0}, coalesced{0};
  std::array<Counter, kMissReasons.size()> misses{};
  Counter compiles{0}, compile_failures{0}, load_failures{0}, jit_forbidden{0}, jit_warnings{0};
  Counter lookup_only_hits{0}, lookup_only_misses{0}, memory_evictions{0}, warnings{0};
  Counter compile_us{0}, compile_us_saved{0};
  AtomicHistogram compile_hist, load_hist;
  std::deque<Counter> served, promoted;  // per store of the chain, index-aligned
  PersistedStats saved;  // what PipelineCache::save_stats() last added to the stats file

  static void add(Counter& c, std::uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }
  void miss(MissReason reason) { add(misses[static_cast<std::size_t>(reason)]); }
};

}  // namespace vyre::pipeline
