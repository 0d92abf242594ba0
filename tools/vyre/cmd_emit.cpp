// `vyre emit --backend NAME FILE`: print the kernel source a backend generates for a program (no
// device needed). The backends offered are the built modules that generate source.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "command.h"
#include "source_file.h"
#include "vyre/backends/builtin.h"
#include "vyre/ir/text.h"

namespace vyre::cli {
namespace {

std::vector<std::string> source_backends() {
  std::vector<std::string> names;
  for (const BuiltModule& built : builtin_modules()) {
    if (built.module->emit_source != nullptr) names.emplace_back(built.module->name);
  }
  return names;
}

const BackendModule* source_module(std::string_view name) {
  for (const BuiltModule& built : builtin_modules()) {
    if (built.module->name == name && built.module->emit_source != nullptr) return built.module;
  }
  return nullptr;
}

}  // namespace

void install_emit(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("emit",
                                 "Print the kernel source (OpenCL C, CUDA C) a backend "
                                 "generates");
  struct Options {
    std::string file;
    std::string backend = "opencl";
    std::uint32_t ulp_budget = 4;
    bool no_fp64 = false;
    bool no_int64_atomics = false;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  const std::vector<std::string> backends = source_backends();
  std::string names;
  for (const auto& name : backends) names += (names.empty() ? "" : " or ") + name;
  cmd->add_option("FILE", opt->file, "kernel in vyre text IR (.vy)")->required();
  cmd->add_option("--backend", opt->backend, names)->check(CLI::IsMember(backends));
  cmd->add_option("--ulp-budget", opt->ulp_budget, "ULP budget for transcendental ops");
  cmd->add_flag("--no-fp64", opt->no_fp64, "generate for a device without f64");
  cmd->add_flag("--no-int64-atomics", opt->no_int64_atomics,
                "generate for an OpenCL device without 64-bit atomics");
  cmd->add_flag("--json", opt->json, "JSON output: {\"backend\", \"kernel\", \"source\"}");
  cmd->callback([&ctx, opt] {
    auto text = read_text_file(opt->file);
    if (!text) {
      print_diagnostic(text.error(), "", opt->json);
      ctx.exit_code = 1;
      return;
    }
    ir::CheckOptions check_options;
    check_options.file = opt->file;
    auto program = ir::parse_program(*text, check_options);
    if (!program) {
      print_diagnostic(program.error(), *text, opt->json);
      ctx.exit_code = 1;
      return;
    }
    SourceRequest request;
    request.ulp_budget = opt->ulp_budget;
    request.fp64 = !opt->no_fp64;
    request.int64_atomics = !opt->no_int64_atomics;
    auto source = source_module(opt->backend)->emit_source(*program, request);
    if (!source) {
      print_diagnostic(source.error(), *text, opt->json);
      ctx.exit_code = 1;
      return;
    }
    if (opt->json) {
      nlohmann::json j = {
          {"backend", opt->backend}, {"kernel", (*program)->name}, {"source", *source}};
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::fputs(source->c_str(), stdout);
  });
}

}  // namespace vyre::cli
