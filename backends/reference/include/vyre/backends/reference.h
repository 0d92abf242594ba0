// The reference backend: a CPU interpreter that defines the Program IR's semantics. It is the
// oracle every other backend is compared with, and it is always available.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "vyre/backend/backend.h"
#include "vyre/backend/environment.h"

namespace vyre {

inline constexpr std::string_view kReferenceBackendId = "reference";

// The variable the reference module reads (listed by `vyre env` through the module).
inline constexpr ModuleEnvVar kReferenceRacesVariable{
    "VYRE_REFERENCE_RACES", false,
    "0 turns off the reference backend's data-race detector (on by default)"};

struct ReferenceOptions {
  // Worker threads across workgroups (0 = one per hardware thread). Results do not depend on
  // it, except the order in which racing atomics of different workgroups land.
  unsigned threads = 0;
  // Data-race detection (docs/IR.md section 8): unset = on unless VYRE_REFERENCE_RACES=0.
  std::optional<bool> detect_races;
};

std::shared_ptr<Backend> make_reference_backend(ReferenceOptions options = {});

}  // namespace vyre
