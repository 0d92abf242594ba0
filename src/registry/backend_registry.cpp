#include "vyre/registry/backend_registry.h"

#include <algorithm>
#include <chrono>

#include "vyre/diag/codes.h"

namespace vyre {
namespace {

bool by_priority(const BackendStatus& a, const BackendStatus& b) {
  return a.priority != b.priority ? a.priority > b.priority : a.id < b.id;
}

}  // namespace

BackendRegistry& BackendRegistry::global() {
  static BackendRegistry registry;
  return registry;
}

BackendRegistry::Slot* BackendRegistry::find(std::string_view id) const {
  for (const auto& slot : slots_) {
    if (slot->provider.id == id) return slot.get();
  }
  return nullptr;
}

Status BackendRegistry::add(BackendProvider provider) {
  std::lock_guard lock(mutex_);
  if (const Slot* existing = find(provider.id)) {
    auto origin = [](const std::string& o) { return o.empty() ? std::string("<unnamed>") : o; };
    return Diagnostic::error(
               code::DuplicateBackend,
               "backend `" + provider.id + "` is registered twice: first by " +
                   origin(existing->provider.origin) + ", again by " + origin(provider.origin),
               "give each backend a unique id, or register it only once (built-in backends are "
               "registered by register_builtin_backends)")
        .note("first provider: " + origin(existing->provider.origin) + " (priority " +
              std::to_string(existing->provider.priority) + ")")
        .note("second provider: " + origin(provider.origin) + " (priority " +
              std::to_string(provider.priority) + ")");
  }
  auto slot = std::make_unique<Slot>();
  slot->provider = std::move(provider);
  slots_.push_back(std::move(slot));
  return Ok{};
}

bool BackendRegistry::has(std::string_view id) const {
  std::lock_guard lock(mutex_);
  return find(id) != nullptr;
}

std::vector<BackendStatus> BackendRegistry::list() {
  std::vector<Slot*> slots;
  {
    std::lock_guard lock(mutex_);
    for (const auto& slot : slots_) slots.push_back(slot.get());
  }
  std::vector<BackendStatus> out;
  for (Slot* slot : slots) {
    BackendStatus status;
    status.id = slot->provider.id;
    status.priority = slot->provider.priority;
    status.origin = slot->provider.origin;
    auto backend = acquire(slot->provider.id);
    status.available = backend.ok();
    if (!backend.ok()) status.why_unavailable = backend.error();
    out.push_back(std::move(status));
  }
  std::sort(out.begin(), out.end(), by_priority);
  return out;
}

std::vector<BackendStatus> BackendRegistry::registered() const {
  std::vector<BackendStatus> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& slot : slots_) {
      BackendStatus status;
      status.id = slot->provider.id;
      status.priority = slot->provider.priority;
      status.origin = slot->provider.origin;
      out.push_back(std::move(status));
    }
  }
  std::sort(out.begin(), out.end(), by_priority);
  return out;
}

namespace {
thread_local double startup_ms_this_thread = 0;
}  // namespace

double BackendRegistry::startup_ms_on_this_thread() {
  return startup_ms_this_thread;
}

Result<std::shared_ptr<Backend>> BackendRegistry::acquire(std::string_view id) {
  Slot* slot = nullptr;
  std::vector<std::string> known;
  {
    std::lock_guard lock(mutex_);
    slot = find(id);
    if (slot == nullptr) {
      for (const auto& s : slots_) known.push_back(s->provider.id);
    }
  }
  if (slot == nullptr) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    return Diagnostic::error(
        code::UnknownBackend, "no backend named `" + std::string(id) + "`",
        known.empty() ? "no backends are registered in this build"
                      : "registered backends: " + list + " (`vyre backends` lists them)");
  }
  // Slots are never removed, so the pointer stays valid without the lock; call_once makes
  // concurrent first acquisitions probe and construct exactly once.
  std::call_once(slot->once, [slot] {
    const auto started = std::chrono::steady_clock::now();
    struct CountStartup {
      std::chrono::steady_clock::time_point since;
      ~CountStartup() {
        startup_ms_this_thread +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
                .count();
      }
    } count_startup{started};
    const BackendProvider& p = slot->provider;
    if (p.probe) {
      Status probed = p.probe();
      if (!probed.ok()) {
        slot->failure = probed.error();
        return;
      }
    }
    if (!p.factory) {
      slot->failure = Diagnostic::error(
          code::BackendUnavailable, "backend `" + p.id + "` has no factory",
          "the provider registered by " + p.origin + " must set BackendProvider::factory");
      return;
    }
    auto made = p.factory();
    if (!made.ok()) {
      slot->failure = made.error();
    } else if (*made == nullptr) {
      slot->failure = Diagnostic::error(code::BackendUnavailable,
                                        "backend `" + p.id + "`'s factory returned nothing",
                                        "fix the factory registered by " + p.origin);
    } else {
      slot->backend = *made;
    }
  });
  if (slot->failure) return *slot->failure;
  return slot->backend;
}

}  // namespace vyre
