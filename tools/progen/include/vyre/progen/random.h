// A seeded, platform-independent random source for the program generator. Only the raw output
// of std::mt19937_64 (fully specified by the standard) is used; bounded draws are our own
// (rejection sampling), because std::uniform_int_distribution differs between standard
// libraries and the same seed must give the same program everywhere.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace vyre::progen {

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t next() { return engine_(); }
  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n);
  // Uniform in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  // True with probability num / den.
  bool chance(std::uint64_t num, std::uint64_t den) { return below(den) < num; }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace vyre::progen
