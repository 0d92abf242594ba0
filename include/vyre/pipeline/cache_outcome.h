// What one cache request did: where the pipeline came from, why it missed, and how long each
// step took.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vyre/pipeline/cache_key.h"
#include "vyre/pipeline/miss_reason.h"

namespace vyre::pipeline {

// Where the pipeline came from. Disk: from a byte store of the chain (CacheOutcome::store names
// which: "disk", "pack", a remote one).
enum class CacheTier : std::uint8_t { Memory, Disk, Compiled };

std::string_view cache_tier_name(CacheTier tier);  // "memory", "disk", "compiled"

struct CacheOutcome {
  CacheTier tier = CacheTier::Compiled;
  std::optional<MissReason> miss;  // set when compiled (or, for lookup_only, when it would be)
  std::string miss_explanation;    // MissExplanation::text(), when missed
  double lookup_ms = 0;            // identity, memory and disk lookups
  double load_ms = 0;              // Backend::load, on a disk hit
  double compile_ms = 0;           // Backend::compile, when compiled (a batch: its equal share)
  Digest key{};
  std::string store;  // on a Disk hit: the name of the store that served it
  // Additions beyond the agreed shape:
  std::shared_ptr<const KeyFactors> factors;  // the request's identity (for manifests)
  bool coalesced = false;  // waited for another thread's compile or load of the same key
  // Programs compiled by the same Backend::compile_many call (obtain_many); 0 when compiled
  // alone by Backend::compile.
  std::uint32_t batch_size = 0;
};

}  // namespace vyre::pipeline
