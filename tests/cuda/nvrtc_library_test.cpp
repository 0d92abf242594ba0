// NVRTC is loaded at run time, never linked: where vyre looks for it, the diagnostic when it is
// missing or is not NVRTC, and that the toolkit this build found is what it loads.
#include <gtest/gtest.h>

#if __has_include("vyre/backends/cuda/nvrtc_compiler.h")  // the CUDA backend was built

#include <stdlib.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "vyre/backends/cuda/backend.h"
#include "vyre/backends/cuda/nvrtc_compiler.h"
#include "vyre/diag/codes.h"

namespace vyre::cuda {
namespace {

// Sets VYRE_NVRTC_PATH for one scope, restoring what was there.
class ScopedNvrtcPath {
 public:
  explicit ScopedNvrtcPath(const char* value) {
    if (const char* old = ::getenv("VYRE_NVRTC_PATH")) saved_ = old;
    if (value != nullptr) {
      ::setenv("VYRE_NVRTC_PATH", value, 1);
    } else {
      ::unsetenv("VYRE_NVRTC_PATH");
    }
  }
  ~ScopedNvrtcPath() {
    if (saved_) {
      ::setenv("VYRE_NVRTC_PATH", saved_->c_str(), 1);
    } else {
      ::unsetenv("VYRE_NVRTC_PATH");
    }
  }
  ScopedNvrtcPath(const ScopedNvrtcPath&) = delete;
  ScopedNvrtcPath& operator=(const ScopedNvrtcPath&) = delete;

 private:
  std::optional<std::string> saved_;
};

TEST(NvrtcLibrary, VyreNvrtcPathAloneIsTriedWhenSet) {
  ScopedNvrtcPath path("/opt/nvrtc/libnvrtc.so.13");
  EXPECT_EQ(nvrtc_library_candidates(), std::vector<std::string>{"/opt/nvrtc/libnvrtc.so.13"});
}

TEST(NvrtcLibrary, SonamesAreSearchedFirstThenTheToolkitFolder) {
  ScopedNvrtcPath path(nullptr);
  const std::vector<std::string> candidates = nvrtc_library_candidates();
  ASSERT_GE(candidates.size(), 2u);
  EXPECT_EQ(candidates.front().rfind("libnvrtc.so.", 0), 0u) << candidates.front();
  EXPECT_EQ(candidates.back().rfind("/usr/local/cuda/", 0), 0u) << candidates.back();
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    for (std::size_t j = i + 1; j < candidates.size(); ++j) EXPECT_NE(candidates[i], candidates[j]);
  }
}

TEST(NvrtcLibrary, AMissingLibraryIsUnavailableNamingWhatWasTried) {
  const std::vector<std::string> candidates = {"/nonexistent/libnvrtc.so.13",
                                               "libnvrtc-not-installed.so.99"};
  const Status status = probe_nvrtc(candidates);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, code::BackendUnavailable);
  for (const std::string& candidate : candidates) {
    EXPECT_NE(status.error().message.find(candidate), std::string::npos) << status.error().message;
  }
  EXPECT_NE(status.error().help.find("VYRE_NVRTC_PATH"), std::string::npos);
  EXPECT_NE(status.error().help.find("--backend"), std::string::npos);
}

TEST(NvrtcLibrary, ALibraryThatIsNotNvrtcIsRefused) {
  const Status status = probe_nvrtc(std::vector<std::string>{"libm.so.6"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, code::BackendUnavailable);
  EXPECT_NE(status.error().message.find("libm.so.6 lacks entry points"), std::string::npos)
      << status.error().message;
  EXPECT_NE(status.error().message.find("nvrtcCompileProgram"), std::string::npos);
}

// Where the CUDA backend was built the toolkit is installed, so the default search finds it,
// also behind candidates that fail, and its version is what enters the fingerprint.
TEST(NvrtcLibrary, TheDefaultSearchFindsThisBuildsToolkit) {
  ScopedNvrtcPath path(nullptr);
  std::vector<std::string> candidates = {"/nonexistent/libnvrtc.so.13"};
  for (const std::string& candidate : nvrtc_library_candidates()) candidates.push_back(candidate);
  const Status probed = probe_nvrtc(candidates);
  EXPECT_TRUE(probed.ok()) << probed.error().message;
  const Status loaded = nvrtc_available();
  EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(nvrtc_version().rfind("nvrtc 1", 0), 0u) << nvrtc_version();
}

// In a process whose VYRE_NVRTC_PATH names no library, the backend is not created: its compiler
// version is unknown and nothing could compile. Run in a fresh child (threadsafe death-test style
// re-executes this binary), because NVRTC is loaded once per process.
void create_without_nvrtc() {
  ::setenv("VYRE_NVRTC_PATH", "/nonexistent/libnvrtc.so.13", 1);
  CudaBackendOptions options;
  options.require_device = false;
  auto backend = CudaBackend::create(options);
  if (backend.ok()) {
    std::fprintf(stderr, "created without NVRTC\n");
    std::exit(1);
  }
  std::fprintf(stderr, "%s: %s\n", std::string(backend.error().code).c_str(),
               backend.error().message.c_str());
  std::exit(backend.error().code == code::BackendUnavailable ? 0 : 2);
}

TEST(NvrtcLibraryDeathTest, WithoutNvrtcTheBackendIsUnavailable) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(create_without_nvrtc(), ::testing::ExitedWithCode(0),
              "VY4003: NVRTC, which the cuda backend compiles with, could not be loaded: "
              "/nonexistent/libnvrtc.so.13");
}

}  // namespace
}  // namespace vyre::cuda

#endif
