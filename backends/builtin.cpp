#include "vyre/backends/builtin.h"

namespace vyre {

Status register_builtin_backends(BackendRegistry& registry) {
  return register_modules(registry, builtin_modules());
}

const ModuleCatalogue& builtin_catalogue() {
  static const ModuleCatalogue catalogue(builtin_modules());
  return catalogue;
}

}  // namespace vyre
