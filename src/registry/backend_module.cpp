#include "vyre/registry/backend_module.h"

namespace vyre {

Status register_modules(BackendRegistry& registry, std::span<const BuiltModule> modules) {
  for (const BuiltModule& built : modules) {
    if (built.module->provider == nullptr) continue;
    std::optional<BackendProvider> provider = built.module->provider(built.priority);
    if (!provider || registry.has(provider->id)) continue;
    VYRE_TRY(registry.add(std::move(*provider)));
  }
  return Ok{};
}

}  // namespace vyre
