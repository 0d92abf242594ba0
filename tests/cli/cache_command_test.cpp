// `vyre cache` argument and folder errors: queries it cannot use (VY5008) and a stats file it
// cannot read (VY5007), each a rendered diagnostic with exit status 1.
#include <gtest/gtest.h>

#include <fstream>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class CacheCommand : public CliTest {
 protected:
  Output cache(const std::string& args) {
    return run_vyre("cache --dir " + dir_.string() + " " + args, true);
  }
  static void expect_error(const Output& r, const std::string& code, const std::string& message) {
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(r.out.find("error[" + code + "]: " + message), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("help: "), std::string::npos) << r.out;
  }
};

TEST_F(CacheCommand, InvalidateWithAProgramThatIsNotHex) {
  expect_error(cache("invalidate --program xyz"), "VY5008",
               "--program 'xyz' is not 8 to 64 hex digits");
}

TEST_F(CacheCommand, InvalidateWithoutACriterion) {
  expect_error(cache("invalidate"), "VY5008", "invalidate needs --backend, --device or --program");
}

TEST_F(CacheCommand, ExplainWithoutAProgram) {
  expect_error(cache("explain --digest 1234abcd"), "VY5008",
               "explain needs a kernel FILE or --digest with 64 hex digits");
}

TEST_F(CacheCommand, ExplainWithTooManyWorkgroupSizes) {
  expect_error(cache("explain " + example_path("saxpy") + " --workgroup 1,2,3,4"), "VY5008",
               "--workgroup takes one to three sizes");
}

TEST_F(CacheCommand, NoFolderToUse) {
  auto r = run_shell("env -u VYRE_CACHE_DIR -u XDG_CACHE_HOME -u HOME " + vyre_binary().string() +
                     " cache path 2>&1");
  expect_error(r, "VY5008", "no pipeline cache folder");
}

TEST_F(CacheCommand, StatsWithACorruptStatsFile) {
  std::ofstream(dir_ / "stats.json") << "{\"memory_hits\": ";
  auto r = cache("stats");
  expect_error(r, "VY5007", "pipeline cache stats file '" + (dir_ / "stats.json").string() + "'");
  EXPECT_NE(r.out.find("not a JSON object"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vyre::testing
