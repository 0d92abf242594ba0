// The reference backend: a CPU interpreter that defines the Program IR's semantics. It is the
// oracle every other backend is compared with, and it is always available.
#pragma once

#include <memory>
#include <string_view>

#include "vyre/backend/backend.h"

namespace vyre {

inline constexpr std::string_view kReferenceBackendId = "reference";

struct ReferenceOptions {
  // Worker threads across workgroups (0 = one per hardware thread). Results do not depend on
  // it, except the order in which racing atomics of different workgroups land.
  unsigned threads = 0;
};

std::shared_ptr<Backend> make_reference_backend(ReferenceOptions options = {});

}  // namespace vyre
