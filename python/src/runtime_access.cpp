#include "runtime_access.h"

#include <map>
#include <mutex>
#include <string>

#include "errors.h"
#include "vyre/backends/builtin.h"

namespace vyre::python {

Runtime& runtime() {
  static Runtime* instance = [] {
    unwrap(register_builtin_backends(BackendRegistry::global()));
    return new Runtime(BackendRegistry::global());
  }();
  return *instance;
}

const Device& device_for(std::string_view spec) {
  static std::mutex mutex;
  // Never destroyed: backends are not torn down during interpreter exit, when their drivers may
  // already be unloading.
  static auto* devices = new std::map<std::string, Device, std::less<>>;
  std::lock_guard lock(mutex);
  if (auto found = devices->find(spec); found != devices->end()) return found->second;
  Device device = unwrap(runtime().device(spec));
  return devices->emplace(std::string(spec), std::move(device)).first->second;
}

}  // namespace vyre::python
