// `vyre explain CODE`: the catalogue entry of a diagnostic code; `vyre explain --list` lists all.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "command.h"
#include "source_file.h"
#include "vyre/diag/codes.h"

namespace vyre::cli {
namespace {

nlohmann::json code_json(const CodeInfo& info, bool with_explanation) {
  nlohmann::json j = {{"code", info.id}, {"name", info.name}, {"title", info.title}};
  if (with_explanation) j["explanation"] = info.explanation;
  return j;
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
    if (*list || id->empty()) {
      nlohmann::json all = nlohmann::json::array();
      for (const CodeInfo& info : diagnostic_catalogue()) {
        if (*json) {
          all.push_back(code_json(info, false));
          continue;
        }
        std::printf("%.*s  %.*s\n", static_cast<int>(info.id.size()), info.id.data(),
                    static_cast<int>(info.title.size()), info.title.data());
      }
      if (*json) std::printf("%s\n", all.dump(2).c_str());
      return;
    }
    const CodeInfo* info = find_code(*id);
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
    std::printf("%.*s: %.*s\n\n%.*s\n", static_cast<int>(info->id.size()), info->id.data(),
                static_cast<int>(info->title.size()), info->title.data(),
                static_cast<int>(info->explanation.size()), info->explanation.data());
  });
}

}  // namespace vyre::cli
