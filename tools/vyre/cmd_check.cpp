// `vyre check FILE`: parse and validate a kernel; diagnostics out, exit 1 on error.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "command.h"
#include "source_file.h"
#include "vyre/ir/text.h"

namespace vyre::cli {

void install_check(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("check", "Parse and validate a kernel file");
  auto file = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("human");
  cmd->add_option("FILE", *file, "kernel in vyre text IR (.vy)")->required();
  cmd->add_option("--format", *format, "human or json")->check(CLI::IsMember({"human", "json"}));
  cmd->callback([&ctx, file, format] {
    bool json = *format == "json";
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
                            {"diagnostics", nlohmann::json::array()}};
      std::printf("%s\n", out.dump().c_str());
    } else {
      std::printf("%s: ok (kernel %s, digest %s)\n", file->c_str(), program->data().name.c_str(),
                  to_hex(program->digest()).substr(0, 16).c_str());
    }
  });
}

}  // namespace vyre::cli
