#include "command.h"

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
  CLI11_PARSE(app, argc, argv);
  return ctx.exit_code;
}
