// What `vyre run` says about the pipeline and repeated runs: a never-compiled program is a new
// program, a first compile for another backend is "not yet compiled for X", and --repeat N ends
// with one summary (median, p90) instead of N reports.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class RunReport : public CliTest {
 protected:
  Output run(const std::string& args) {
    return run_shell("cd " + dir_.string() +
                     " && env -u VYRE_JIT VYRE_CACHE_DIR=" + (dir_ / "cache").string() + " " +
                     vyre_binary().string() + " " + args + " 2>&1");
  }
};

TEST_F(RunReport, NewProgramsAndOtherBackendsAreNamedPlainly) {
  auto first =
      run("run " + example_path("saxpy") + " --backend reference --param a=1 --in x=range:8");
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_NE(first.out.find("pipeline: miss (empty cache: "), std::string::npos) << first.out;
  auto other =
      run("run " + example_path("hash") + " --backend reference --param seed=1 --in keys=range:8");
  ASSERT_EQ(other.status, 0) << other.out;
  EXPECT_NE(other.out.find("pipeline: miss (new program: never compiled into this cache"),
            std::string::npos)
      << other.out;
  EXPECT_EQ(other.out.find("program_changed"), std::string::npos) << other.out;
  // The JSON keeps the stable metric name.
  auto json = run("run " + example_path("vector_add") +
                  " --backend reference --in a=range:8 --in b=range:8 --json");
  ASSERT_EQ(json.status, 0) << json.out;
  EXPECT_EQ(nlohmann::json::parse(json.out.substr(json.out.find('{')))["cache"]["miss_reason"],
            "program_changed");

  auto opencl =
      run("run " + example_path("saxpy") + " --backend opencl --param a=1 --in x=range:8");
  if (opencl.out.find("VY4002") != std::string::npos ||
      opencl.out.find("unavailable") != std::string::npos) {
    GTEST_SKIP() << "no OpenCL device here: " << opencl.out;
  }
  ASSERT_EQ(opencl.status, 0) << opencl.out;
  EXPECT_NE(opencl.out.find("pipeline: miss (not yet compiled for opencl (cached for reference))"),
            std::string::npos)
      << opencl.out;
  EXPECT_EQ(opencl.out.find("differs in"), std::string::npos) << opencl.out;
}

// A run on host buffers allocates, uploads, runs and reads back inside one dispatch: the split
// by step says so instead of printing zeros, and the JSON's unmeasured steps are null.
TEST_F(RunReport, StepsNotMeasuredApartAreNotPrintedAsZeros) {
  auto r = run("run " + example_path("saxpy") + " --backend reference --param a=2 --in x=range:64");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("allocation, upload, kernel and download are one dispatch ("),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("kernel 0.000 ms"), std::string::npos) << r.out;
  auto json = run("run " + example_path("saxpy") +
                  " --backend reference --param a=2 --in x=range:64 --json");
  ASSERT_EQ(json.status, 0) << json.out;
  const auto t = nlohmann::json::parse(json.out.substr(json.out.find('{')))["timings_ms"];
  EXPECT_TRUE(t["kernel"].is_null()) << t.dump();
  EXPECT_TRUE(t["upload"].is_null()) << t.dump();
  EXPECT_GT(t["dispatch"].get<double>(), 0.0) << t.dump();
}

TEST_F(RunReport, RepeatEndsWithOneSummary) {
  auto r = run("run " + example_path("saxpy") +
               " --backend reference --param a=2 --in x=range:64 --in y=fill:1 --repeat 5");
  ASSERT_EQ(r.status, 0) << r.out;
  std::size_t reports = 0;
  for (auto at = r.out.find("kernel saxpy on "); at != std::string::npos;
       at = r.out.find("kernel saxpy on ", at + 1)) {
    ++reports;
  }
  EXPECT_EQ(reports, 1u) << r.out;
  EXPECT_NE(r.out.find("repeat: 5 runs in this process; pipeline: 1 compiled, 4 memory"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  total    median "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", p90 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("outputs: identical in every run"), std::string::npos) << r.out;

  auto j = run("run " + example_path("saxpy") +
               " --backend reference --param a=2 --in x=range:64 --repeat 3 --json");
  ASSERT_EQ(j.status, 0) << j.out;
  auto summary = nlohmann::json::parse(j.out.substr(j.out.find('{')))["repeat"];
  EXPECT_EQ(summary["runs"], 3);
  EXPECT_EQ(summary["pipeline_tiers"]["memory"], 2) << j.out;
  EXPECT_TRUE(summary["total_ms"]["p90"].get<double>() >=
              summary["total_ms"]["median"].get<double>());
}

}  // namespace
}  // namespace vyre::testing
