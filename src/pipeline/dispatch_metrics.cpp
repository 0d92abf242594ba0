#include "vyre/pipeline/dispatch_metrics.h"

namespace vyre::pipeline {

DispatchTotals& DispatchTotals::operator+=(const DispatchTotals& other) {
  dispatches += other.dispatches;
  failures += other.failures;
  bytes_to_device += other.bytes_to_device;
  bytes_from_device += other.bytes_from_device;
  device_time += other.device_time;
  return *this;
}

DispatchTotals DispatchTotals::since(const DispatchTotals& earlier) const {
  DispatchTotals delta;
  delta.dispatches = dispatches - earlier.dispatches;
  delta.failures = failures - earlier.failures;
  delta.bytes_to_device = bytes_to_device - earlier.bytes_to_device;
  delta.bytes_from_device = bytes_from_device - earlier.bytes_from_device;
  delta.device_time = device_time.since(earlier.device_time);
  return delta;
}

void DispatchMetrics::record(std::string_view backend, std::uint64_t bytes_to_device,
                             std::uint64_t bytes_from_device, std::uint64_t device_us) {
  std::lock_guard lock(mutex_);
  auto it = totals_.find(backend);
  if (it == totals_.end()) it = totals_.emplace(std::string(backend), DispatchTotals{}).first;
  DispatchTotals& t = it->second;
  ++t.dispatches;
  t.bytes_to_device += bytes_to_device;
  t.bytes_from_device += bytes_from_device;
  t.device_time.record_us(device_us);
}

void DispatchMetrics::record_failure(std::string_view backend) {
  std::lock_guard lock(mutex_);
  auto it = totals_.find(backend);
  if (it == totals_.end()) it = totals_.emplace(std::string(backend), DispatchTotals{}).first;
  ++it->second.failures;
}

DispatchTotalsByBackend DispatchMetrics::snapshot() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

}  // namespace vyre::pipeline
