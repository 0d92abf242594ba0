// Runs the built `vyre` binary for the CLI tests. The test target depends on vyre_cli, so a
// missing binary is a build defect: CliTest fails rather than skips.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace vyre::testing {

namespace fs = std::filesystem;

struct Output {
  int status = -1;
  std::string out;
};

inline fs::path vyre_binary() {
  return fs::path(VYRE_BINARY_DIR) / "vyre";
}

inline std::string example_path(const std::string& name) {
  return (fs::path(VYRE_SOURCE_DIR) / "examples" / (name + ".vy")).string();
}

// Runs a shell command line, collecting its stdout and exit status.
inline Output run_shell(const std::string& command) {
  Output result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> chunk{};
  std::size_t n;
  while ((n = fread(chunk.data(), 1, chunk.size(), pipe)) > 0) result.out.append(chunk.data(), n);
  int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs `vyre ARGS`; the output holds stdout, and stderr too when merge_stderr.
inline Output run_vyre(const std::string& args, bool merge_stderr = false) {
  return run_shell(vyre_binary().string() + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null"));
}

// A fresh scratch folder per test, and the binary required.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(vyre_binary()))
        << vyre_binary() << " is missing: the vyre_cli target must be built with the tests";
    dir_ = fs::temp_directory_path() /
           ("vyre_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

}  // namespace vyre::testing
