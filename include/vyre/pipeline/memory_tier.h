// The memory tier: compiled pipelines by key, bounded by entries and bytes, least recently used
// evicted first. Every method is safe to call from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/pipeline/cache_key.h"

namespace vyre::pipeline {

struct DigestHash {
  std::size_t operator()(const Digest& d) const noexcept {
    std::size_t h;
    static_assert(sizeof(h) <= sizeof(Digest));
    __builtin_memcpy(&h, d.data(), sizeof(h));  // keys are BLAKE3 output: uniformly random
    return h;
  }
};

struct MemoryEntry {
  std::shared_ptr<const CompiledPipeline> pipeline;
  std::shared_ptr<const KeyFactors> factors;
  std::uint64_t bytes = 0;       // charged against the byte bound (serialized size)
  std::uint64_t compile_us = 0;  // what a hit saves
};

class MemoryTier {
 public:
  MemoryTier(std::size_t max_entries, std::uint64_t max_bytes);

  // Copies the entry into *out and marks it most recently used; false when absent.
  bool find(const Digest& key, MemoryEntry* out);
  // Inserts or replaces, then evicts least recently used entries until within both bounds. An
  // entry larger than the byte bound by itself is not kept. Returns how many were evicted.
  std::size_t insert(const Digest& key, MemoryEntry entry);
  std::size_t erase_if(const std::function<bool(const KeyFactors&)>& predicate);
  void clear();

  std::size_t size() const;
  std::uint64_t bytes() const;
  // The factors of every entry held now (for miss classification).
  std::vector<std::shared_ptr<const KeyFactors>> factors() const;

 private:
  struct Node {
    Digest key;
    MemoryEntry entry;
  };
  std::size_t evict_locked();

  const std::size_t max_entries_;
  const std::uint64_t max_bytes_;
  mutable std::mutex mutex_;
  std::list<Node> lru_;  // front = most recently used
  std::unordered_map<Digest, std::list<Node>::iterator, DigestHash> index_;
  std::uint64_t bytes_ = 0;
};

}  // namespace vyre::pipeline
