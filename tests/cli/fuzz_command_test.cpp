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

}  // namespace
}  // namespace vyre::testing
