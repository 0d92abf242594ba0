// `vyre backends`: every registered backend, whether it can start here (and if not, why), its
// capabilities and its device fingerprint.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "command.h"
#include "source_file.h"
#include "vyre/backends/builtin.h"
#include "vyre/diag/render.h"
#include "vyre/registry/backend_registry.h"

namespace vyre::cli {
namespace {

std::string type_list(const Capabilities& caps) {
  std::string out;
  for (int t = 0; t < ir::kTypeCount; ++t) {
    auto type = static_cast<ir::Type>(t);
    if (caps.supports(type)) out += (out.empty() ? "" : " ") + std::string(ir::type_name(type));
  }
  return out;
}

nlohmann::json capabilities_json(const Backend& backend) {
  const Capabilities& c = backend.capabilities();
  nlohmann::json types = nlohmann::json::array();
  for (int t = 0; t < ir::kTypeCount; ++t) {
    if (c.supports(static_cast<ir::Type>(t)))
      types.push_back(ir::type_name(static_cast<ir::Type>(t)));
  }
  return {{"max_workgroup_size", c.max_workgroup_size},
          {"max_workgroup_invocations", c.max_workgroup_invocations},
          {"max_groups", c.max_groups},
          {"max_shared_bytes", c.max_shared_bytes},
          {"max_buffer_bytes", c.max_buffer_bytes},
          {"element_types", types},
          {"atomics32", c.atomics32},
          {"atomics64", c.atomics64},
          {"f64", c.f64},
          {"subgroup_size", c.subgroup_size},
          {"barriers_under_if", c.barriers_under_if},
          {"features", c.features},
          {"ops", backend.supported_ops()}};
}

int backends_command(bool json) {
  BackendRegistry& registry = BackendRegistry::global();
  if (auto registered = register_builtin_backends(registry); !registered) {
    print_diagnostic(registered.error(), "", json);
    return 1;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const BackendStatus& status : registry.list()) {
    std::shared_ptr<Backend> backend;
    if (status.available) {
      auto acquired = registry.acquire(status.id);
      if (acquired) backend = *acquired;
    }
    if (json) {
      nlohmann::json entry = {{"id", status.id},
                              {"priority", status.priority},
                              {"origin", status.origin},
                              {"available", status.available}};
      if (status.why_unavailable) {
        entry["why_unavailable"] = nlohmann::json::parse(render_json(*status.why_unavailable));
      }
      if (backend) {
        const DeviceFingerprint& f = backend->fingerprint();
        entry["fingerprint"] = {{"vendor", f.vendor},
                                {"device", f.device},
                                {"driver", f.driver},
                                {"compiler", f.compiler}};
        entry["capabilities"] = capabilities_json(*backend);
      }
      list.push_back(entry);
      continue;
    }
    std::printf("%-10s priority %-3d %-11s (registered by %s)\n", status.id.c_str(),
                status.priority, status.available ? "available" : "UNAVAILABLE",
                status.origin.c_str());
    if (status.why_unavailable) {
      std::string text = render_human(*status.why_unavailable);
      while (!text.empty() && text.back() == '\n') text.pop_back();
      std::string indented = "    ";
      for (char ch : text) {
        indented += ch;
        if (ch == '\n') indented += "    ";
      }
      std::printf("%s\n", indented.c_str());
    }
    if (!backend) continue;
    const Capabilities& c = backend->capabilities();
    std::printf("    device:    %s\n", backend->fingerprint().describe().c_str());
    std::printf("    workgroup: up to %ux%ux%u, %u invocations; groups up to %llux%llux%llu\n",
                c.max_workgroup_size[0], c.max_workgroup_size[1], c.max_workgroup_size[2],
                c.max_workgroup_invocations, static_cast<unsigned long long>(c.max_groups[0]),
                static_cast<unsigned long long>(c.max_groups[1]),
                static_cast<unsigned long long>(c.max_groups[2]));
    std::printf("    memory:    %llu shared bytes per workgroup, buffers up to %llu bytes\n",
                static_cast<unsigned long long>(c.max_shared_bytes),
                static_cast<unsigned long long>(c.max_buffer_bytes));
    std::printf("    types:     %s; atomics32 %s, atomics64 %s, subgroup %u\n",
                type_list(c).c_str(), c.atomics32 ? "yes" : "no", c.atomics64 ? "yes" : "no",
                c.subgroup_size);
    std::string ops;
    for (const auto& op : backend->supported_ops()) ops += (ops.empty() ? "" : " ") + op;
    std::printf("    ops:       %s\n", ops.empty() ? "(none)" : ops.c_str());
    if (!c.features.empty()) {
      std::string features;
      for (const auto& f : c.features) features += (features.empty() ? "" : " ") + f;
      std::printf("    features:  %s\n", features.c_str());
    }
    if (!c.barriers_under_if) {
      std::printf("    refuses:   barriers inside `if` (its compiler miscompiles them)\n");
    }
  }
  if (json) std::printf("%s\n", list.dump().c_str());
  return 0;
}

}  // namespace

void install_backends(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("backends", "List backends, their availability and capabilities");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print a JSON array");
  cmd->callback([&ctx, json] { ctx.exit_code = backends_command(*json); });
}

}  // namespace vyre::cli
