// ModuleCatalogue: vyre's own diagnostic codes and environment variables together with those the
// built backend modules contribute, for `vyre explain` and `vyre env`. Built from the generated
// module list (vyre/backends/builtin.h: builtin_catalogue()), never from static registration.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "vyre/diag/codes.h"
#include "vyre/registry/backend_module.h"

namespace vyre {

// One environment variable of the catalogue; `module` is empty for vyre's own.
struct CatalogueEnvVar {
  std::string_view name;
  bool changes_generated_code = false;
  std::string_view meaning;
  std::string_view module;
};

class ModuleCatalogue {
 public:
  explicit ModuleCatalogue(std::span<const BuiltModule> modules);

  // vyre's codes (diag/codes.def) first, then each module's, in module order.
  std::span<const CodeInfo* const> codes() const { return codes_; }
  // The entry for an id such as "VY6003" (case-insensitive), or nullptr.
  const CodeInfo* find_code(std::string_view id) const;
  // The module a code comes from ("" for vyre's own, or when unknown).
  std::string_view module_of(std::string_view id) const;

  std::span<const CatalogueEnvVar> environment() const { return environment_; }

 private:
  std::vector<const CodeInfo*> codes_;
  std::vector<std::string_view> code_modules_;  // index-aligned with codes_
  std::vector<CatalogueEnvVar> environment_;
};

}  // namespace vyre
