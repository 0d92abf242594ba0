// Durations in power-of-two buckets: bucket i counts samples up to 2^i microseconds; the last
// bucket is unbounded. Compile and load times of the cache and dispatch times of the runtime are
// kept this way, live and in the stats file, so quantiles and Prometheus buckets come from the
// same counts.
#pragma once

#include <array>
#include <cstdint>

namespace vyre::pipeline {

struct Histogram {
  static constexpr std::size_t kBuckets = 28;  // 1 us .. ~67 s, then the rest
  std::array<std::uint64_t, kBuckets> counts{};
  std::uint64_t count = 0;
  std::uint64_t sum_us = 0;

  static double upper_bound_ms(std::size_t bucket);         // +infinity for the last
  static std::uint64_t upper_bound_us(std::size_t bucket);  // 2^bucket; UINT64_MAX for the last
  static std::size_t bucket_of(std::uint64_t micros);
  void record_us(std::uint64_t micros);
  double sum_ms() const { return static_cast<double>(sum_us) / 1000.0; }
  double mean_ms() const { return count ? sum_ms() / static_cast<double>(count) : 0; }
  double quantile_ms(double q) const;  // upper bound of the bucket holding the q-quantile
  bool empty() const { return count == 0; }

  Histogram& operator+=(const Histogram& other);
  // What was recorded since `earlier` (a snapshot of the same histogram).
  Histogram since(const Histogram& earlier) const;
};

}  // namespace vyre::pipeline
