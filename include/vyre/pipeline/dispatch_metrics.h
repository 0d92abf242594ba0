// Dispatch totals per backend: how many dispatches ran, the bytes they moved between host and
// device, and how long each took from its start until its completion was observed. The runtime
// records every dispatch into its pipeline cache's DispatchMetrics (the one object the runs of a
// process share), so the stats file keeps them beside the cache's counters and
// `vyre cache stats --prometheus` exports both across processes.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "vyre/pipeline/histogram.h"

namespace vyre::pipeline {

struct DispatchTotals {
  std::uint64_t dispatches = 0;
  std::uint64_t failures = 0;           // dispatches that ended in an error
  std::uint64_t bytes_to_device = 0;    // inputs uploaded (host buffers) for the dispatches
  std::uint64_t bytes_from_device = 0;  // outputs read back
  // Per dispatch: device time where the backend measures it (resident runs), else the time from
  // the dispatch's start until its completion was observed (transfers included).
  Histogram device_time;

  DispatchTotals& operator+=(const DispatchTotals& other);
  DispatchTotals since(const DispatchTotals& earlier) const;
  bool empty() const { return dispatches == 0 && failures == 0; }
};

using DispatchTotalsByBackend = std::map<std::string, DispatchTotals, std::less<>>;

class DispatchMetrics {
 public:
  void record(std::string_view backend, std::uint64_t bytes_to_device,
              std::uint64_t bytes_from_device, std::uint64_t device_us);
  void record_failure(std::string_view backend);
  DispatchTotalsByBackend snapshot() const;

 private:
  mutable std::mutex mutex_;
  DispatchTotalsByBackend totals_;
};

}  // namespace vyre::pipeline
