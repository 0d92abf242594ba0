// `vyre fuzz` end to end: programs in batches agree with the oracle, the summary says how they
// were run, and the run leaves the user's disk pipeline cache alone (its cache is memory-only).
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class FuzzCommand : public CliTest {};

TEST_F(FuzzCommand, BatchesAgreeAndTheDiskCacheStaysEmpty) {
  const fs::path cache = dir_ / "cache";
  auto r = run_shell("cd " + dir_.string() + " && VYRE_CACHE_DIR=" + cache.string() + " " +
                     vyre_binary().string() +
                     " fuzz --backends reference,opencl --seed 5 --count 6 --batch 4 --json"
                     " 2>/dev/null");
  EXPECT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["disagreed"], 0);
  EXPECT_EQ(j["agreed"].get<int>() + j["skipped"].get<int>(), 6) << r.out;
  EXPECT_EQ(j["batch"], 4);
  EXPECT_FALSE(fs::exists(cache) && !fs::is_empty(cache)) << "fuzz wrote to the disk cache";
}

// One backend, the same one twice, or one that cannot start would give bogus verdicts.
TEST_F(FuzzCommand, RefusesFewerThanTwoAvailableBackends) {
  for (const char* list : {"reference", "reference,reference", "reference,nosuch"}) {
    auto r = run_vyre(std::string("fuzz --count 3 --backends ") + list, true);
    EXPECT_EQ(r.status, 2) << list << ": " << r.out;
    EXPECT_NE(r.out.find("error[VY8207]"), std::string::npos) << list << ": " << r.out;
    EXPECT_NE(r.out.find("help: "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("disagreed"), std::string::npos) << r.out;
  }
  // CUDA is unavailable without a GPU (and without the toolkit, not built at all).
  auto cuda = run_vyre("backends --json");
  if (cuda.out.find("\"id\":\"cuda\",\"priority\"") != std::string::npos &&
      cuda.out.find("why_unavailable") != std::string::npos) {
    auto r = run_vyre("fuzz --count 3 --backends reference,cuda", true);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("backend `cuda` is not available here"), std::string::npos) << r.out;
  }
}

TEST_F(FuzzCommand, ProgressShowsTheFractionAndTimeLeft) {
  auto r =
      run_shell("cd " + dir_.string() + " && " + vyre_binary().string() +
                " fuzz --backends reference,opencl --seed 9 --count 4 --batch 2 2>&1 >/dev/null");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("fuzz: 2/4 programs (50%)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" left"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vyre::testing
