// `vyre check` end to end: a good kernel, a bad one rendered with its source line and caret (or
// as a JSON array), and a file that cannot be read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class CheckCommand : public CliTest {
 protected:
  std::string write_kernel(const std::string& text) {
    fs::path path = dir_ / "k.vy";
    std::ofstream(path) << text;
    return path.string();
  }
};

constexpr const char* kStoreToReadOnly =
    "kernel k workgroup(1) {\n  buffer x: read u32[4]\n  buffer y: write u32[4]\n"
    "    x[0] = 1u\n}\n";

TEST_F(CheckCommand, GoodKernelIsOk) {
  auto r = run_vyre("check " + example_path("saxpy"), true);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find(": ok (kernel saxpy, digest "), std::string::npos) << r.out;
}

// What `vyre run` will ask for: params, buffers with access, type and count, and the sizes.
TEST_F(CheckCommand, PrintsTheKernelsInterface) {
  auto r = run_vyre("check " + example_path("matmul"), true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("  workgroup 16x16x1, dispatch(n, m)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  buffer a: read f32[m*k]  shape (m, k)  input (--in, required)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  buffer c: write f32[m*n]  shape (m, n)  output (--out)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  size   k: from the shape of a or b, or --size k=N\n"), std::string::npos)
      << r.out;
  r = run_vyre("check " + example_path("saxpy"));
  EXPECT_NE(r.out.find("  param  a: f32  (--param a=VALUE)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  size   n: from the length of x or y, or --size n=N\n"), std::string::npos)
      << r.out;

  auto j =
      nlohmann::json::parse(run_vyre("check --json " + example_path("matmul")).out, nullptr, false);
  ASSERT_TRUE(j.is_object());
  const auto& iface = j["interface"];
  EXPECT_EQ(iface["buffers"][0]["name"], "a");
  EXPECT_EQ(iface["buffers"][0]["access"], "read");
  EXPECT_EQ(iface["buffers"][0]["type"], "f32");
  EXPECT_EQ(iface["buffers"][0]["count"], "m*k");
  EXPECT_EQ(iface["buffers"][0]["shape"], nlohmann::json::array({"m", "k"}));
  EXPECT_EQ(iface["sizes"].size(), 3u);
  EXPECT_EQ(iface["shared"].size(), 2u);
  // --format json stays an alias.
  EXPECT_EQ(nlohmann::json::parse(run_vyre("check --format json " + example_path("matmul")).out,
                                  nullptr, false)["interface"],
            iface);
}

TEST_F(CheckCommand, BadKernelAsJsonArray) {
  std::string file = write_kernel(kStoreToReadOnly);
  auto r = run_vyre("check --format json " + file);
  EXPECT_EQ(r.status, 1);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << r.out;
  ASSERT_EQ(j.size(), 1u) << r.out;
  EXPECT_EQ(j[0]["code"], "VY2005");
  EXPECT_EQ(j[0]["severity"], "error");
  EXPECT_EQ(j[0]["line"], 4);
  EXPECT_NE(j[0]["message"].get<std::string>().find("`x`"), std::string::npos) << r.out;
  EXPECT_FALSE(j[0]["help"].get<std::string>().empty());
}

TEST_F(CheckCommand, BadKernelShowsTheSourceLineAndCaret) {
  std::string file = write_kernel(kStoreToReadOnly);
  auto json = nlohmann::json::parse(run_vyre("check --format json " + file).out, nullptr, false);
  ASSERT_TRUE(json.is_array() && !json.empty());
  const int column = json[0]["column"].get<int>();
  ASSERT_GE(column, 1);

  auto r = run_vyre("check " + file, true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY2005]: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" --> " + file + ":4:" + std::to_string(column)), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("4 |     x[0] = 1u\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  | " + std::string(column - 1, ' ') + "^\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help: "), std::string::npos) << r.out;
}

TEST_F(CheckCommand, MissingFileCannotBeRead) {
  std::string missing = (dir_ / "missing.vy").string();
  auto r = run_vyre("check " + missing, true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8001]: cannot open `" + missing + "`"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("help: check the path"), std::string::npos) << r.out;

  r = run_vyre("check --format json " + missing);
  EXPECT_EQ(r.status, 1);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_array() && j.size() == 1u) << r.out;
  EXPECT_EQ(j[0]["code"], "VY8001");
}

TEST_F(CheckCommand, FolderIsNotAReadableFile) {
  auto r = run_vyre("check " + dir_.string(), true);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("error[VY8001]: `" + dir_.string() + "` is a folder, not a file"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace vyre::testing
