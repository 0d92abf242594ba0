// `vyre ops`: every op of the registry with its signature and exactness, as text and JSON; the
// unknown-op diagnostic (VY2013) points there.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"
#include "vyre/ir/ops.h"

namespace vyre::testing {
namespace {

class OpsCommand : public CliTest {};

TEST_F(OpsCommand, ListsEveryRegisteredOpWithItsSignature) {
  auto r = run_vyre("ops");
  ASSERT_EQ(r.status, 0) << r.out;
  const std::vector<ir::OpInfo> ops = ir::OpRegistry::global().all();
  ASSERT_GE(ops.size(), 20u);
  for (const ir::OpInfo& op : ops) {
    EXPECT_NE(r.out.find(ir::describe(op.signature, op.name)), std::string::npos) << op.name;
    EXPECT_NE(r.out.find(op.summary), std::string::npos) << op.name;
  }
  EXPECT_NE(r.out.find("sqrt(x: f32|f64) -> same type as x"), std::string::npos) << r.out;
}

TEST_F(OpsCommand, JsonNamesExactnessAndArity) {
  auto r = run_vyre("ops --json");
  ASSERT_EQ(r.status, 0) << r.out;
  const nlohmann::json all = nlohmann::json::parse(r.out);
  ASSERT_EQ(all.size(), ir::OpRegistry::global().all().size());
  bool saw_fma = false, saw_exp = false;
  for (const auto& op : all) {
    if (op["name"] == "fma") {
      saw_fma = true;
      EXPECT_EQ(op["arguments"], 3);
      EXPECT_EQ(op["exact"], true);
    }
    if (op["name"] == "exp") {
      saw_exp = true;
      EXPECT_EQ(op["exact"], false);
    }
  }
  EXPECT_TRUE(saw_fma && saw_exp) << r.out;
}

TEST_F(OpsCommand, UnknownOpHelpNamesTheCommand) {
  const fs::path path = dir_ / "unknown_op.vy";
  std::ofstream(path) << "kernel k workgroup(64) {\n  buffer x: read f32[n]\n"
                         "  buffer y: write f32[n]\n"
                         "  y[global_id.x] = rsqrt(x[global_id.x])\n}\n";
  auto r = run_vyre("check " + path.string(), true);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("error[VY2013]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help: `vyre ops` lists the ops"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vyre::testing
