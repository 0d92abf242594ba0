// What a program needs from a backend: the ops it calls, the element types it stores and
// computes with, 64-bit atomics, f64, shared memory and barriers inside `if` statements. Routing
// compares these with each backend's Capabilities and supported ops.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/ir/program.h"

namespace vyre::routing {

struct ProgramRequirements {
  std::vector<std::string> ops;  // sorted, unique
  std::vector<ir::Type> types;   // sorted, unique: declarations, locals and every expression
  bool atomics32 = false;
  bool atomics64 = false;
  bool f64 = false;
  std::uint64_t shared_bytes = 0;
  bool barriers_under_if = false;  // a barrier anywhere inside an `if` statement's branches
};

ProgramRequirements requirements_of(const ir::Program& program);

// Why `backend` cannot run a program with these requirements ("no lowering for op `tan`"), or
// nullopt when it can.
std::optional<std::string> unmet_requirement(const Backend& backend,
                                             const ProgramRequirements& needs);

}  // namespace vyre::routing
