#include "vyre/pipeline/memory_tier.h"

#include <algorithm>

namespace vyre::pipeline {

MemoryTier::MemoryTier(std::size_t max_entries, std::uint64_t max_bytes)
    : max_entries_(max_entries), max_bytes_(max_bytes) {
  // Buckets for a typical working set now, so the first insert (a fresh process's first hit)
  // does not also size the table.
  index_.reserve(std::min<std::size_t>(max_entries, 64));
}

bool MemoryTier::find(const Digest& key, MemoryEntry* out) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  lru_.splice(lru_.begin(), lru_, it->second);
  *out = it->second->entry;
  return true;
}

std::size_t MemoryTier::insert(const Digest& key, MemoryEntry entry) {
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) {
    bytes_ -= it->second->entry.bytes;
    lru_.erase(it->second);
    index_.erase(it);
  }
  if (max_entries_ == 0 || entry.bytes > max_bytes_) return 0;
  bytes_ += entry.bytes;
  lru_.push_front(Node{key, std::move(entry)});
  index_.emplace(key, lru_.begin());
  return evict_locked();
}

std::size_t MemoryTier::evict_locked() {
  std::size_t evicted = 0;
  while (!lru_.empty() && (lru_.size() > max_entries_ || bytes_ > max_bytes_)) {
    Node& victim = lru_.back();
    bytes_ -= victim.entry.bytes;
    index_.erase(victim.key);
    lru_.pop_back();
    ++evicted;
  }
  return evicted;
}

std::size_t MemoryTier::erase_if(const std::function<bool(const KeyFactors&)>& predicate) {
  std::lock_guard lock(mutex_);
  std::size_t erased = 0;
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->entry.factors && predicate(*it->entry.factors)) {
      bytes_ -= it->entry.bytes;
      index_.erase(it->key);
      it = lru_.erase(it);
      ++erased;
    } else {
      ++it;
    }
  }
  return erased;
}

void MemoryTier::clear() {
  std::lock_guard lock(mutex_);
  lru_.clear();
  index_.clear();
  bytes_ = 0;
}

std::size_t MemoryTier::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

std::uint64_t MemoryTier::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::vector<std::shared_ptr<const KeyFactors>> MemoryTier::factors() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const KeyFactors>> out;
  out.reserve(lru_.size());
  for (const Node& node : lru_) out.push_back(node.entry.factors);
  return out;
}

}  // namespace vyre::pipeline
