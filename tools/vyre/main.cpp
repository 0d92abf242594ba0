#include <cstdio>
#include <new>

#include "command.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"

int main(int argc, char** argv) {
  CLI::App app{"vyre: compile, cache and run data-parallel kernels on CPU and GPU backends"};
  app.require_subcommand(1);
  vyre::cli::Context ctx;
  vyre::cli::install_check(app, ctx);
  vyre::cli::install_explain(app, ctx);
  vyre::cli::install_emit(app, ctx);
  vyre::cli::install_run(app, ctx);
  vyre::cli::install_backends(app, ctx);
  vyre::cli::install_cache(app, ctx);
  vyre::cli::install_fuzz(app, ctx);
  try {
    CLI11_PARSE(app, argc, argv);
  } catch (const std::bad_alloc&) {
    // Inputs are sized by the user (range:N, fill:V with --size): running out is bad input.
    std::fputs(vyre::render_human(
                   vyre::Diagnostic::error(
                       vyre::code::HostOutOfMemory, "ran out of host memory",
                       "use smaller --in/--size values, or raise the memory limit (ulimit -v)"))
                   .c_str(),
               stderr);
    return 1;
  }
  return ctx.exit_code;
}
