// `vyre cache pack OUT`: a pack made from one cache folder serves another folder's runs through
// VYRE_CACHE_PACKS (a "pack hit", no compile), is readable by other users (0755 / 0644, nothing
// writable by group or others), and is never written into a folder that is not vyre's.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class CachePack : public CliTest {
 protected:
  Output vyre(const std::string& env, const std::string& args) {
    return run_shell("env -u VYRE_CACHE_PACKS " + env + " " + vyre_binary().string() + " " + args +
                     " 2>&1");
  }
  std::string saxpy() const {
    return "run " + example_path("saxpy") + " --backend reference --param a=2 --in x=range:8";
  }
  std::string cache(const std::string& name) const {
    return "VYRE_CACHE_DIR=" + (dir_ / name).string();
  }
};

TEST_F(CachePack, APackServesAnotherCacheFolderWithoutACompile) {
  auto first = vyre(cache("builder"), saxpy());
  ASSERT_EQ(first.status, 0) << first.out;
  const fs::path pack = dir_ / "app-pack";
  auto packed = vyre(cache("builder"), "cache pack " + pack.string() + " --json");
  ASSERT_EQ(packed.status, 0) << packed.out;
  auto report = nlohmann::json::parse(packed.out.substr(packed.out.find('{')));
  EXPECT_EQ(report["packed"], 1) << report.dump();
  EXPECT_EQ(report["invalid"], 0) << report.dump();

  auto user = vyre(cache("user") + " VYRE_CACHE_PACKS=" + pack.string(), saxpy());
  ASSERT_EQ(user.status, 0) << user.out;
  EXPECT_NE(user.out.find("pipeline: pack hit"), std::string::npos) << user.out;
  EXPECT_EQ(user.out.substr(user.out.find("output y:")),
            first.out.substr(first.out.find("output y:")));

  // Readable by every user, writable by none but the owner.
  for (const auto& entry : fs::recursive_directory_iterator(pack)) {
    struct stat st {};
    ASSERT_EQ(::lstat(entry.path().c_str(), &st), 0);
    const mode_t mode = st.st_mode & 07777;
    EXPECT_EQ(mode, S_ISDIR(st.st_mode) ? 0755u : 0644u) << entry.path();
  }
  // A second pack into the same folder adds nothing wrong: the run still hits.
  ASSERT_EQ(vyre(cache("builder"), "cache pack " + pack.string()).status, 0);
  auto again = vyre(cache("user2") + " VYRE_CACHE_PACKS=" + pack.string(), saxpy());
  EXPECT_NE(again.out.find("pipeline: pack hit"), std::string::npos) << again.out;
}

TEST_F(CachePack, AFolderThatIsNotVyresIsRefusedAndLeftAlone) {
  ASSERT_EQ(vyre(cache("builder"), saxpy()).status, 0);
  const fs::path foreign = dir_ / "photos";
  fs::create_directories(foreign);
  { std::ofstream(foreign / "holiday.jpg") << "not a pipeline"; }
  auto refused = vyre(cache("builder"), "cache pack " + foreign.string());
  EXPECT_NE(refused.status, 0) << refused.out;
  EXPECT_NE(refused.out.find("VY5101"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("help:"), std::string::npos) << refused.out;
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(foreign)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u) << "vyre wrote into a folder that is not its own";
}

}  // namespace
}  // namespace vyre::testing
