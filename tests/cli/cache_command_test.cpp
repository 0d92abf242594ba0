// `vyre cache` argument and folder errors: queries it cannot use (VY5008), a stats file it
// cannot read (VY5007), and what clear or verify --fix could not delete (VY5105), each a rendered
// diagnostic with exit status 1.
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

// A folder at an entry path with someone's file in it: clear and verify --fix say they could not
// delete it and exit 1, instead of reporting it removed.
TEST_F(CacheCommand, ClearAndVerifyFixReportWhatTheyCouldNotDelete) {
  const fs::path cache = dir_ / "cache";
  auto r = run_shell("VYRE_CACHE_DIR=" + cache.string() + " " + vyre_binary().string() + " run " +
                     example_path("saxpy") +
                     " --backend reference --param a=1 --in x=range:8 >/dev/null 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  const fs::path stuck = cache / "ab" / ("ab" + std::string(62, '0') + ".bin");
  fs::create_directories(stuck);
  std::ofstream(stuck / "someone-elses") << "x";

  r = run_vyre("cache --dir " + cache.string() + " verify --fix", true);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("NOT REMOVED " + stuck.string()), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("removed " + stuck.string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error[VY5105]: could not delete '" + stuck.string() + "'"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("help: "), std::string::npos) << r.out;

  r = run_vyre("cache --dir " + cache.string() + " clear", true);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("removed 1 entry"), std::string::npos) << "the valid entry stays:\n"
                                                              << r.out;
  EXPECT_NE(r.out.find("error[VY5105]: could not delete '" + stuck.string() + "'"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(fs::exists(stuck / "someone-elses"));
}

}  // namespace
}  // namespace vyre::testing
