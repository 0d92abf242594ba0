// Choosing the backend that runs a program, and saying why.
//
// A DispatchConfig whose allowed_backends names exactly one backend is an explicit choice: that
// backend runs the program or the route fails with its reason. Otherwise the candidates are the
// allowed backends (all registered ones when the list is empty), tried in the order of
// preferred_backends first and then by descending priority; the first that starts and supports
// everything the program uses wins. Routing never picks a backend outside allowed_backends.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/registry/backend_registry.h"
#include "vyre/routing/requirements.h"

namespace vyre::routing {

struct SkippedBackend {
  std::string id;
  std::string reason;  // one line: "not in allowed_backends", "unavailable: ...", ...
};

struct Route {
  std::shared_ptr<Backend> backend;
  std::string backend_id;
  std::string why;  // why this one: "explicitly requested", "highest priority ..."
  std::vector<SkippedBackend> skipped;  // every other registered backend, with its reason
  ProgramRequirements requirements;

  // Multi-line explanation for people: the choice, then one line per skipped backend.
  std::string describe() const;
};

// Fails with UnknownBackend (a named backend is not registered), BackendUnavailable or
// BackendLacksFeature (an explicit choice cannot run it), or NoSuitableBackend (no allowed
// backend can); the diagnostic's notes carry every backend's reason.
Result<Route> choose_backend(BackendRegistry& registry, const ir::Program& program,
                             const DispatchConfig& config);

// Logs a decision the runtime acts on (diag/log.h, level info): the chosen backend, why, and each
// skipped one with its reason. choose_backend() itself logs nothing, so a query that only asks
// (`vyre run` naming the backend for its progress line) does not log a second decision.
void log_route(const ir::Program& program, const Route& route);

}  // namespace vyre::routing
