// Why a pipeline was not in the cache. Every miss is exactly one of these, judged from the
// identities already cached, and each has a stable snake_case metric name.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vyre::pipeline {

enum class MissReason : std::uint8_t {
  EmptyCache,              // nothing was cached at all
  ProgramChanged,          // entries exist, none for this program
  DispatchPolicyChanged,   // this program is cached, but not with this dispatch policy
  DeviceOrRuntimeChanged,  // program and policy cached, but for another backend, device,
                           // driver, compiler, generated-code environment or cache format
  KeyAbsent,               // the exact identity was known to be cached, yet its entry is gone
  CorruptEntry,            // the entry exists but is damaged, mismatched or rejected by load
  UntrustedEntry,          // a shared-cache entry unsigned, or not signed by a trusted key
};

inline constexpr std::array kMissReasons = {MissReason::EmptyCache,
                                            MissReason::ProgramChanged,
                                            MissReason::DispatchPolicyChanged,
                                            MissReason::DeviceOrRuntimeChanged,
                                            MissReason::KeyAbsent,
                                            MissReason::CorruptEntry,
                                            MissReason::UntrustedEntry};

// "empty_cache", "program_changed", "dispatch_policy_changed", "device_or_runtime_changed",
// "key_absent", "corrupt_entry", "untrusted_entry". Stable: dashboards key on them.
std::string_view metric_name(MissReason reason);
std::optional<MissReason> miss_reason_from_name(std::string_view name);
// The words for people: "empty cache", "new program" (ProgramChanged: a digest the cache has never
// seen is a new program to it, whether or not it was edited from one), "dispatch policy changed",
// "device or runtime changed", "entry gone", "corrupt entry".
std::string_view miss_label(MissReason reason);

// How many cached identities agree with a request, group by group (seed: MissEvidence).
struct MissEvidence {
  std::size_t total_entries = 0;
  std::size_t same_program = 0;
  std::size_t same_program_and_policy = 0;
  std::size_t same_program_policy_and_device = 0;
};

// The reason for a miss of an entry that was absent (CorruptEntry and UntrustedEntry are
// decided by reading it).
MissReason classify_miss(const MissEvidence& evidence);

}  // namespace vyre::pipeline
