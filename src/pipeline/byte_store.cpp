#include "vyre/pipeline/byte_store.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace vyre::pipeline {
namespace {

constexpr std::array<std::string_view, kStoreCounterCount> kCounterNames = {
    "hits",
    "misses",
    "writes",
    "write_failures",
    "skipped_oversize",
    "evictions",
    "corrupt_removed",
    "orphans_removed",
    "io_errors",
    "fsync_errors",
    "remove_failures",
    "warnings",
};
static_assert(static_cast<std::size_t>(StoreCounter::Warnings) + 1 == kStoreCounterCount);

}  // namespace

std::string_view store_counter_name(StoreCounter counter) {
  return kCounterNames[static_cast<std::size_t>(counter)];
}

StoreCounters& StoreCounters::operator+=(const StoreCounters& other) {
  for (std::size_t i = 0; i < kStoreCounterCount; ++i) values[i] += other.values[i];
  return *this;
}

std::string StoreCounters::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t i = 0; i < kStoreCounterCount; ++i) j[std::string(kCounterNames[i])] = values[i];
  return j.dump();
}

ExtraCounters& ExtraCounters::operator+=(const ExtraCounters& other) {
  for (const auto& [name, value] : other.sums) sums[name] += value;
  for (const auto& [name, value] : other.maxima) {
    std::uint64_t& mine = maxima[name];
    mine = std::max(mine, value);
  }
  return *this;
}

ExtraCounters ExtraCounters::since(const ExtraCounters& earlier) const {
  ExtraCounters delta;
  for (const auto& [name, value] : sums) {
    const std::uint64_t before = earlier.sum(name);
    if (value > before) delta.sums[name] = value - before;
  }
  for (const auto& [name, value] : maxima) {
    if (value != 0) delta.maxima[name] = value;
  }
  return delta;
}

bool ExtraCounters::empty() const {
  auto zero = [](const auto& entry) { return entry.second == 0; };
  return std::all_of(sums.begin(), sums.end(), zero) &&
         std::all_of(maxima.begin(), maxima.end(), zero);
}

std::uint64_t ExtraCounters::sum(std::string_view name) const {
  auto it = sums.find(name);
  return it == sums.end() ? 0 : it->second;
}

std::uint64_t ExtraCounters::maximum(std::string_view name) const {
  auto it = maxima.find(name);
  return it == maxima.end() ? 0 : it->second;
}

StoreCounters AtomicStoreCounters::snapshot() const {
  StoreCounters out;
  for (std::size_t i = 0; i < kStoreCounterCount; ++i) {
    out.values[i] = values_[i].load(std::memory_order_relaxed);
  }
  return out;
}

bool ByteStore::discard(const Digest& key, const StoreRead& /*read*/) {
  return remove(key);
}

}  // namespace vyre::pipeline
