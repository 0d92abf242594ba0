// `vyre explain CODE`: the catalogue entry of a diagnostic code (vyre's own or a backend
// module's; a retired code names the one that replaced it); `vyre explain --list` lists all.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "command.h"
#include "source_file.h"
#include "vyre/backends/builtin.h"
#include "vyre/diag/codes.h"

namespace vyre::cli {
namespace {

nlohmann::json code_json(const CodeInfo& info, bool with_explanation) {
  nlohmann::json j = {{"code", info.id}, {"name", info.name}, {"title", info.title}};
  if (!info.replaced_by.empty()) j["replaced_by"] = info.replaced_by;
  if (with_explanation) j["explanation"] = info.explanation;
  return j;
}

void print_list(const ModuleCatalogue& catalogue, bool json) {
  nlohmann::json all = nlohmann::json::array();
  for (const CodeInfo* info : catalogue.codes()) {
    if (json) {
      all.push_back(code_json(*info, false));
      continue;
    }
    std::printf("%.*s  %.*s", static_cast<int>(info->id.size()), info->id.data(),
                static_cast<int>(info->title.size()), info->title.data());
    if (!info->replaced_by.empty()) {
      std::printf(" (retired: now %.*s)", static_cast<int>(info->replaced_by.size()),
                  info->replaced_by.data());
    }
    std::printf("\n");
  }
  if (json) std::printf("%s\n", all.dump(2).c_str());
}

void print_code(const ModuleCatalogue& catalogue, const CodeInfo& info) {
  std::printf("%.*s: %.*s\n\n%.*s\n", static_cast<int>(info.id.size()), info.id.data(),
              static_cast<int>(info.title.size()), info.title.data(),
              static_cast<int>(info.explanation.size()), info.explanation.data());
  if (info.replaced_by.empty()) return;
  const CodeInfo* now = catalogue.find_code(info.replaced_by);
  std::printf(
      "\nRetired: this failure is now reported as %.*s (%.*s); `vyre explain %.*s` explains it.\n",
      static_cast<int>(info.replaced_by.size()), info.replaced_by.data(),
      now != nullptr ? static_cast<int>(now->title.size()) : 0,
      now != nullptr ? now->title.data() : "", static_cast<int>(info.replaced_by.size()),
      info.replaced_by.data());
}

}  // namespace

void install_explain(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("explain", "Explain a diagnostic code, e.g. vyre explain VY2005");
  auto id = std::make_shared<std::string>();
  auto list = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  cmd->add_option("CODE", *id, "diagnostic code such as VY2005");
  cmd->add_flag("--list", *list, "list every code with its title");
  cmd->add_flag("--json", *json, "print JSON");
  cmd->callback([&ctx, id, list, json] {
    const ModuleCatalogue& catalogue = builtin_catalogue();
    if (*list || id->empty()) {
      print_list(catalogue, *json);
      return;
    }
    const CodeInfo* info = catalogue.find_code(*id);
    if (info == nullptr) {
      print_diagnostic(Diagnostic::error(code::UnknownCode, "unknown diagnostic code `" + *id + "`",
                                         "run `vyre explain --list` for every code"),
                       "", *json);
      ctx.exit_code = 1;
      return;
    }
    if (*json) {
      std::printf("%s\n", code_json(*info, true).dump(2).c_str());
      return;
    }
    print_code(catalogue, *info);
  });
}

}  // namespace vyre::cli
