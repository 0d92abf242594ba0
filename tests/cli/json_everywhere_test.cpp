// Every `vyre` command speaks JSON with --json (README: "every command has --json"), and what it
// prints then is one JSON value: checked for each subcommand's --help, and by running the
// maintenance commands, emit and keygen.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class JsonEverywhere : public CliTest {
 protected:
  nlohmann::json json_of(const std::string& args, int status = 0) {
    Output r = run_vyre(args);
    EXPECT_EQ(r.status, status) << args << "\n" << r.out;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << args << " printed no single JSON value:\n" << r.out;
    return j;
  }
};

TEST_F(JsonEverywhere, EverySubcommandOffersJson) {
  for (const char* command :
       {"check", "explain", "run", "emit", "backends", "env", "fuzz", "cache path", "cache stats",
        "cache list", "cache verify", "cache explain", "cache gc", "cache clear",
        "cache invalidate", "cache push", "cache pack", "cache keygen"}) {
    Output help = run_vyre(std::string(command) + " --help");
    EXPECT_NE(help.out.find("--json"), std::string::npos)
        << "`vyre " << command << "` lacks --json";
  }
}

TEST_F(JsonEverywhere, MaintenanceEmitAndKeygenPrintOneJsonValue) {
  const std::string dir = "--dir " + (dir_ / "cache").string();
  ASSERT_EQ(run_shell("env VYRE_CACHE_DIR=" + (dir_ / "cache").string() + " " +
                      vyre_binary().string() + " run " + example_path("saxpy") +
                      " --backend reference --param a=1 --in x=range:8 --in y=fill:0 >/dev/null")
                .status,
            0);
  EXPECT_EQ(json_of("cache path " + dir + " --json")["root"], (dir_ / "cache").string());
  nlohmann::json verify = json_of("cache verify " + dir + " --json");
  EXPECT_EQ(verify["checked"], 1);
  EXPECT_TRUE(verify["bad"].empty());
  nlohmann::json gc = json_of("cache gc " + dir + " --json");
  EXPECT_EQ(gc["entries_evicted"], 0);
  EXPECT_TRUE(gc["failures"].empty());
  EXPECT_EQ(json_of("cache invalidate " + dir + " --backend reference --json")["removed"], 1);
  nlohmann::json clear = json_of("cache clear " + dir + " --json");
  EXPECT_EQ(clear["entries_removed"], 0);
  EXPECT_GE(clear["other_files_removed"].get<int>(), 0);

  nlohmann::json emit = json_of("emit --backend opencl " + example_path("saxpy") + " --json");
  EXPECT_EQ(emit["backend"], "opencl");
  EXPECT_EQ(emit["kernel"], "saxpy");
  EXPECT_NE(emit["source"].get<std::string>().find("__kernel"), std::string::npos);

  nlohmann::json key = json_of("cache keygen " + (dir_ / "signing").string() + " --json");
  EXPECT_EQ(key["public_key"].get<std::string>().size(), 64u);
  EXPECT_EQ(key["public_key_file"], (dir_ / "signing").string() + ".pub");
}

}  // namespace
}  // namespace vyre::testing
