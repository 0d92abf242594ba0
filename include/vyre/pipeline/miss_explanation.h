// Explaining a miss: among the cached identities, the nearest entry for the same program and
// exactly which factors differ ("ulp_budget 1 → 4"), so a user can see why it recompiled.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vyre/pipeline/cache_key.h"
#include "vyre/pipeline/miss_reason.h"

namespace vyre::pipeline {

struct MissExplanation {
  MissReason reason = MissReason::EmptyCache;
  MissEvidence evidence;
  std::optional<Digest> nearest;  // key of the nearest entry for the same program, if any
  std::vector<FactorDifference> differences;  // nearest entry vs the request
  std::string detail;  // extra words for CorruptEntry (what was wrong with the entry)

  // One line: "dispatch_policy_changed: nearest entry 3fa29c0e1b2d for this program differs
  // in ulp_budget 1 → 4".
  std::string text() const;
};

// Classifies and explains a miss of `requested` against every identity in `cached` (duplicates
// allowed). The nearest entry is the same-program entry with the fewest differing factors (ties:
// lowest key).
MissExplanation explain_miss(std::span<const std::shared_ptr<const KeyFactors>> cached,
                             const KeyFactors& requested);

}  // namespace vyre::pipeline
