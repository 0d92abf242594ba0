#include "vyre/routing/router.h"

#include <algorithm>

#include "vyre/diag/codes.h"
#include "vyre/diag/log.h"

namespace vyre::routing {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// "; skipped: opencl (unavailable: ...), cuda (...)" for the log.
std::string skipped_text(const Route& route) {
  std::string out;
  for (const SkippedBackend& s : route.skipped) {
    out += (out.empty() ? "; skipped: " : ", ") + s.id + " (" + s.reason + ")";
  }
  return out;
}

}  // namespace

std::string Route::describe() const {
  std::string out = "backend " + backend_id + ": " + why;
  for (const SkippedBackend& s : skipped) out += "\n  skipped " + s.id + ": " + s.reason;
  return out;
}

Result<Route> choose_backend(BackendRegistry& registry, const ir::Program& program,
                             const DispatchConfig& config) {
  Route route;
  route.requirements = requirements_of(program);
  const std::vector<BackendStatus> registered = registry.registered();
  std::vector<std::string> known;
  for (const auto& r : registered) known.push_back(r.id);

  for (const std::string& id : config.allowed_backends) {
    if (!contains(known, id)) {
      return Diagnostic::error(code::UnknownBackend, "no backend named `" + id + "`",
                               known.empty() ? "no backends are registered in this build"
                                             : "registered backends: " + join(known) +
                                                   " (`vyre backends` shows which can start)");
    }
  }
  const bool explicit_choice = config.allowed_backends.size() == 1;

  // Candidates in the order they are tried: preferred ones first (in the order given), then
  // the rest by descending priority.
  std::vector<const BackendStatus*> order;
  for (const std::string& id : config.preferred_backends) {
    for (const auto& r : registered) {
      if (r.id == id && std::find(order.begin(), order.end(), &r) == order.end()) {
        order.push_back(&r);
      }
    }
  }
  for (const auto& r : registered) {
    if (std::find(order.begin(), order.end(), &r) == order.end()) order.push_back(&r);
  }

  std::optional<Diagnostic> explicit_failure;
  const BackendStatus* chosen = nullptr;
  for (const BackendStatus* candidate : order) {
    const std::string& id = candidate->id;
    if (!config.allowed_backends.empty() && !contains(config.allowed_backends, id)) {
      route.skipped.push_back({id, "not in allowed_backends"});
      continue;
    }
    if (chosen != nullptr) {
      route.skipped.push_back({id, "not tried: " + chosen->id + " comes first (" +
                                       (contains(config.preferred_backends, chosen->id)
                                            ? std::string("preferred")
                                            : "priority " + std::to_string(chosen->priority) +
                                                  " vs " + std::to_string(candidate->priority)) +
                                       ")"});
      continue;
    }
    auto backend = registry.acquire(id);
    if (!backend.ok()) {
      route.skipped.push_back({id, "unavailable: " + backend.error().message});
      if (explicit_choice) explicit_failure = backend.error();
      continue;
    }
    if (auto sick = (*backend)->health()) {
      route.skipped.push_back({id, "unusable: " + sick->message});
      if (explicit_choice) explicit_failure = *sick;
      continue;
    }
    if (auto unmet = unmet_requirement(**backend, route.requirements)) {
      route.skipped.push_back({id, "cannot run `" + program->name + "`: " + *unmet});
      if (explicit_choice) {
        explicit_failure = Diagnostic::error(
            code::BackendLacksFeature,
            "backend `" + id + "` cannot run `" + program->name + "`: " + *unmet,
            "choose a backend that supports it (`vyre backends` lists capabilities), or "
            "change the program");
      }
      continue;
    }
    chosen = candidate;
    route.backend = *backend;
    route.backend_id = id;
  }

  if (chosen == nullptr && known.empty()) {
    // An embedder's Runtime over an empty registry: say what to call, not "every backend
    // was skipped".
    return Diagnostic::error(
        code::NoSuitableBackend,
        "no backends are registered, so nothing can run `" + program->name + "`",
        "call vyre::register_builtin_backends(vyre::BackendRegistry::global()) "
        "(vyre/backends/builtin.h) before the first run");
  }
  if (chosen == nullptr) {
    if (explicit_failure) {
      Diagnostic d = std::move(*explicit_failure);
      if (d.help.empty())
        d.help = "choose another backend with --backend, or install what it needs";
      return d;
    }
    Diagnostic d = Diagnostic::error(
        code::NoSuitableBackend, "no allowed backend can run `" + program->name + "`",
        config.allowed_backends.empty()
            ? "every registered backend was skipped (see the notes); change the program or "
              "install a backend that supports it"
            : "allow more backends (allowed_backends / --backend), or change the program");
    for (const SkippedBackend& s : route.skipped) d.note(s.id + ": " + s.reason);
    return d;
  }
  if (explicit_choice) {
    route.why = "explicitly requested";
  } else if (contains(config.preferred_backends, chosen->id)) {
    route.why = "first preferred backend that can run the program";
  } else {
    route.why = "highest-priority available backend that supports the program (priority " +
                std::to_string(chosen->priority) + ")";
  }
  return route;
}

void log_route(const ir::Program& program, const Route& route) {
  if (!log_enabled(LogLevel::Info)) return;
  log(LogLevel::Info, "routing",
      "`" + program->name + "` -> " + route.backend_id + " (" + route.why + ")" +
          skipped_text(route));
}

}  // namespace vyre::routing
