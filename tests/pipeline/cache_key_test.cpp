#include "vyre/pipeline/cache_key.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "pipeline/fake_backend.h"
#include "vyre/backend/environment.h"
#include "vyre/pipeline/entry_format.h"

namespace vyre::pipeline {
namespace {

using testing::FakeBackend;
using testing::make_program;

KeyFactors base_factors() {
  FakeBackend backend;
  return make_key_factors(backend, make_program(1), DispatchConfig{}, {{"VYRE_CUDA_ARCH", ""}});
}

TEST(CacheKey, IsDeterministic) {
  EXPECT_EQ(base_factors().key(), base_factors().key());
  EXPECT_EQ(base_factors(), base_factors());
}

// The key is one domain-separated BLAKE3 over the format version and the stored factor bytes
// (cache_key.h), so the hit path can derive it from the bytes it compares.
TEST(CacheKey, IsTheDomainHashOfVersionAndFactorBytes) {
  const KeyFactors f = base_factors();
  const std::vector<std::uint8_t> bytes = encode_key_factors(f);
  Hasher hasher("vyre pipeline cache: entry key v2");
  hasher.field(std::uint64_t{kCacheFormatVersion});
  hasher.update(bytes);
  EXPECT_EQ(f.key(), hasher.finish());
  EXPECT_EQ(key_of_factor_bytes(bytes), f.key());
  EXPECT_NE(key_of_factor_bytes(bytes, kCacheFormatVersion + 1), f.key());
}

// Every identity part, changed alone, changes the key; the named factor is the only difference.
TEST(CacheKey, ChangesWhenAnyIdentityPartChanges) {
  struct Change {
    const char* factor;
    std::function<void(KeyFactors&)> apply;
  };
  const std::vector<Change> changes = {
      {"program", [](KeyFactors& f) { f.program = make_program(2).digest(); }},
      {"ulp_budget",
       [](KeyFactors& f) { f.policy = DispatchConfig{.ulp_budget = 1}.policy_fields(); }},
      {"workgroup_override",
       [](KeyFactors& f) {
         DispatchConfig c;
         c.workgroup_override = std::array<std::uint32_t, 3>{128, 1, 1};
         f.policy = c.policy_fields();
       }},
      {"backend", [](KeyFactors& f) { f.backend = "other"; }},
      {"vendor", [](KeyFactors& f) { f.fingerprint.vendor = "NVIDIA Corporation"; }},
      {"device", [](KeyFactors& f) { f.fingerprint.device = "fake-device sm_1a"; }},
      {"driver", [](KeyFactors& f) { f.fingerprint.driver = "driver 1.1"; }},
      {"compiler", [](KeyFactors& f) { f.fingerprint.compiler = "fakecc 1.1"; }},
      {"VYRE_CUDA_ARCH",
       [](KeyFactors& f) {
         f.environment = {{"VYRE_CUDA_ARCH", "sm_90"}};
       }},
      {"cache_format", [](KeyFactors& f) { f.format_version = kCacheFormatVersion + 1; }},
  };
  const KeyFactors base = base_factors();
  std::set<Digest> keys{base.key()};
  for (const Change& change : changes) {
    KeyFactors changed = base;
    change.apply(changed);
    EXPECT_NE(changed.key(), base.key()) << change.factor;
    keys.insert(changed.key());
    auto diff = diff_factors(base, changed);
    ASSERT_EQ(diff.size(), 1u) << change.factor;
    EXPECT_EQ(diff[0].name, change.factor);
  }
  EXPECT_EQ(keys.size(), changes.size() + 1) << "two different changes gave the same key";
}

// Only fields that change generated code enter the key.
TEST(CacheKey, UnchangedByNonPolicyConfigAndLocalNames) {
  FakeBackend backend;
  const Digest base = base_factors().key();
  DispatchConfig config;
  config.grid_override = std::array<std::uint64_t, 3>{7, 1, 1};
  config.max_output_bytes = 1 << 20;
  config.timeout = std::chrono::milliseconds(1234);
  config.label = "a label";
  config.allowed_backends = {"fake", "cuda"};
  config.preferred_backends = {"cuda"};
  config.sizes = {{"n", 1000}};
  EXPECT_EQ(make_key_factors(backend, make_program(1), config, {{"VYRE_CUDA_ARCH", ""}}).key(),
            base);
  // Alpha-renaming the program keeps its digest, so its key.
  EXPECT_EQ(make_key_factors(backend, make_program(1, 1, 64, "renamed"), DispatchConfig{},
                             {{"VYRE_CUDA_ARCH", ""}})
                .key(),
            base);
}

TEST(CacheKey, GroupDigestsSeparateTheGroups) {
  KeyFactors a = base_factors();
  KeyFactors b = a;
  b.policy = DispatchConfig{.ulp_budget = 0}.policy_fields();
  EXPECT_NE(a.policy_digest(), b.policy_digest());
  EXPECT_EQ(a.device_digest(), b.device_digest());
  KeyFactors c = a;
  c.fingerprint.driver = "driver 2";
  EXPECT_EQ(a.policy_digest(), c.policy_digest());
  EXPECT_NE(a.device_digest(), c.device_digest());
}

TEST(CacheKey, FieldBoundariesArePreserved) {
  KeyFactors a = base_factors();
  KeyFactors b = a;
  a.fingerprint.vendor = "ab";
  a.fingerprint.device = "c";
  b.fingerprint.vendor = "a";
  b.fingerprint.device = "bc";
  EXPECT_NE(a.key(), b.key());
}

TEST(CacheKey, DifferenceDescribesOldAndNewValue) {
  FactorDifference d{"compiler", "nvrtc 13.0", "nvrtc 13.1", FactorGroup::Device};
  EXPECT_EQ(d.describe(), "compiler nvrtc 13.0 \u2192 nvrtc 13.1");
  FactorDifference e{"VYRE_CUDA_ARCH", "", "sm_90", FactorGroup::Device};
  EXPECT_EQ(e.describe(), "VYRE_CUDA_ARCH (unset) \u2192 sm_90");
}

// The environment factor holds exactly the core variables the table marks as changing generated
// code (backend variables enter through the fingerprint), and it separates keys.
TEST(CacheKey, GeneratedCodeEnvironmentIsPartOfTheIdentity) {
  std::size_t marked = 0;
  for (const vyre::EnvVarInfo& info : vyre::environment_variables()) {
    marked += info.changes_generated_code ? 1 : 0;
  }
  EXPECT_EQ(generated_code_environment().size(), marked);
  KeyFactors a = base_factors();
  KeyFactors b = a;
  a.environment = {{"VYRE_EXAMPLE", ""}};
  b.environment = {{"VYRE_EXAMPLE", "1"}};
  EXPECT_NE(a.key(), b.key());
}

TEST(StructuredKey, EveryFieldMatters) {
  StructuredKey base;
  base.backend = "wgpu";
  std::vector<std::function<void(StructuredKey&)>> changes = {
      [](StructuredKey& k) { k.version += 1; },
      [](StructuredKey& k) { k.shader_hash[0] ^= 1; },
      [](StructuredKey& k) { k.binding_layout_hash[31] ^= 1; },
      [](StructuredKey& k) { k.param_block_bytes = 16; },
      [](StructuredKey& k) {
        k.workgroup = {128, 1, 1};
      },
      [](StructuredKey& k) { k.features = {FeatureFlags::kSubgroupOps}; },
      [](StructuredKey& k) { k.backend = "cuda"; },
  };
  for (auto& change : changes) {
    StructuredKey k = base;
    change(k);
    EXPECT_NE(k.digest(), base.digest());
  }
  EXPECT_EQ(base.version, kCacheFormatVersion);
  FeatureFlags f = FeatureFlags{FeatureFlags::kSubgroupOps}.with({FeatureFlags::kF16});
  EXPECT_TRUE(f.contains({FeatureFlags::kF16}));
  EXPECT_FALSE(f.contains({FeatureFlags::kTensorCores}));
}

}  // namespace
}  // namespace vyre::pipeline
