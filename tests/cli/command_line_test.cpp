// How the `vyre` command line behaves: unknown subcommands and malformed arguments are coded
// diagnostics, options work after the subcommand, --help shows defaults, `explain --json`,
// `cache explain` defaults to the backend `run` would choose, and a hung kernel ends at its
// --timeout-ms with that figure in the message.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class CommandLine : public CliTest {
 protected:
  Output run(const std::string& args) {
    return run_shell("cd " + dir_.string() + " && VYRE_CACHE_DIR=" + (dir_ / "cache").string() +
                     " " + vyre_binary().string() + " " + args + " 2>&1");
  }
};

TEST_F(CommandLine, UnknownSubcommandSuggestsTheNearest) {
  auto r = run_vyre("chek " + example_path("saxpy"), true);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("error[VY8201]: `vyre` has no subcommand `chek`"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("help: did you mean `vyre check`?"), std::string::npos) << r.out;
  r = run_vyre("cache stat", true);
  EXPECT_NE(r.out.find("`vyre cache` has no subcommand `stat`"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did you mean `vyre cache stats`?"), std::string::npos) << r.out;
  r = run_vyre("zzzzzzzz", true);
  EXPECT_NE(r.out.find("error[VY8201]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help: the subcommands are: "), std::string::npos) << r.out;
}

TEST_F(CommandLine, MalformedArgumentsAreCodedDiagnostics) {
  auto r = run_vyre("run " + example_path("saxpy") + " --no-such-flag", true);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("error[VY8202]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help: run `vyre run --help`"), std::string::npos) << r.out;
  r = run_vyre("run " + example_path("saxpy") + " --repeat 0", true);
  EXPECT_NE(r.out.find("error[VY8202]"), std::string::npos) << r.out;
}

// CLI11 prints a default as `UINT=60000` (Debian 12's 2.3) or `UINT [60000]` (newer releases).
bool shows_default(const std::string& help, const std::string& option, const std::string& value) {
  return help.find(option + "=" + value) != std::string::npos ||
         help.find(option + " [" + value + "]") != std::string::npos;
}

TEST_F(CommandLine, HelpShowsDefaults) {
  auto r = run_vyre("run --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(shows_default(r.out, "--timeout-ms UINT", "60000")) << r.out;
  EXPECT_TRUE(shows_default(r.out, "--backend TEXT", "auto")) << r.out;
  r = run_vyre("fuzz --help");
  EXPECT_TRUE(shows_default(r.out, "--batch UINT", "64")) << r.out;
}

TEST_F(CommandLine, CacheOptionsWorkAfterTheSubcommand) {
  const fs::path cache = dir_ / "elsewhere";
  auto r =
      run_shell("VYRE_CACHE_DIR=" + (dir_ / "cache").string() + " " + vyre_binary().string() +
                " run " + example_path("saxpy") +
                " --backend reference --param a=1 --in x=range:8 >/dev/null && "
                "VYRE_CACHE_DIR=" +
                cache.string() + " " + vyre_binary().string() + " run " + example_path("saxpy") +
                " --backend reference --param a=1 --in x=range:8 >/dev/null && " +
                vyre_binary().string() + " cache stats --dir " + cache.string() + " --json 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["root"], cache.string());
  EXPECT_EQ(j["entries"], 1);
  // The old position still works.
  r = run_vyre("cache --dir " + cache.string() + " stats --json");
  EXPECT_EQ(nlohmann::json::parse(r.out, nullptr, false)["root"], cache.string()) << r.out;
}

TEST_F(CommandLine, ExplainSpeaksJson) {
  auto r = run_vyre("explain VY8203 --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(j["code"], "VY8203");
  EXPECT_EQ(j["name"], "NotARegularFile");
  EXPECT_NE(j["explanation"].get<std::string>().find("FIFO"), std::string::npos);
  r = run_vyre("explain --list --json");
  auto all = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(all.is_array());
  EXPECT_GT(all.size(), 50u);
  r = run_vyre("explain VY9999 --json");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(nlohmann::json::parse(r.out, nullptr, false)[0]["code"], "VY8002") << r.out;
}

TEST_F(CommandLine, CacheExplainDefaultsToTheBackendRunChooses) {
  auto route = run("run " + example_path("saxpy") + " --param a=1 --in x=range:8 --json");
  ASSERT_EQ(route.status, 0) << route.out;
  const std::string chosen =
      nlohmann::json::parse(route.out.substr(route.out.find('{')))["backend"]["id"];
  auto r = run("cache explain " + example_path("saxpy") + " --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_EQ(j["backend"], chosen) << r.out;
  EXPECT_EQ(j["would_hit"], true) << "run just stored it: " << r.out;
}

constexpr const char* kSpin =
    "kernel spin workgroup(1) {\n"
    "  buffer out: write u32[1]\n"
    "  var acc = 0u\n"
    "  for a in 0u..100000u {\n"
    "    for b in 0u..100000u {\n"
    "      acc = acc + a * b\n"
    "    }\n"
    "  }\n"
    "  out[0] = acc\n"
    "}\n";

// The reference interpreter would take hours over this loop: the deadline must end the process.
TEST_F(CommandLine, TimeoutEndsAHungKernelAndStatesTheAskedTimeout) {
  std::ofstream(dir_ / "spin.vy") << kSpin;
  const auto start = std::chrono::steady_clock::now();
  auto r = run("run spin.vy --backend reference --timeout-ms 2500");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("error[VY4017]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("`spin` was still running on reference after --timeout-ms 2500 ms"),
            std::string::npos)
      << r.out;
  // Off a terminal the progress is plain lines: one after the first second.
  EXPECT_NE(r.out.find("vyre: running `spin` on reference ... 1 s"), std::string::npos) << r.out;
  EXPECT_LT(seconds, 20.0) << "the process outlived its deadline by far";
}

// On OpenCL the kernel runs on the device's own threads: the process must still end at the
// deadline (it used to live until the kernel finished, minutes here).
TEST_F(CommandLine, TimeoutEndsAHungOpenClKernel) {
  auto backends = run_vyre("backends --json");
  auto list = nlohmann::json::parse(backends.out, nullptr, false);
  bool opencl = false;
  for (const auto& b : list) opencl = opencl || (b["id"] == "opencl" && b["available"] == true);
  if (!opencl) GTEST_SKIP() << "no OpenCL device here";
  std::ofstream(dir_ / "spin.vy") << "kernel spin workgroup(1) {\n"
                                     "  buffer src: read u32[4]\n"
                                     "  buffer out: write u32[1]\n"
                                     "  var acc = 0u\n"
                                     "  for a in 0u..1000000u {\n"
                                     "    for b in 0u..100000u {\n"
                                     "      acc = acc + src[(a + b + acc) % 4u]\n"
                                     "    }\n"
                                     "  }\n"
                                     "  out[0] = acc\n"
                                     "}\n";
  const auto start = std::chrono::steady_clock::now();
  auto r = run("run spin.vy --backend opencl --in src=range:4 --timeout-ms 1500");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("`spin` was still running on opencl after --timeout-ms 1500 ms"),
            std::string::npos)
      << r.out;
  // The compile is not under the deadline (PoCL takes seconds on a loaded machine); the kernel
  // itself would run for many minutes.
  EXPECT_LT(seconds, 120.0);
}

// A POCL_CACHE_DIR PoCL cannot use fails every build with an empty log (a file there) or hides
// every device (a path it cannot create): named as the setting, not as a code generator bug.
TEST_F(CommandLine, ABadPoclCacheDirIsNamedNotBlamedOnTheGenerator) {
  auto backends = run_vyre("backends --json");
  auto list = nlohmann::json::parse(backends.out, nullptr, false);
  bool pocl = false;
  for (const auto& b : list) {
    pocl = pocl || (b["id"] == "opencl" && b["available"] == true &&
                    b.dump().find("Portable Computing Language") != std::string::npos);
  }
  if (!pocl) GTEST_SKIP() << "no PoCL device here";
  std::ofstream(dir_ / "a-file") << "x";
  for (const fs::path& bad : {dir_ / "a-file", dir_ / "a-file" / "below"}) {
    auto r = run_shell("cd " + dir_.string() + " && POCL_CACHE_DIR=" + bad.string() +
                       " VYRE_CACHE_DIR=" + (dir_ / ("cache-" + bad.filename().string())).string() +
                       " " + vyre_binary().string() + " run " + example_path("saxpy") +
                       " --backend opencl --param a=1 --in x=range:8 2>&1");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(r.out.find("error[VY4003]: the opencl backend is unavailable: POCL_CACHE_DIR='" +
                         bad.string() + "'"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("help: point POCL_CACHE_DIR at a folder you can write"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("code generator bug"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace vyre::testing
