// BackendRegistry: backends register a provider (id, priority, probe, factory) at start-up;
// the runtime acquires them by id. Acquisition is thread-safe and constructs each backend once.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/diag/result.h"

namespace vyre {

struct BackendProvider {
  std::string id;      // "reference", "opencl", "cuda"
  int priority = 0;    // higher wins when the runtime chooses automatically
  std::string origin;  // who registered it (for duplicate-id diagnostics), e.g. "backends/opencl"
  // Cheap check whether the backend can start here; the Diagnostic says why not.
  std::function<Status()> probe;
  // Constructs the backend (called at most once per registry, on first acquire).
  std::function<Result<std::shared_ptr<Backend>>()> factory;
};

struct BackendStatus {
  std::string id;
  int priority = 0;
  std::string origin;
  bool available = false;
  std::optional<Diagnostic> why_unavailable;
};

class BackendRegistry {
 public:
  BackendRegistry() = default;
  BackendRegistry(const BackendRegistry&) = delete;
  BackendRegistry& operator=(const BackendRegistry&) = delete;

  // A process-wide registry holding the built-in backends (see vyre/backends/builtin.h).
  static BackendRegistry& global();

  // Fails with a diagnostic naming both providers when the id is already registered.
  Status add(BackendProvider provider);

  // Providers by descending priority (ties by id).
  std::vector<BackendStatus> list();
  // The same order, without probing or constructing anything: `available` is false and
  // `why_unavailable` empty in every entry. Routing uses it to acquire lazily.
  std::vector<BackendStatus> registered() const;
  bool has(std::string_view id) const;

  // Probes (once) and constructs (once) the backend; later calls return the same instance or
  // the same diagnostic.
  Result<std::shared_ptr<Backend>> acquire(std::string_view id);

  // Milliseconds this thread has spent probing and constructing backends (any registry), so a
  // caller can tell backend start-up apart from the routing around it.
  static double startup_ms_on_this_thread();

 private:
  struct Slot {
    BackendProvider provider;
    std::once_flag once;
    std::shared_ptr<Backend> backend;
    std::optional<Diagnostic> failure;
  };
  Slot* find(std::string_view id) const;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace vyre
