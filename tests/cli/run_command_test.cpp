// `vyre run` and `vyre backends` end to end, through the built binary.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"

namespace {

namespace fs = std::filesystem;
using vyre::testing::run_vyre;

std::string example(const std::string& name) {
  return vyre::testing::example_path(name);
}

class RunCommand : public vyre::testing::CliTest {};

TEST_F(RunCommand, SaxpyWithGeneratedInputsAndNpyOutput) {
  fs::path out = dir_ / "y.npy";
  auto r = run_vyre("run " + example("saxpy") +
                    " --backend reference --param a=2 --in x=range:1000 --in y=fill:1 --out y=" +
                    out.string() + " --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["backend"]["id"], "reference");
  EXPECT_EQ(json["backend"]["why"], "explicitly requested");
  EXPECT_EQ(json["sizes"]["n"], 1000);
  EXPECT_EQ(json["outputs"]["y"]["count"], 1000);
  EXPECT_EQ(json["outputs"]["y"]["first"][0], 1.0);
  EXPECT_EQ(json["outputs"]["y"]["first"][3], 7.0);
  EXPECT_EQ(json["outputs"]["y"]["blake3"].get<std::string>().size(), 16u);
  ASSERT_TRUE(fs::exists(out));
  std::ifstream in(out, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 4000u);
  float last;
  std::memcpy(&last, bytes.data() + bytes.size() - 4, 4);
  EXPECT_EQ(last, 2.0f * 999.0f + 1.0f);
}

TEST_F(RunCommand, HumanOutputNamesBackendTimingsAndChecksums) {
  auto r = run_vyre("run " + example("hash") + " --param seed=7 --in keys=range:100");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("kernel hash on "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("time: route"), std::string::npos);
  EXPECT_NE(r.out.find("output hashes: u32[100]"), std::string::npos);
  EXPECT_NE(r.out.find("blake3 "), std::string::npos);
}

TEST_F(RunCommand, RawInputUsesTheDeclaredType) {
  fs::path raw = dir_ / "keys.bin";
  {
    std::ofstream f(raw, std::ios::binary);
    std::uint32_t values[3] = {1, 2, 3};
    f.write(reinterpret_cast<const char*>(values), sizeof values);
  }
  auto r =
      run_vyre("run " + example("hash") + " --param seed=0 --in keys=" + raw.string() + " --json");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["outputs"]["hashes"]["count"], 3);
}

TEST_F(RunCommand, ErrorsAreRenderedDiagnosticsWithExitCode1) {
  auto r = run_vyre("run " + example("saxpy") + " --param a=2 --in x=range:10", true);
  EXPECT_EQ(r.status, 0) << "y (read_write) may be left out";
  r = run_vyre("run " + example("saxpy") + " --in x=range:10 --in y=range:10", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("VY4006"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help:"), std::string::npos) << r.out;

  r = run_vyre("run " + example("saxpy") + " --param a=abc --in x=range:10", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("VY8103"), std::string::npos) << r.out;

  r = run_vyre("run " + example("matmul") + " --in a=range:6 --in b=range:6", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("--size"), std::string::npos) << r.out;

  r = run_vyre("run " + example("saxpy") + " --backend nosuch --param a=1 --in x=range:3", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("VY4002"), std::string::npos) << r.out;
}

TEST_F(RunCommand, MalformedNpyIsADiagnosticNotACrash) {
  fs::path bad = dir_ / "bad.npy";
  {
    std::ofstream f(bad, std::ios::binary);
    f << "\x93NUMPY\x01\x00\xff\x7f{'descr': '<f4'";
  }
  auto r = run_vyre("run " + example("saxpy") + " --param a=1 --in x=" + bad.string(), true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("VY8101"), std::string::npos) << r.out;
}

TEST_F(RunCommand, RawInputWithAPartialElementIsBadDataFile) {
  fs::path raw = dir_ / "keys.bin";
  std::ofstream(raw, std::ios::binary) << "12345";  // 5 bytes: one u32 and a piece of another
  auto r = run_vyre("run " + example("hash") + " --param seed=0 --in keys=" + raw.string(), true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8102]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("has 5 bytes, not a whole number of u32 elements"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("help: raw files hold little-endian elements"), std::string::npos) << r.out;
}

TEST_F(RunCommand, MissingInputFileCannotBeRead) {
  fs::path missing = dir_ / "absent.bin";
  auto r =
      run_vyre("run " + example("hash") + " --param seed=0 --in keys=" + missing.string(), true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8001]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cannot open `" + missing.string() + "`"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help: "), std::string::npos) << r.out;
}

// A folder named as an input used to end in an uncaught std::ios_base::failure.
TEST_F(RunCommand, FolderAsInputIsADiagnosticNotACrash) {
  auto r = run_vyre("run " + example("hash") + " --param seed=0 --in keys=" + dir_.string(), true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8001]: `" + dir_.string() + "` is a folder, not a file"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("help: name an input file (.npy or raw) inside it"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("terminate"), std::string::npos) << r.out;
}

TEST_F(RunCommand, RangeBeyondU32ElementsIsABadArgument) {
  auto r =
      run_vyre("run " + example("hash") + " --param seed=0 --in keys=range:99999999999999", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8103]: --in keys=range:99999999999999: a buffer holds at most "
                       "4294967295 elements"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("help: "), std::string::npos) << r.out;
}

