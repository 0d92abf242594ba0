#include "vyre/registry/module_catalogue.h"

#include <algorithm>
#include <cctype>

namespace vyre {
namespace {

bool same_id(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace

ModuleCatalogue::ModuleCatalogue(std::span<const BuiltModule> modules) {
  for (const CodeInfo& info : diagnostic_catalogue()) {
    codes_.push_back(&info);
    code_modules_.emplace_back();
  }
  for (const EnvVarInfo& var : environment_variables()) {
    environment_.push_back({var.name, var.changes_generated_code, var.meaning, {}});
  }
  for (const BuiltModule& built : modules) {
    const BackendModule& module = *built.module;
    for (const CodeInfo& info : module.codes) {
      codes_.push_back(&info);
      code_modules_.push_back(module.name);
    }
    for (const ModuleEnvVar& var : module.environment) {
      environment_.push_back({var.name, var.changes_generated_code, var.meaning, module.name});
    }
  }
}

const CodeInfo* ModuleCatalogue::find_code(std::string_view id) const {
  for (const CodeInfo* info : codes_) {
    if (same_id(info->id, id)) return info;
  }
  return nullptr;
}

std::string_view ModuleCatalogue::module_of(std::string_view id) const {
  for (std::size_t i = 0; i < codes_.size(); ++i) {
    if (same_id(codes_[i]->id, id)) return code_modules_[i];
  }
  return {};
}

}  // namespace vyre
