// The reference module: the interpreter's provider, always available.
#include "vyre/backends/reference.h"
#include "vyre/registry/backend_module.h"

namespace vyre::modules {
namespace {
constexpr ModuleEnvVar kEnvironment[] = {kReferenceRacesVariable};
}  // namespace

const BackendModule& reference() {
  static const BackendModule module{
      .name = "reference",
      .environment = kEnvironment,
      .codes = {},
      .provider = [](int priority) -> std::optional<BackendProvider> {
        BackendProvider provider;
        provider.id = std::string(kReferenceBackendId);
        provider.priority = priority;
        provider.origin = "backends/reference";
        provider.probe = [] { return Status(Ok{}); };
        provider.factory = []() -> Result<std::shared_ptr<Backend>> {
          return make_reference_backend();
        };
        return provider;
      },
  };
  return module;
}

}  // namespace vyre::modules
