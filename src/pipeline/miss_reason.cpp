#include "vyre/pipeline/miss_reason.h"

namespace vyre::pipeline {

std::string_view metric_name(MissReason reason) {
  switch (reason) {
    case MissReason::EmptyCache:
      return "empty_cache";
    case MissReason::ProgramChanged:
      return "program_changed";
    case MissReason::DispatchPolicyChanged:
      return "dispatch_policy_changed";
    case MissReason::DeviceOrRuntimeChanged:
      return "device_or_runtime_changed";
    case MissReason::KeyAbsent:
      return "key_absent";
    case MissReason::CorruptEntry:
      return "corrupt_entry";
    case MissReason::UntrustedEntry:
      return "untrusted_entry";
  }
  return "key_absent";
}

std::string_view miss_label(MissReason reason) {
  switch (reason) {
    case MissReason::EmptyCache:
      return "empty cache";
    case MissReason::ProgramChanged:
      return "new program";
    case MissReason::DispatchPolicyChanged:
      return "dispatch policy changed";
    case MissReason::DeviceOrRuntimeChanged:
      return "device or runtime changed";
    case MissReason::KeyAbsent:
      return "entry gone";
    case MissReason::CorruptEntry:
      return "corrupt entry";
  }
  return "entry gone";
}

std::optional<MissReason> miss_reason_from_name(std::string_view name) {
  for (MissReason reason : kMissReasons) {
    if (metric_name(reason) == name) return reason;
  }
  return std::nullopt;
}

// The seed's order: the first group that no cached identity shares names the change.
MissReason classify_miss(const MissEvidence& evidence) {
  if (evidence.total_entries == 0) return MissReason::EmptyCache;
  if (evidence.same_program == 0) return MissReason::ProgramChanged;
  if (evidence.same_program_and_policy == 0) return MissReason::DispatchPolicyChanged;
  if (evidence.same_program_policy_and_device == 0) return MissReason::DeviceOrRuntimeChanged;
  return MissReason::KeyAbsent;
}

}  // namespace vyre::pipeline
