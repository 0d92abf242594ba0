// The testmod module: provider, variable and code, registered only through the generated list.
#include "testmod.h"
#include "vyre/registry/backend_module.h"

namespace vyre::modules {
namespace {

constexpr CodeInfo kCodes[] = {
#define VYRE_DIAG(name, id, title, explanation) CodeInfo{id, #name, title, explanation},
#include "codes.def"
#undef VYRE_DIAG
};

constexpr ModuleEnvVar kEnvironment[] = {testmod::kLatencyVariable};

std::optional<BackendProvider> provider(int priority) {
  BackendProvider p;
  p.id = std::string(testmod::kBackendId);
  p.priority = priority;
  p.origin = "backends/testmod";
  p.probe = [] { return Status(Ok{}); };
  p.factory = [] { return testmod::make_testmod_backend(); };
  return p;
}

}  // namespace

const BackendModule& testmod() {
  static const BackendModule module{
      .name = "testmod", .environment = kEnvironment, .codes = kCodes, .provider = &provider};
  return module;
}

}  // namespace vyre::modules
