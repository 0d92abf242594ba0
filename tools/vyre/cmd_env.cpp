// `vyre env`: every environment variable vyre reads (include/vyre/backend/environment.h), its
// value here, and whether it changes generated code (then it is part of the pipeline cache key).
// Also `vyre --version`.
#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "build_commit.h"
#include "command.h"
#include "vyre/backend/environment.h"
#include "vyre/backends/builtin.h"
#include "vyre/registry/backend_registry.h"
#include "vyre/registry/module_catalogue.h"

namespace vyre::cli {
namespace {

// The variable's value: env_value() reads only what a table declares, and every name listed
// here is declared in vyre's table or a module's.
std::optional<std::string> catalogued_value(const CatalogueEnvVar& info) {
  return env_value(ModuleEnvVar{info.name, info.changes_generated_code, info.meaning});
}

int env_command(bool json) {
  nlohmann::json list = nlohmann::json::array();
  const auto variables = builtin_catalogue().environment();
  std::size_t width = 0;
  for (const CatalogueEnvVar& info : variables) width = std::max(width, info.name.size());
  for (const CatalogueEnvVar& info : variables) {
    const std::optional<std::string> value = catalogued_value(info);
    if (json) {
      list.push_back({{"name", info.name},
                      {"value", value ? nlohmann::json(*value) : nullptr},
                      {"changes_generated_code", info.changes_generated_code},
                      {"module", info.module.empty() ? "vyre" : info.module},
                      {"meaning", info.meaning}});
      continue;
    }
    std::printf("%-*.*s  %s\n", static_cast<int>(width), static_cast<int>(info.name.size()),
                info.name.data(), value ? value->c_str() : "(unset)");
    const std::string origin =
        info.module.empty() ? "" : " (backend module " + std::string(info.module) + ")";
    std::printf("%-*s  %s; %.*s%s\n", static_cast<int>(width), "",
                info.changes_generated_code ? "changes generated code (in the cache key)"
                                            : "does not change generated code",
                static_cast<int>(info.meaning.size()), info.meaning.data(), origin.c_str());
  }
  if (json) std::printf("%s\n", list.dump(2).c_str());
  return 0;
}

std::string version_text() {
  std::string backends;
  BackendRegistry& registry = BackendRegistry::global();
  if (register_builtin_backends(registry).ok()) {
    for (const BackendStatus& status : registry.list()) {
      backends += (backends.empty() ? "" : ", ") + status.id;
      if (!status.available) backends += " (unavailable here)";
    }
  }
  return std::string("vyre ") + VYRE_VERSION_TEXT + "\ncommit " + VYRE_BUILD_COMMIT +
         "\nbackends " + (backends.empty() ? "(none)" : backends);
}

}  // namespace

void install_env(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "env",
      "List every environment variable vyre reads, its value, and whether it changes "
      "generated code");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print a JSON array");
  cmd->callback([&ctx, json] { ctx.exit_code = env_command(*json); });
}

void install_version(CLI::App& app) {
  app.set_version_flag("--version", version_text, "print vyre's version, commit and backends");
}

}  // namespace vyre::cli
