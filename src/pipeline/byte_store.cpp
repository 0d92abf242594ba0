#include "vyre/pipeline/byte_store.h"

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
