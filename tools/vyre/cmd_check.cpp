// `vyre check FILE`: parse and validate a kernel, then print its interface (params, buffers,
// size symbols: what `vyre run` will ask for); diagnostics out, exit 1 on error.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "command.h"
#include "kernel_interface.h"
#include "source_file.h"
#include "vyre/ir/text.h"

namespace vyre::cli {

void install_check(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("check", "Parse and validate a kernel; print its interface");
  auto file = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("human");
  auto json_flag = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "kernel in vyre text IR (.vy)")->required();
  cmd->add_flag("--json", *json_flag, "print JSON (diagnostics too)");
  cmd->add_option("--format", *format, "human or json (--format json is --json)")
      ->check(CLI::IsMember({"human", "json"}));
  cmd->callback([&ctx, file, format, json_flag] {
    const bool json = *json_flag || *format == "json";
    auto text = read_text_file(*file);
    if (!text) {
      print_diagnostic(text.error(), "", json);
      ctx.exit_code = 1;
      return;
    }
    ir::CheckOptions options;
    options.file = *file;
    auto program = ir::parse_program(*text, options);
    if (!program) {
      print_diagnostic(program.error(), *text, json);
      ctx.exit_code = 1;
      return;
    }
    if (json) {
      nlohmann::json out = {{"file", *file},
                            {"kernel", program->data().name},
                            {"digest", to_hex(program->digest())},
                            {"interface", interface_json(*program)},
                            {"diagnostics", nlohmann::json::array()}};
      std::printf("%s\n", out.dump().c_str());
    } else {
      std::printf("%s: ok (kernel %s, digest %s)\n%s", file->c_str(), program->data().name.c_str(),
                  to_hex(program->digest()).substr(0, 16).c_str(),
                  interface_text(*program).c_str());
    }
  });
}

}  // namespace vyre::cli
