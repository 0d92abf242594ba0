// `vyre ops`: the ops a kernel may call (the op registry, docs/IR.md section 6.7) with their
// signatures and whether they are exact on every backend or compared within the ULP budget.
#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "command.h"
#include "vyre/ir/ops.h"

namespace vyre::cli {

void install_ops(CLI::App& app, Context& /*ctx*/) {
  auto* cmd = app.add_subcommand("ops", "List the ops a kernel may call, with their signatures");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print JSON");
  cmd->callback([json] {
    const std::vector<ir::OpInfo> ops = ir::OpRegistry::global().all();
    if (*json) {
      nlohmann::json all = nlohmann::json::array();
      for (const ir::OpInfo& op : ops) {
        all.push_back({{"name", op.name},
                       {"signature", ir::describe(op.signature, op.name)},
                       {"arguments", ir::arity(op.signature)},
                       {"exact", op.exact},
                       {"summary", op.summary}});
      }
      std::printf("%s\n", all.dump(2).c_str());
      return;
    }
    std::size_t width = 0;
    for (const ir::OpInfo& op : ops) {
      width = std::max(width, ir::describe(op.signature, op.name).size());
    }
    for (const ir::OpInfo& op : ops) {
      std::printf("%-*s  %-5s  %s\n", static_cast<int>(width),
                  ir::describe(op.signature, op.name).c_str(), op.exact ? "exact" : "ulp",
                  op.summary.c_str());
    }
    std::printf("\nexact: the same bits on every backend; ulp: within the dispatch's ULP budget\n");
  });
}

}  // namespace vyre::cli
