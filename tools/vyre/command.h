// Each `vyre` subcommand lives in its own cmd_*.cpp and installs itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace vyre::cli {

// Shared state of one invocation: the process exit code a subcommand sets.
struct Context {
  int exit_code = 0;
};

void install_check(CLI::App& app, Context& ctx);
void install_explain(CLI::App& app, Context& ctx);
// `vyre ops` (cmd_ops.cpp): the op registry.
void install_ops(CLI::App& app, Context& ctx);
void install_emit(CLI::App& app, Context& ctx);
void install_run(CLI::App& app, Context& ctx);
void install_backends(CLI::App& app, Context& ctx);
void install_cache(CLI::App& app, Context& ctx);
// The shared remote tier's subcommands of `vyre cache` (cmd_cache_remote.cpp).
void install_cache_remote(CLI::App& cache, Context& ctx);
// `vyre cache push` (cmd_cache_push.cpp): the exit status.
int run_cache_push(const std::string& dir, bool json);
// `vyre cache pack OUT` (cmd_cache_pack.cpp): the exit status.
int run_cache_pack(const std::string& dir, const std::string& out, bool json);
void install_fuzz(CLI::App& app, Context& ctx);
void install_env(CLI::App& app, Context& ctx);
// --version: vyre's version, the commit it was built from and the backends built in.
void install_version(CLI::App& app);

}  // namespace vyre::cli
