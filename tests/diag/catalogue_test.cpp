#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "vyre/diag/codes.h"

namespace vyre {
namespace {

TEST(Catalogue, IdsAreUniqueWellFormedAndExplained) {
  std::set<std::string_view> ids;
  std::set<std::string_view> names;
  for (const CodeInfo& info : diagnostic_catalogue()) {
    EXPECT_TRUE(ids.insert(info.id).second) << "duplicate id " << info.id;
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate name " << info.name;
    ASSERT_EQ(info.id.size(), 6u) << info.id;
    EXPECT_EQ(info.id.substr(0, 2), "VY");
    EXPECT_FALSE(info.title.empty()) << info.id;
    EXPECT_GE(info.explanation.size(), 40u) << info.id << " needs a real explanation paragraph";
  }
  EXPECT_GE(ids.size(), 20u);
}

TEST(Catalogue, FindsCodesCaseInsensitively) {
  const CodeInfo* info = find_code("vy2005");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->id, code::StoreToReadOnly);
  EXPECT_EQ(find_code("VY9999"), nullptr);
  EXPECT_EQ(find_code(""), nullptr);
}

// Every catalogued code must be produced by at least one test: each one's id ("VY2005") or
// constant (code::StoreToReadOnly) has to appear in a test source other than this file.
TEST(Catalogue, EveryCodeIsExercisedByATest) {
  namespace fs = std::filesystem;
  std::string corpus;
  // The C++ tests, and the Python package's pytest suite (python/tests).
  for (const char* folder : {"tests", "python/tests"}) {
    const fs::path root = fs::path(VYRE_SOURCE_DIR) / folder;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().filename() == "catalogue_test.cpp") continue;
      auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".h" && ext != ".vy" && ext != ".py") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      corpus += text.str();
    }
  }
  for (const CodeInfo& info : diagnostic_catalogue()) {
    std::string constant = "code::" + std::string(info.name);
    bool used = corpus.find(info.id) != std::string::npos ||
                corpus.find(constant + ")") != std::string::npos ||
                corpus.find(constant + ",") != std::string::npos ||
                corpus.find(constant + ";") != std::string::npos;
    EXPECT_TRUE(used) << info.id << " (" << info.name << ") is not produced by any test";
  }
}

}  // namespace
}  // namespace vyre
