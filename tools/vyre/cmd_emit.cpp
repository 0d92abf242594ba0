// `vyre emit --backend opencl|cuda FILE`: print the kernel source the OpenCL or CUDA backend
// generates for a program (no device needed).
#include <cstdio>

#include "command.h"
#include "source_file.h"
#include "vyre/backends/c_emitter.h"
#include "vyre/ir/text.h"

namespace vyre::cli {

void install_emit(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("emit", "Print the OpenCL C or CUDA C a backend generates");
  struct Options {
    std::string file;
    std::string backend = "opencl";
    std::uint32_t ulp_budget = 4;
    bool no_fp64 = false;
    bool no_int64_atomics = false;
  };
  auto opt = std::make_shared<Options>();
  cmd->add_option("FILE", opt->file, "kernel in vyre text IR (.vy)")->required();
  cmd->add_option("--backend", opt->backend, "opencl or cuda")
      ->check(CLI::IsMember({"opencl", "cuda"}));
  cmd->add_option("--ulp-budget", opt->ulp_budget, "ULP budget for transcendental ops");
  cmd->add_flag("--no-fp64", opt->no_fp64, "generate for a device without f64");
  cmd->add_flag("--no-int64-atomics", opt->no_int64_atomics,
                "generate for an OpenCL device without 64-bit atomics");
  cmd->callback([&ctx, opt] {
    auto text = read_text_file(opt->file);
    if (!text) {
      print_diagnostic(text.error(), "", false);
      ctx.exit_code = 1;
      return;
    }
    ir::CheckOptions check_options;
    check_options.file = opt->file;
    auto program = ir::parse_program(*text, check_options);
    if (!program) {
      print_diagnostic(program.error(), *text, false);
      ctx.exit_code = 1;
      return;
    }
    codegen::EmitOptions options;
    options.dialect = opt->backend == "cuda" ? codegen::Dialect::Cuda : codegen::Dialect::OpenCL;
    options.workgroup = program->data().workgroup;
    options.ulp_budget = opt->ulp_budget;
    options.fp64 = !opt->no_fp64;
    options.int64_atomics = !opt->no_int64_atomics;
    codegen::register_c_lowerings(options.dialect, codegen::dialect_name(options.dialect));
    auto source = codegen::emit_c_kernel(*program, options);
    if (!source) {
      print_diagnostic(source.error(), *text, false);
      ctx.exit_code = 1;
      return;
    }
    std::fputs(source->source.c_str(), stdout);
  });
}

}  // namespace vyre::cli
