// A newcomer's first commands: `vyre --version`, `vyre env`, and the README's own `vyre` block run
// exactly as written (extracted from README.md, so this test breaks when the README drifts).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class GettingStarted : public CliTest {};

TEST_F(GettingStarted, VersionNamesVersionCommitAndBackends) {
  auto r = run_vyre("--version");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(^vyre \d+\.\d+\.\d+\n)"))) << r.out;
  EXPECT_TRUE(
      std::regex_search(r.out, std::regex(R"(\ncommit ([0-9a-f]{12}(\+dirty)?|unknown)\n)")))
      << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nbackends .*reference)"))) << r.out;
  EXPECT_NE(r.out.find("cuda"), std::string::npos) << "every built-in backend is named: " << r.out;
}

TEST_F(GettingStarted, EnvListsEveryVariableWithValueAndEffect) {
  auto r = run_shell("VYRE_CACHE_DIR=/tmp/somewhere VYRE_CUDA_ARCH=sm_90 " +
                     vyre_binary().string() + " env --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << r.out;
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& v : j) by_name[v["name"].get<std::string>()] = v;
  // Every variable of include/vyre/backend/environment.h is listed.
  std::ifstream header(std::string(VYRE_SOURCE_DIR) + "/src/backend/environment.cpp");
  std::stringstream text;
  text << header.rdbuf();
  const std::string source = text.str();
  std::regex declared(R"re(EnvVar::\w+, "(\w+)")re");
  std::size_t declared_count = 0;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), declared);
       it != std::sregex_iterator(); ++it) {
    ++declared_count;
    EXPECT_TRUE(by_name.count((*it)[1])) << (*it)[1] << " is read by vyre but not listed";
  }
  EXPECT_GE(declared_count, 5u);
  EXPECT_EQ(by_name["VYRE_CACHE_DIR"]["value"], "/tmp/somewhere");
  EXPECT_EQ(by_name["VYRE_CACHE_DIR"]["changes_generated_code"], false);
  EXPECT_EQ(by_name["VYRE_CUDA_ARCH"]["value"], "sm_90");
  EXPECT_EQ(by_name["VYRE_CUDA_ARCH"]["changes_generated_code"], true);

  auto human = run_shell("env -u VYRE_JIT " + vyre_binary().string() + " env");
  ASSERT_EQ(human.status, 0);
  EXPECT_TRUE(std::regex_search(human.out, std::regex(R"(VYRE_JIT +\(unset\))"))) << human.out;
  EXPECT_NE(human.out.find("changes generated code (in the cache key)"), std::string::npos);
}

// The first ```sh block under "## Using the `vyre` command", run by bash -e in a scratch folder
// that holds build-demo/vyre (this build's binary, where scripts/demo.sh puts it) and examples/.
TEST_F(GettingStarted, ReadmeCommandsRunAsWritten) {
  std::ifstream in(std::string(VYRE_SOURCE_DIR) + "/README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const auto section = readme.find("## Using the `vyre` command");
  ASSERT_NE(section, std::string::npos) << "README.md lost its CLI section";
  const auto open = readme.find("```sh\n", section);
  ASSERT_NE(open, std::string::npos);
  const auto close = readme.find("```", open + 6);
  ASSERT_NE(close, std::string::npos);
  const std::string commands = readme.substr(open + 6, close - open - 6);
  ASSERT_NE(commands.find("vyre run"), std::string::npos) << commands;
  ASSERT_NE(commands.find(".png"), std::string::npos) << "the README shows the picture";

  fs::create_directories(dir_ / "build-demo");
  fs::create_symlink(vyre_binary(), dir_ / "build-demo" / "vyre");
  fs::create_directory_symlink(fs::path(VYRE_SOURCE_DIR) / "examples", dir_ / "examples");
  std::ofstream(dir_ / "readme.sh") << "set -euo pipefail\n" << commands;
  auto r = run_shell("cd " + dir_.string() + " && env -u VYRE_JIT VYRE_CACHE_DIR=" +
                     (dir_ / "cache").string() + " PATH=/usr/bin:/bin bash readme.sh 2>&1");
  EXPECT_EQ(r.status, 0) << "README commands failed:\n" << commands << "\n---\n" << r.out;
  EXPECT_NE(r.out.find("kernel saxpy on "), std::string::npos) << r.out;
  // `vyre cache stats` shows the time histograms; `--prometheus` the metrics.
  EXPECT_NE(r.out.find("compile time   "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("# TYPE vyre_cache_hits_total counter\n"), std::string::npos) << r.out;
  // The README promises .npy out with its shape and the picture.
  for (const char* made : {"y.npy", "c.npy", "mandelbrot.png"}) {
    EXPECT_TRUE(fs::exists(dir_ / made)) << made << " was not written:\n" << r.out;
  }
}

}  // namespace
}  // namespace vyre::testing
