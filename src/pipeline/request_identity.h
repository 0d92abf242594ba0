// Memoised request identities, so a memory-tier hit never re-derives the BLAKE3 key: requests
// are looked up by an XXH3-128 of their factor bytes (encode_key_factors: program digest, policy
// fields, backend id, fingerprint, environment) and recognised only by those bytes themselves,
// so an XXH3 collision can never hand one request another's key.
#pragma once

#include <xxhash.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "vyre/pipeline/cache_key.h"

namespace vyre::pipeline {

struct RequestIdentity {
  Digest key{};
  std::shared_ptr<const KeyFactors> factors;
  std::vector<std::uint8_t> factor_bytes;  // encode_key_factors(*factors): the disk hit compares
};

class RequestIdentityMemo {
 public:
  static constexpr std::size_t kCapacity = 4096;  // cleared when full: it is only a shortcut

  RequestIdentityMemo() { map_.reserve(64); }  // the first request does not size the table

  // The identity memoised for `factor_bytes` (whose XXH3-128 is `hash`), or null.
  std::shared_ptr<const RequestIdentity> find(const XXH128_hash_t& hash,
                                              const std::vector<std::uint8_t>& factor_bytes) const {
    std::shared_lock lock(mutex_);
    auto it = map_.find(hash);
    if (it == map_.end() || it->second->factor_bytes != factor_bytes) return nullptr;
    return it->second;
  }
  void insert(const XXH128_hash_t& hash, std::shared_ptr<const RequestIdentity> identity) {
    std::unique_lock lock(mutex_);
    if (map_.size() >= kCapacity) map_.clear();
    map_.insert_or_assign(hash, std::move(identity));
  }

 private:
  struct Hash {
    std::size_t operator()(const XXH128_hash_t& h) const noexcept {
      return static_cast<std::size_t>(h.low64);
    }
  };
  struct Equal {
    bool operator()(const XXH128_hash_t& a, const XXH128_hash_t& b) const noexcept {
      return XXH128_isEqual(a, b) != 0;
    }
  };
  mutable std::shared_mutex mutex_;
  std::unordered_map<XXH128_hash_t, std::shared_ptr<const RequestIdentity>, Hash, Equal> map_;
};

}  // namespace vyre::pipeline
