// The module catalogue: vyre's codes with every built module's, ids unique across all of them,
// retired codes pointing at live ones, and every live module code produced by some test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "vyre/backends/builtin.h"

namespace vyre::contract {
namespace {

TEST(ModuleCatalogue, IdsAreUniqueAcrossVyreAndItsModules) {
  const ModuleCatalogue& catalogue = builtin_catalogue();
  std::set<std::string_view> ids;
  for (const CodeInfo* info : catalogue.codes()) {
    EXPECT_TRUE(ids.insert(info->id).second) << "duplicate id " << info->id;
    ASSERT_EQ(info->id.size(), 6u) << info->id;
    EXPECT_FALSE(info->title.empty()) << info->id;
    EXPECT_GE(info->explanation.size(), 40u) << info->id;
    if (!info->replaced_by.empty()) {
      const CodeInfo* now = catalogue.find_code(info->replaced_by);
      ASSERT_NE(now, nullptr) << info->id << " retired for unknown " << info->replaced_by;
      EXPECT_TRUE(now->replaced_by.empty()) << info->id << " retired for a retired code";
    }
  }
  // Published backend codes still answer: the opencl and cuda modules are always built (their
  // backends only where the SDKs are), so these resolve in every build.
  for (std::string_view id :
       {"VY6001", "VY6002", "VY6003", "VY6004", "VY7001", "VY7002", "VY7003", "VY7004", "VY7005",
        "VY7006", "VY7007", "VY7008", "VY7009", "VY4003"}) {
    EXPECT_NE(catalogue.find_code(id), nullptr) << id;
  }
  EXPECT_EQ(catalogue.find_code("VY6003")->replaced_by, "VY4101");
  EXPECT_EQ(catalogue.find_code("VY7006")->replaced_by, "VY4103");
  EXPECT_EQ(catalogue.module_of("VY7006"), "cuda");
}

TEST(ModuleCatalogue, ListsEveryModulesVariables) {
  std::set<std::string_view> names;
  for (const CatalogueEnvVar& var : builtin_catalogue().environment()) {
    EXPECT_TRUE(names.insert(var.name).second) << "declared twice: " << var.name;
  }
  for (std::string_view name : {"VYRE_CACHE_DIR", "VYRE_OPENCL_DEVICE", "VYRE_CUDA_ARCH",
                                "VYRE_CUDA_DEVICE", "VYRE_TESTMOD_LATENCY_MS"}) {
    EXPECT_EQ(names.count(name), 1u) << name;
  }
}

// As tests/diag/catalogue_test.cpp does for vyre's own codes: a live module code must be
// produced by a test (its id, or code::Name, in a test source).
TEST(ModuleCatalogue, EveryLiveModuleCodeIsExercisedByATest) {
  namespace fs = std::filesystem;
  std::string corpus;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(VYRE_SOURCE_DIR) / "tests")) {
    if (!entry.is_regular_file() || entry.path().filename() == "module_catalogue_test.cpp") {
      continue;
    }
    auto ext = entry.path().extension();
    if (ext != ".cpp" && ext != ".h") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    corpus += text.str();
  }
  const ModuleCatalogue& catalogue = builtin_catalogue();
  for (const CodeInfo* info : catalogue.codes()) {
    if (catalogue.module_of(info->id).empty() || !info->replaced_by.empty()) continue;
    const std::string constant = "code::" + std::string(info->name);
    const bool used = corpus.find(info->id) != std::string::npos ||
                      corpus.find(constant + ")") != std::string::npos ||
                      corpus.find(constant + ",") != std::string::npos ||
                      corpus.find(constant + ";") != std::string::npos;
    EXPECT_TRUE(used) << info->id << " (" << info->name << ") is not produced by any test";
  }
}

}  // namespace
}  // namespace vyre::contract
