#include "disk_index.h"

#include "vyre/pipeline/cache_maintenance.h"

namespace vyre::pipeline {

std::vector<std::shared_ptr<const KeyFactors>> DiskIndex::entries(
    std::span<const std::unique_ptr<ByteStore>> stores, std::chrono::seconds refresh) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (!loaded_ || now - loaded_at_ > refresh) {
    map_.clear();
    for (const auto& store : stores) {
      for (CacheEntry& entry : list_entries(*store, /*read_headers=*/true)) {
        if (!entry.metadata) continue;
        map_.emplace(entry.item.key,
                     std::make_shared<const KeyFactors>(std::move(entry.metadata->factors)));
      }
    }
    loaded_ = true;
    loaded_at_ = now;
  }
  std::vector<std::shared_ptr<const KeyFactors>> out;
  out.reserve(map_.size());
  for (const auto& [key, factors] : map_) out.push_back(factors);
  return out;
}

void DiskIndex::add(const Digest& key, std::shared_ptr<const KeyFactors> factors) {
  std::lock_guard lock(mutex_);
  if (loaded_) map_.insert_or_assign(key, std::move(factors));
}

void DiskIndex::remove(const Digest& key) {
  std::lock_guard lock(mutex_);
  map_.erase(key);
}

void DiskIndex::invalidate() {
  std::lock_guard lock(mutex_);
  loaded_ = false;
  map_.clear();
}

}  // namespace vyre::pipeline
