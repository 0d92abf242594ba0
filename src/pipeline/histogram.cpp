#include "vyre/pipeline/histogram.h"

#include <cmath>
#include <limits>

namespace vyre::pipeline {

double Histogram::upper_bound_ms(std::size_t bucket) {
  if (bucket + 1 >= kBuckets) return std::numeric_limits<double>::infinity();
  return std::ldexp(1.0, static_cast<int>(bucket)) / 1000.0;
}

std::uint64_t Histogram::upper_bound_us(std::size_t bucket) {
  if (bucket + 1 >= kBuckets) return std::numeric_limits<std::uint64_t>::max();
  return std::uint64_t{1} << bucket;
}

std::size_t Histogram::bucket_of(std::uint64_t micros) {
  std::size_t bucket = 0;
  while (bucket + 1 < kBuckets && (std::uint64_t{1} << bucket) < micros) ++bucket;
  return bucket;
}

void Histogram::record_us(std::uint64_t micros) {
  ++counts[bucket_of(micros)];
  ++count;
  sum_us += micros;
}

double Histogram::quantile_ms(double q) const {
  if (count == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank && counts[i] != 0) return upper_bound_ms(i);
  }
  return upper_bound_ms(kBuckets - 1);
}

Histogram& Histogram::operator+=(const Histogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts[i] += other.counts[i];
  count += other.count;
  sum_us += other.sum_us;
  return *this;
}

Histogram Histogram::since(const Histogram& earlier) const {
  Histogram delta;
  for (std::size_t i = 0; i < kBuckets; ++i) delta.counts[i] = counts[i] - earlier.counts[i];
  delta.count = count - earlier.count;
  delta.sum_us = sum_us - earlier.sum_us;
  return delta;
}

}  // namespace vyre::pipeline
