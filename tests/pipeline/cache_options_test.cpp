#include "vyre/pipeline/cache_options.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "vyre/diag/codes.h"

namespace vyre::pipeline {
namespace {

// Sets environment variables for one test and restores them after.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (auto [name, value] : vars) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value)
        ::setenv(name, value, 1);
      else
        ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    for (auto& [name, value] : saved_) {
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(CacheOptions, SizeSettings) {
  EXPECT_EQ(*parse_size_setting("X", "123"), 123u);
  EXPECT_EQ(*parse_size_setting("X", "4K"), 4096u);
  EXPECT_EQ(*parse_size_setting("X", "512M"), 512ull << 20);
  EXPECT_EQ(*parse_size_setting("X", "2GiB"), 2ull << 30);
  EXPECT_EQ(*parse_size_setting("X", "1gb"), 1ull << 30);
  EXPECT_EQ(*parse_size_setting("X", "10B"), 10u);
  for (const char* bad :
       {"", "abc", "12Q", "-5", "0", "1.5G", "99999999999999999999", "16777216T", "5 M", "5KBB"}) {
    auto r = parse_size_setting("VYRE_CACHE_MAX_BYTES", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, code::BadCacheSetting);
    EXPECT_NE(r.error().message.find("VYRE_CACHE_MAX_BYTES"), std::string::npos);
    EXPECT_FALSE(r.error().help.empty());
  }
}

TEST(CacheOptions, FromEnvironment) {
  ScopedEnv env({{"VYRE_CACHE_DIR", "/somewhere/cache"},
                 {"VYRE_PIPELINE_CACHE_ENTRIES", "77"},
                 {"VYRE_PIPELINE_CACHE_BYTES", "3M"},
                 {"VYRE_CACHE_MAX_BYTES", "1G"},
                 {"VYRE_JIT", "Forbid"}});
  auto options = PipelineCacheOptions::from_environment();
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->root, "/somewhere/cache");
  EXPECT_EQ(options->memory_max_entries, 77u);
  EXPECT_EQ(options->memory_max_bytes, 3u << 20);
  EXPECT_EQ(options->disk_max_bytes, 1u << 30);
  EXPECT_EQ(options->jit, JitPolicy::Forbid);
}

TEST(CacheOptions, BadValuesNameTheVariable) {
  for (const char* var : {"VYRE_PIPELINE_CACHE_ENTRIES", "VYRE_PIPELINE_CACHE_BYTES",
                          "VYRE_CACHE_MAX_BYTES", "VYRE_JIT"}) {
    ScopedEnv env({{var, "lots"}});
    auto options = PipelineCacheOptions::from_environment();
    ASSERT_FALSE(options.ok()) << var;
    EXPECT_EQ(options.error().code, code::BadCacheSetting);
    EXPECT_NE(options.error().message.find(var), std::string::npos) << options.error().message;
  }
}

TEST(CacheOptions, JitPolicyParsing) {
  EXPECT_EQ(*parse_jit_policy("allow"), JitPolicy::Allow);
  EXPECT_EQ(*parse_jit_policy("WARN"), JitPolicy::Warn);
  EXPECT_EQ(*parse_jit_policy("forbid"), JitPolicy::Forbid);
  auto bad = parse_jit_policy("never", "PipelineCacheOptions::jit");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("PipelineCacheOptions::jit"), std::string::npos);
}

TEST(CacheOptions, DefaultRootPrecedence) {
  {
    ScopedEnv env({{"VYRE_CACHE_DIR", "/a"}, {"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}});
    EXPECT_EQ(default_cache_root(), "/a");
  }
  {
    ScopedEnv env({{"VYRE_CACHE_DIR", nullptr}, {"XDG_CACHE_HOME", "/x"}, {"HOME", "/h"}});
    EXPECT_EQ(default_cache_root(), "/x/vyre/pipelines");
  }
  {
    ScopedEnv env({{"VYRE_CACHE_DIR", nullptr}, {"XDG_CACHE_HOME", nullptr}, {"HOME", "/h"}});
    EXPECT_EQ(default_cache_root(), "/h/.cache/vyre/pipelines");
  }
  {
    ScopedEnv env({{"VYRE_CACHE_DIR", nullptr}, {"XDG_CACHE_HOME", nullptr}, {"HOME", nullptr}});
    EXPECT_TRUE(default_cache_root().empty());
  }
}

// The read-only, disabled and pack modes, as the environment sets them.
TEST(CacheOptions, ReadOnlyDisabledAndPacksFromTheEnvironment) {
  {
    ScopedEnv env({{"VYRE_CACHE_READONLY", "1"},
                   {"VYRE_CACHE_DISABLE", "off"},
                   {"VYRE_CACHE_PACKS", "/opt/app/pack:/usr/share/app/pack2"}});
    auto options = PipelineCacheOptions::from_environment();
    ASSERT_TRUE(options.ok()) << options.error().message;
    EXPECT_TRUE(options->read_only);
    EXPECT_FALSE(options->disabled);
    ASSERT_EQ(options->stores.size(), 2u);
    EXPECT_EQ(options->stores[0].name, "pack");
    EXPECT_EQ(options->stores[1].name, "pack.1");
  }
  {
    ScopedEnv env({{"VYRE_CACHE_READONLY", nullptr},
                   {"VYRE_CACHE_DISABLE", "YES"},
                   {"VYRE_CACHE_PACKS", nullptr}});
    auto options = PipelineCacheOptions::from_environment();
    ASSERT_TRUE(options.ok());
    EXPECT_TRUE(options->disabled);
    EXPECT_FALSE(options->read_only);
    EXPECT_TRUE(options->stores.empty());
  }
  for (const char* var : {"VYRE_CACHE_READONLY", "VYRE_CACHE_DISABLE"}) {
    ScopedEnv env({{var, "maybe"}});
    auto options = PipelineCacheOptions::from_environment();
    ASSERT_FALSE(options.ok()) << var;
    EXPECT_EQ(options.error().code, code::BadCacheSetting);
    EXPECT_NE(options.error().message.find(var), std::string::npos);
  }
}

}  // namespace
}  // namespace vyre::pipeline
