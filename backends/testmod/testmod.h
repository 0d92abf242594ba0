// testmod's backend, codes and environment variable (private to this folder).
#pragma once

#include <memory>
#include <string_view>

#include "vyre/backend/backend.h"
#include "vyre/backend/environment.h"
#include "vyre/diag/codes.h"

namespace vyre::testmod {

inline constexpr std::string_view kBackendId = "testmod";

inline constexpr ModuleEnvVar kLatencyVariable{
    "VYRE_TESTMOD_LATENCY_MS", false,
    "testmod (a test-only backend): milliseconds each dispatch takes at least"};

namespace code {
using namespace ::vyre::code;
#define VYRE_DIAG(name, id, title, explanation) inline constexpr std::string_view name = id;
#include "codes.def"
#undef VYRE_DIAG
}  // namespace code

// The backend, or TestmodBadLatency when VYRE_TESTMOD_LATENCY_MS cannot be read.
Result<std::shared_ptr<Backend>> make_testmod_backend();

}  // namespace vyre::testmod
