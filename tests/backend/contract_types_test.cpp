// The value types of the backend contract: launch geometry, policy fields, capabilities,
// fingerprints and scalars.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>

#include "vyre/backend/backend.h"
#include "vyre/ir/text.h"

namespace vyre {
namespace {

TEST(LaunchGeometry, InvocationsIsTheProduct) {
  LaunchGeometry g;
  g.workgroup = {16, 16, 1};
  g.groups = {10, 3, 2};
  EXPECT_EQ(g.invocations(), 16u * 16u * 10u * 3u * 2u);
  g.groups = {0, 1, 1};
  EXPECT_EQ(g.invocations(), 0u);
}

TEST(DispatchConfig, PolicyFieldsHaveAFixedOrderAndStableSpelling) {
  DispatchConfig config;
  auto fields = config.policy_fields();
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0], (std::pair<std::string, std::string>{"workgroup_override", "none"}));
  EXPECT_EQ(fields[1], (std::pair<std::string, std::string>{"ulp_budget", "4"}));
  config.workgroup_override = std::array<std::uint32_t, 3>{16, 16, 1};
  config.ulp_budget = 0;
  config.timeout = std::chrono::milliseconds(5);  // not policy
  config.label = "x";
  fields = config.policy_fields();
  EXPECT_EQ(fields[0].second, "16x16x1");
  EXPECT_EQ(fields[1].second, "0");
}

TEST(Capabilities, SupportsListedTypesAndF64OnlyWithTheFlag) {
  Capabilities caps;
  caps.element_types = {ir::Type::F32, ir::Type::U32, ir::Type::F64};
  EXPECT_TRUE(caps.supports(ir::Type::F32));
  EXPECT_FALSE(caps.supports(ir::Type::I64));
  EXPECT_FALSE(caps.supports(ir::Type::F64));  // listed, but f64 is false
  caps.f64 = true;
  EXPECT_TRUE(caps.supports(ir::Type::F64));
  EXPECT_FALSE(caps.supports(ir::Type::Unknown));
  Capabilities any;  // empty list: every type (f64 still needs the flag)
  EXPECT_TRUE(any.supports(ir::Type::Bool));
  EXPECT_FALSE(any.supports(ir::Type::F64));
}

TEST(DeviceFingerprint, DescribeMentionsEveryPart) {
  DeviceFingerprint f{"NVIDIA Corporation", "NVIDIA H100 sm_90", "580.1", "nvrtc 13.0"};
  std::string text = f.describe();
  for (const char* part : {"NVIDIA Corporation", "sm_90", "580.1", "nvrtc 13.0"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part;
  }
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(f,
            (DeviceFingerprint{"NVIDIA Corporation", "NVIDIA H100 sm_90", "580.1", "nvrtc 13.0"}));
}

TEST(Scalar, FactoriesStoreZeroExtendedBitPatterns) {
  EXPECT_EQ(Scalar::f32(1.0f).bits, 0x3f800000u);
  EXPECT_EQ(Scalar::f32(1.0f).type, ir::Type::F32);
  EXPECT_EQ(Scalar::f64(-2.0).bits, std::bit_cast<std::uint64_t>(-2.0));
  EXPECT_EQ(Scalar::i32(-1).bits, 0xFFFFFFFFu);
  EXPECT_EQ(Scalar::i64(-1).bits, ~std::uint64_t{0});
  EXPECT_EQ(Scalar::u32(7).bits, 7u);
  EXPECT_EQ(Scalar::u64(1ull << 40).bits, 1ull << 40);
  EXPECT_EQ(Scalar::boolean(true).bits, 1u);
  EXPECT_EQ(Scalar::boolean(true).type, ir::Type::Bool);
}

TEST(Scalar, ToStringRoundTripsFloats) {
  EXPECT_EQ(Scalar::i32(-5).to_string(), "-5");
  EXPECT_EQ(Scalar::u64(18446744073709551615ull).to_string(), "18446744073709551615");
  EXPECT_EQ(Scalar::boolean(false).to_string(), "false");
  EXPECT_EQ(Scalar::f32(2.5f).to_string(), "2.5");
  EXPECT_EQ(std::stof(Scalar::f32(0.1f).to_string()), 0.1f);
  EXPECT_EQ(std::stod(Scalar::f64(0.1).to_string()), 0.1);
}

TEST(EffectiveWorkgroup, OverrideWins) {
  auto program = ir::parse_program(R"(
kernel k workgroup(64, 2) {
  buffer out: write u32[n]
  out[global_id.x] = 1u
})");
  ASSERT_TRUE(program.ok());
  DispatchConfig config;
  EXPECT_EQ(effective_workgroup(*program, config), (std::array<std::uint32_t, 3>{64, 2, 1}));
  config.workgroup_override = std::array<std::uint32_t, 3>{8, 8, 8};
  EXPECT_EQ(effective_workgroup(*program, config), (std::array<std::uint32_t, 3>{8, 8, 8}));
}

}  // namespace
}  // namespace vyre
