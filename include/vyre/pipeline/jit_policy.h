// JIT policy (VYRE_JIT): whether the cache may compile on a miss. `forbid` lets a deployment
// guarantee it never waits on a compiler (a miss becomes an error); `warn` reports every
// compile after start-up, so unexpected compiles show up in logs.
#pragma once

#include <string_view>

#include "vyre/diag/result.h"

namespace vyre::pipeline {

enum class JitPolicy : std::uint8_t { Allow, Warn, Forbid };

std::string_view jit_policy_name(JitPolicy policy);  // "allow", "warn", "forbid"

// Parses "allow" | "warn" | "forbid" (case-insensitive). A bad value is a VY5001 diagnostic
// naming `origin` (e.g. "VYRE_JIT").
Result<JitPolicy> parse_jit_policy(std::string_view text, std::string_view origin = "VYRE_JIT");

}  // namespace vyre::pipeline
