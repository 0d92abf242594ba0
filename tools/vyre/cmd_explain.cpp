// `vyre explain CODE`: the catalogue entry of a diagnostic code; `vyre explain --list` lists all.
#include <cstdio>

#include "command.h"
#include "source_file.h"
#include "vyre/diag/codes.h"

namespace vyre::cli {

void install_explain(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("explain", "Explain a diagnostic code, e.g. vyre explain VY2005");
  auto id = std::make_shared<std::string>();
  auto list = std::make_shared<bool>(false);
  cmd->add_option("CODE", *id, "diagnostic code such as VY2005");
  cmd->add_flag("--list", *list, "list every code with its title");
  cmd->callback([&ctx, id, list] {
    if (*list || id->empty()) {
      for (const CodeInfo& info : diagnostic_catalogue()) {
        std::printf("%.*s  %.*s\n", static_cast<int>(info.id.size()), info.id.data(),
                    static_cast<int>(info.title.size()), info.title.data());
      }
      return;
    }
    const CodeInfo* info = find_code(*id);
    if (info == nullptr) {
      print_diagnostic(Diagnostic::error(code::UnknownCode, "unknown diagnostic code `" + *id + "`",
                                         "run `vyre explain --list` for every code"),
                       "", false);
      ctx.exit_code = 1;
      return;
    }
    std::printf("%.*s: %.*s\n\n%.*s\n", static_cast<int>(info->id.size()), info->id.data(),
                static_cast<int>(info->title.size()), info->title.data(),
                static_cast<int>(info->explanation.size()), info->explanation.data());
  });
}

}  // namespace vyre::cli
