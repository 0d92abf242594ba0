// Elapsed-time helpers shared by obtain() and obtain_many().
#pragma once

#include <chrono>
#include <cstdint>

namespace vyre::pipeline {

using Clock = std::chrono::steady_clock;

inline std::uint64_t micros_since(Clock::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

inline double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace vyre::pipeline
