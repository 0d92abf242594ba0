#include "vyre/pipeline/miss_explanation.h"

#include <algorithm>
#include <set>

namespace vyre::pipeline {

MissExplanation explain_miss(std::span<const std::shared_ptr<const KeyFactors>> cached,
                             const KeyFactors& requested) {
  MissExplanation out;
  const Digest requested_policy = requested.policy_digest();
  const Digest requested_device = requested.device_digest();

  std::set<Digest> seen;
  const KeyFactors* nearest = nullptr;
  Digest nearest_key{};
  std::size_t nearest_distance = SIZE_MAX;
  for (const auto& entry : cached) {
    if (!entry) continue;
    Digest key = entry->key();
    if (!seen.insert(key).second) continue;
    ++out.evidence.total_entries;
    if (entry->program != requested.program) continue;
    ++out.evidence.same_program;
    bool same_policy = entry->policy_digest() == requested_policy;
    if (same_policy) {
      ++out.evidence.same_program_and_policy;
      if (entry->device_digest() == requested_device) ++out.evidence.same_program_policy_and_device;
    }
    std::size_t distance = diff_factors(*entry, requested).size();
    if (distance < nearest_distance || (distance == nearest_distance && key < nearest_key)) {
      nearest = entry.get();
      nearest_key = key;
      nearest_distance = distance;
    }
  }
  out.reason = classify_miss(out.evidence);
  if (nearest != nullptr) {
    out.nearest = nearest_key;
    out.differences = diff_factors(*nearest, requested);
  }
  return out;
}

std::string MissExplanation::text() const {
  // The nearest entry being for another backend means this program was simply never compiled
  // for the requested one: that, not a list of every fingerprint field, is the news.
  for (const FactorDifference& d : differences) {
    if (reason == MissReason::DeviceOrRuntimeChanged && d.name == "backend") {
      return "not yet compiled for " + d.requested + " (cached for " + d.cached + ")";
    }
  }
  std::string out(miss_label(reason));
  out += ": ";
  switch (reason) {
    case MissReason::EmptyCache:
      out += "the cache holds no entries yet";
      break;
    case MissReason::ProgramChanged:
      out += "never compiled into this cache (" + std::to_string(evidence.total_entries) + " entr" +
             (evidence.total_entries == 1 ? "y" : "ies") + " for other programs)";
      break;
    case MissReason::KeyAbsent:
      out += "this exact entry was cached but is gone (evicted or removed by another process)";
      break;
    case MissReason::CorruptEntry:
      out += "the cached entry was unusable and has been removed";
      if (!detail.empty()) out += " (" + detail + ")";
      break;
    case MissReason::UntrustedEntry:
      out += "the shared cache's entry is not signed by a trusted key and was not loaded";
      if (!detail.empty()) out += " (" + detail + ")";
      break;
    case MissReason::DispatchPolicyChanged:
    case MissReason::DeviceOrRuntimeChanged:
      break;
  }
  if (nearest && reason != MissReason::KeyAbsent && reason != MissReason::CorruptEntry &&
      reason != MissReason::UntrustedEntry) {
    out += "nearest entry " + to_hex(*nearest).substr(0, 12) + " for this program differs in ";
    if (differences.empty()) out += "nothing";
    for (std::size_t i = 0; i < differences.size(); ++i) {
      if (i != 0) out += ", ";
      out += differences[i].describe();
    }
  }
  return out;
}

}  // namespace vyre::pipeline
