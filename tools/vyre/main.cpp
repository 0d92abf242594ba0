#include <cstdio>
#include <new>

#include "command.h"
#include "command_line_errors.h"
#include "source_file.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/log.h"

int main(int argc, char** argv) {
  // Reads VYRE_LOG now, so a value that names no level is reported (VY8003) by every command,
  // not only by one that happens to log.
  (void)vyre::log_level();
  CLI::App app{"vyre: compile, cache and run data-parallel kernels on CPU and GPU backends"};
  app.require_subcommand(1);
  // Every option's default shows in --help (CLI11 captures it when the option is added).
  app.option_defaults()->always_capture_default();
  vyre::cli::Context ctx;
  vyre::cli::install_version(app);
  vyre::cli::install_check(app, ctx);
  vyre::cli::install_explain(app, ctx);
  vyre::cli::install_ops(app, ctx);
  vyre::cli::install_emit(app, ctx);
  vyre::cli::install_run(app, ctx);
  vyre::cli::install_backends(app, ctx);
  vyre::cli::install_cache(app, ctx);
  vyre::cli::install_fuzz(app, ctx);
  vyre::cli::install_env(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return vyre::cli::report_parse_error(app, error);
  } catch (const std::bad_alloc&) {
    // Inputs are sized by the user (range:N, fill:V with --size): running out is bad input.
    vyre::cli::write_human(vyre::Diagnostic::error(
        vyre::code::HostOutOfMemory, "ran out of host memory",
        "use smaller --in/--size values, or raise the memory limit (ulimit -v)"));
    return 1;
  }
  return ctx.exit_code;
}
