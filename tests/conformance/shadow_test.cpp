// Shadow checking (DispatchConfig::shadow_fraction): sampled dispatches are re-run on the
// reference backend and compared; a wrong backend is caught with ShadowMismatch, and a
// fraction of 0 never touches the reference backend.
#include <gtest/gtest.h>

#include "fakes/delegating_backend.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"
#include "vyre/runtime/runtime.h"

namespace vyre::conformance {
namespace {

constexpr std::string_view kSubtract = R"(kernel subtract workgroup(64) {
  buffer a: read u32[n]
  buffer b: read u32[n]
  buffer out: write u32[n]
  let i = global_id.x
  out[i] = a[i] - b[i]
})";

RunInputs subtract_inputs() {
  std::vector<std::uint32_t> a(100), b(100);
  for (std::uint32_t i = 0; i < 100; ++i) {
    a[i] = 1000 + i;
    b[i] = 2 * i;  // b[0] == 0: a - b == a + b there
  }
  RunInputs in;
  in.buffers["a"] = HostBuffer::of(ir::Type::U32, a);
  in.buffers["b"] = HostBuffer::of(ir::Type::U32, b);
  return in;
}

class Shadow : public ::testing::Test {
 protected:
  void SetUp() override {
    reference = std::make_shared<DelegatingBackend>("reference", make_reference_backend({1}));
    wrong = std::make_shared<MiscomputingBackend>("wrong", ir::BinaryOp::Sub, ir::BinaryOp::Add);
    ASSERT_TRUE(registry.add(provider_of(reference, 0)).ok());
    ASSERT_TRUE(registry.add(provider_of(wrong, 10)).ok());
    auto p = ir::parse_program(kSubtract);
    ASSERT_TRUE(p.ok()) << render_human(p.error());
    program = *p;
    config.allowed_backends = {"wrong"};
  }
  BackendRegistry registry;
  std::shared_ptr<DelegatingBackend> reference;
  std::shared_ptr<MiscomputingBackend> wrong;
  std::optional<ir::Program> program;
  DispatchConfig config;
};

TEST_F(Shadow, CatchesAWrongBackendWithTheFirstDifferingElement) {
  Runtime runtime(registry);
  config.shadow_fraction = 1.0;
  auto result = runtime.run(*program, subtract_inputs(), config);
  ASSERT_FALSE(result.ok());
  const Diagnostic& d = result.error();
  EXPECT_EQ(d.code, code::ShadowMismatch);
  EXPECT_FALSE(d.help.empty());
  // b[0] == 0, so element 0 agrees; element 1 is 1001 - 2 = 999 vs 1001 + 2 = 1003.
  EXPECT_NE(d.message.find("`out`[1]"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("1003 on wrong"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("999 on reference"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find(to_hex(program->digest())), std::string::npos) << d.message;
  EXPECT_EQ(reference->dispatches.load(), 1);
  EXPECT_EQ(wrong->dispatches.load(), 1);
}

TEST_F(Shadow, ZeroFractionNeverRunsTheReference) {
  Runtime runtime(registry);
  config.shadow_fraction = 0.0;
  for (int k = 0; k < 20; ++k) {
    auto result = runtime.run(*program, subtract_inputs(), config);
    ASSERT_TRUE(result.ok()) << render_human(result.error());
    EXPECT_FALSE(result->report.shadow_checked);
    EXPECT_EQ(result->outputs.at("out").to_vector<std::uint32_t>()[1], 1003u);  // wrong, unnoticed
  }
  EXPECT_EQ(reference->dispatches.load(), 0);
  EXPECT_EQ(wrong->dispatches.load(), 20);
}

TEST_F(Shadow, SamplesExactlyTheFractionDeterministically) {
  Runtime runtime(registry);
  config.shadow_fraction = 0.25;
  int failures = 0;
  std::vector<int> checked;
  for (int k = 0; k < 16; ++k) {
    auto result = runtime.run(*program, subtract_inputs(), config);
    if (!result.ok()) {
      EXPECT_EQ(result.error().code, code::ShadowMismatch);
      ++failures;
      checked.push_back(k);
    }
  }
  EXPECT_EQ(failures, 4);
  EXPECT_EQ(checked, (std::vector<int>{3, 7, 11, 15}));  // floor((k+1)/4) > floor(k/4)
  EXPECT_EQ(reference->dispatches.load(), 4);
}

TEST_F(Shadow, AgreeingBackendPassesAndReportsTheCheck) {
  auto honest = std::make_shared<DelegatingBackend>("honest", make_reference_backend({1}));
  ASSERT_TRUE(registry.add(provider_of(honest, 5)).ok());
  Runtime runtime(registry);
  config.allowed_backends = {"honest"};
  config.shadow_fraction = 1.0;
  auto result = runtime.run(*program, subtract_inputs(), config);
  ASSERT_TRUE(result.ok()) << render_human(result.error());
  EXPECT_TRUE(result->report.shadow_checked);
  EXPECT_EQ(result->outputs.at("out").to_vector<std::uint32_t>()[1], 999u);
  EXPECT_EQ(reference->dispatches.load(), 1);
}

TEST(ShadowPolicy, ShadowFractionIsNotAPolicyField) {
  DispatchConfig a, b;
  b.shadow_fraction = 0.5;
  EXPECT_EQ(a.policy_fields(), b.policy_fields());
  for (const auto& [name, value] : b.policy_fields()) EXPECT_NE(name, "shadow_fraction");
}

}  // namespace
}  // namespace vyre::conformance
