// Single-flight: concurrent requests for one key share one compile. The first caller leads
// (does the work), the others wait for its result.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "vyre/pipeline/memory_tier.h"

namespace vyre::pipeline {

template <class T>
class SingleFlight {
 public:
  SingleFlight() { flights_.reserve(16); }  // the first flight does not size the table

  struct Flight {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    std::shared_ptr<const T> result;  // set by the leader before done
  };

  // Joins the flight for `key`; *leader is true for the caller that must do the work.
  std::shared_ptr<Flight> join(const Digest& key, bool* leader) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = flights_.try_emplace(key);
    if (inserted) it->second = std::make_shared<Flight>();
    *leader = inserted;
    return it->second;
  }

  // Leader: publishes the result and wakes the waiters. Later joins start a new flight.
  void finish(const Digest& key, const std::shared_ptr<Flight>& flight,
              std::shared_ptr<const T> result) {
    {
      std::lock_guard lock(mutex_);
      flights_.erase(key);
    }
    {
      std::lock_guard lock(flight->mutex);
      flight->result = std::move(result);
      flight->done = true;
    }
    flight->done_cv.notify_all();
  }

  // Waiter: blocks until the leader finished.
  static std::shared_ptr<const T> wait(Flight& flight) {
    std::unique_lock lock(flight.mutex);
    flight.done_cv.wait(lock, [&] { return flight.done; });
    return flight.result;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<Digest, std::shared_ptr<Flight>, DigestHash> flights_;
};

}  // namespace vyre::pipeline
