#include "vyre/backends/builtin.h"

#include "vyre/registry/backend_registry.h"

namespace vyre {

Status register_builtin_backends(BackendRegistry& registry) {
  (void)registry;  // filled in as backends land
  return Ok{};
}

}  // namespace vyre
