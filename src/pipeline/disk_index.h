// The key factors of the entries in the chain's stores, read from their headers once and then
// kept up to date with this process's own writes and removals (re-read when older than a refresh
// interval, to see other processes' work). Only miss classification and explanation use it.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "vyre/pipeline/byte_store.h"
#include "vyre/pipeline/cache_key.h"
#include "vyre/pipeline/memory_tier.h"

namespace vyre::pipeline {

class DiskIndex {
 public:
  // Stores without a maintenance interface contribute nothing.
  std::vector<std::shared_ptr<const KeyFactors>> entries(
      std::span<const std::unique_ptr<ByteStore>> stores, std::chrono::seconds refresh);
  void add(const Digest& key, std::shared_ptr<const KeyFactors> factors);
  void remove(const Digest& key);
  void invalidate();  // re-read on next use

 private:
  std::mutex mutex_;
  bool loaded_ = false;
  std::chrono::steady_clock::time_point loaded_at_;
  std::unordered_map<Digest, std::shared_ptr<const KeyFactors>, DigestHash> map_;
};

}  // namespace vyre::pipeline