TEST_F(RunCommand, BadFillValueIsNamedBeforeSizes) {
  auto r = run_vyre("run " + example("saxpy") + " --param a=1 --in x=fill:zz --in y=fill:1", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8103]: --in x=fill: `zz` is not a valid f32"), std::string::npos)
      << r.out;
}

// Inputs too large for the host's memory: a diagnostic, not std::bad_alloc's terminate. The
// address-space limit makes the allocation fail at the same size on every machine.
TEST_F(RunCommand, InputsBeyondHostMemoryAreADiagnostic) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space, so `ulimit -v` would "
                  "stop the binary before main";
#endif
  auto r = vyre::testing::run_shell(
      "ulimit -v 1048576 && " + vyre::testing::vyre_binary().string() + " run " + example("hash") +
      " --param seed=0 --in keys=range:4294967295 2>&1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("error[VY8105]: ran out of host memory"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("terminate"), std::string::npos) << r.out;
}

TEST_F(RunCommand, OutputIntoAMissingFolderCannotBeWritten) {
  fs::path out = dir_ / "no_such_folder" / "y.npy";
  auto r = run_vyre("run " + example("saxpy") +
                        " --backend reference --param a=2 --in x=range:10 --out y=" + out.string(),
                    true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8104]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cannot write `" + out.string() + "`"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help: check that the folder exists"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(RunCommand, EveryExampleRuns) {
  const std::vector<std::string> runs = {
      "saxpy --param a=2 --in x=range:5000 --in y=fill:1",
      "vector_add --in a=range:5000 --in b=fill:2",
      "dot_product --in x=fill:1 --in y=range:5000 --size g=20",
      "histogram --in data=range:5000",
      "prefix_scan --in input=fill:1 --size n=5000",
      "matmul --in a=fill:1 --in b=fill:2 --size m=40 --size n=30 --size k=20",
      "stencil --param alpha=0.1 --in src=range:1200 --size w=40 --size h=30",
      "transpose --in src=range:1200 --size rows=40 --size cols=30",
      "mandelbrot --param x0=-2 --param y0=-1.5 --param scale=0.01 --size w=64 --size h=48",
      "hash --param seed=1 --in keys=range:5000",
  };
  for (const std::string& run : runs) {
    std::string name = run.substr(0, run.find(' '));
    auto r = run_vyre(
        "run " + example(name) + run.substr(name.size()) + " --backend reference --json", true);
    ASSERT_EQ(r.status, 0) << run << "\n" << r.out;
  }
}

TEST_F(RunCommand, BackendsListsTheReferenceBackend) {
  auto r = run_vyre("backends --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto list = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& b : list) {
    if (b["id"] != "reference") continue;
    found = true;
    EXPECT_TRUE(b["available"].get<bool>());
    EXPECT_EQ(b["fingerprint"]["vendor"], "vyre");
    EXPECT_TRUE(b["capabilities"]["f64"].get<bool>());
  }
  EXPECT_TRUE(found);
  r = run_vyre("backends");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("reference"), std::string::npos);
  EXPECT_NE(r.out.find("available"), std::string::npos);
}

}  // namespace
