// Routing: explicit choice, priority order, allowed and preferred lists, and the reasons given
// for every backend that was not chosen.
#include "vyre/routing/router.h"

#include <gtest/gtest.h>

#include "runtime/run_support.h"
#include "runtime/stub_backend.h"
#include "vyre/backends/reference.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

using testing::failing_provider;
using testing::FakeBackend;
using testing::full_capabilities;
using testing::kSineKernel;
using testing::parse;
using testing::provider_of;

constexpr std::string_view kDouble = R"(
kernel twice workgroup(64) {
  buffer x: read_write f64[n]
  let i = global_id.x
  if i < n {
    x[i] = x[i] * 2.0
  }
})";

const routing::SkippedBackend* skipped(const routing::Route& route, std::string_view id) {
  for (const auto& s : route.skipped) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

struct Fixture {
  BackendRegistry registry;
  std::shared_ptr<FakeBackend> fast;

  explicit Fixture(Capabilities caps = full_capabilities(),
                   std::vector<std::string> ops = {"sin", "sqrt"}) {
    // Only the reference backend of the built-ins, so the test does not depend on which
    // device backends this machine can start.
    BackendProvider reference;
    reference.id = "reference";
    reference.priority = 0;
    reference.origin = "tests/reference";
    reference.factory = []() -> Result<std::shared_ptr<Backend>> {
      return make_reference_backend();
    };
    EXPECT_TRUE(registry.add(std::move(reference)).ok());
    fast = std::make_shared<FakeBackend>("fast", std::move(caps), std::move(ops));
    EXPECT_TRUE(registry.add(provider_of("fast", 50, fast)).ok());
    EXPECT_TRUE(registry.add(failing_provider("broken", 90)).ok());
  }
};

TEST(Routing, PicksTheHighestPriorityBackendThatCanRunIt) {
  Fixture f;
  auto route = routing::choose_backend(f.registry, parse(kSineKernel), {});
  ASSERT_TRUE(route.ok()) << route.error().message;
  EXPECT_EQ(route->backend_id, "fast");
  EXPECT_NE(route->why.find("priority 50"), std::string::npos);
  ASSERT_NE(skipped(*route, "broken"), nullptr);
  EXPECT_NE(skipped(*route, "broken")->reason.find("unavailable"), std::string::npos);
  ASSERT_NE(skipped(*route, "reference"), nullptr);
  EXPECT_NE(skipped(*route, "reference")->reason.find("not tried"), std::string::npos);
  EXPECT_NE(route->describe().find("skipped broken"), std::string::npos);
}

TEST(Routing, SkipsABackendMissingAnOp) {
  Fixture f(full_capabilities(), {"sqrt"});
  auto route = routing::choose_backend(f.registry, parse(kSineKernel), {});
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->backend_id, "reference");
  ASSERT_NE(skipped(*route, "fast"), nullptr);
  EXPECT_NE(skipped(*route, "fast")->reason.find("no lowering for op `sin`"), std::string::npos);
}

TEST(Routing, SkipsABackendWithoutF64) {
  Capabilities caps = full_capabilities();
  caps.f64 = false;
  Fixture f(caps);
  auto route = routing::choose_backend(f.registry, parse(kDouble), {});
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->backend_id, "reference");
  EXPECT_NE(skipped(*route, "fast")->reason.find("f64"), std::string::npos);
  EXPECT_TRUE(route->requirements.f64);
}

TEST(Routing, SkipsABackendWithout64BitAtomics) {
  Capabilities caps = full_capabilities();
  caps.atomics64 = false;
  Fixture f(caps);
  auto program = parse(R"(
kernel count workgroup(64) dispatch(n) {
  buffer total: read_write u64[1]
  atomic_add(total[0], 1u64)
})");
  auto route = routing::choose_backend(f.registry, program, {});
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->backend_id, "reference");
  EXPECT_NE(skipped(*route, "fast")->reason.find("64-bit atomics"), std::string::npos);
}

// A device compiler that gets a barrier inside an `if` wrong (PoCL) never sees such a program;
// one whose barriers are outside any `if` still routes there.
TEST(Routing, SkipsABackendThatMiscompilesBarriersUnderIf) {
  Capabilities caps = full_capabilities();
  caps.barriers_under_if = false;
  Fixture f(caps);
  auto under_if = parse(R"(
kernel k workgroup(64) {
  buffer out: write u32[n]
  if group_size.x != 0u {
    barrier()
    out[global_id.x] = 1u
  }
})");
  auto route = routing::choose_backend(f.registry, under_if, {});
  ASSERT_TRUE(route.ok()) << route.error().message;
  EXPECT_EQ(route->backend_id, "reference");
  ASSERT_NE(skipped(*route, "fast"), nullptr);
  EXPECT_NE(skipped(*route, "fast")->reason.find("barrier inside an `if`"), std::string::npos);

  auto at_top = parse(R"(
kernel k workgroup(64) {
  buffer out: write u32[n]
  barrier()
  if group_size.x != 0u { out[global_id.x] = 1u }
})");
  auto top_route = routing::choose_backend(f.registry, at_top, {});
  ASSERT_TRUE(top_route.ok()) << top_route.error().message;
  EXPECT_EQ(top_route->backend_id, "fast");
}

// A backend whose device was lost for the rest of the process (CUDA after a sticky error) is
// skipped with its diagnostic; chosen explicitly, its diagnostic is the error.
TEST(Routing, SkipsABackendThatLostItsDevice) {
  Fixture f;
  f.fast->lost = Diagnostic::error(code::DeviceLost, "device 0 reported an illegal address",
                                   "restart the process");
  auto route = routing::choose_backend(f.registry, parse(kSineKernel), {});
  ASSERT_TRUE(route.ok()) << route.error().message;
  EXPECT_EQ(route->backend_id, "reference");
  ASSERT_NE(skipped(*route, "fast"), nullptr);
  EXPECT_NE(skipped(*route, "fast")->reason.find("unusable: device 0 reported an illegal address"),
            std::string::npos)
      << skipped(*route, "fast")->reason;

  DispatchConfig config;
  config.allowed_backends = {"fast"};
  auto forced = routing::choose_backend(f.registry, parse(kSineKernel), config);
  ASSERT_FALSE(forced.ok());
  EXPECT_EQ(forced.error().code, code::DeviceLost);
  EXPECT_EQ(forced.error().help, "restart the process");
  EXPECT_EQ(f.fast->compiles.load(), 0);
}

TEST(Routing, ExplicitChoiceNeverFallsBack) {
  Fixture f(full_capabilities(), {});
  DispatchConfig config;
  config.allowed_backends = {"fast"};
  auto route = routing::choose_backend(f.registry, parse(kSineKernel), config);
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, code::BackendLacksFeature);
  EXPECT_NE(route.error().message.find("sin"), std::string::npos);

  config.allowed_backends = {"broken"};
  route = routing::choose_backend(f.registry, parse(kSineKernel), config);
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, code::BackendUnavailable);
  EXPECT_FALSE(route.error().help.empty());
}

TEST(Routing, ExplicitChoiceIsHonoured) {
  Fixture f;
  DispatchConfig config;
  config.allowed_backends = {"reference"};
  auto route = routing::choose_backend(f.registry, parse(kSineKernel), config);
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->backend_id, "reference");
  EXPECT_EQ(route->why, "explicitly requested");
  EXPECT_EQ(skipped(*route, "fast")->reason, "not in allowed_backends");
}

TEST(Routing, UnknownBackendIsAnError) {
  Fixture f;
  DispatchConfig config;
  config.allowed_backends = {"vulkan"};
  auto route = routing::choose_backend(f.registry, parse(kSineKernel), config);
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, code::UnknownBackend);
  EXPECT_NE(route.error().help.find("reference"), std::string::npos);
}

TEST(Routing, PreferredBackendsComeFirst) {
  Fixture f;
  DispatchConfig config;
  config.preferred_backends = {"reference"};
  auto route = routing::choose_backend(f.registry, parse(kSineKernel), config);
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->backend_id, "reference");
  EXPECT_NE(route->why.find("preferred"), std::string::npos);
}

TEST(Routing, NoSuitableBackendListsEveryReason) {
  Fixture f(full_capabilities(), {});
  DispatchConfig config;
  config.allowed_backends = {"fast", "broken"};
  auto route = routing::choose_backend(f.registry, parse(kSineKernel), config);
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, code::NoSuitableBackend);
  ASSERT_GE(route.error().notes.size(), 3u);
  std::string notes;
  for (const auto& n : route.error().notes) notes += n.message + "\n";
  EXPECT_NE(notes.find("broken: unavailable"), std::string::npos);
  EXPECT_NE(notes.find("fast: cannot run"), std::string::npos);
  EXPECT_NE(notes.find("reference: not in allowed_backends"), std::string::npos);
}

TEST(Routing, RequirementsCollectTypesOpsAndSharedBytes) {
  auto needs = routing::requirements_of(testing::example("matmul"));
  EXPECT_EQ(needs.shared_bytes, 2u * 256u * 4u);
  EXPECT_FALSE(needs.f64);
  EXPECT_TRUE(needs.ops.empty());
  auto wave = routing::requirements_of(parse(kSineKernel));
  EXPECT_EQ(wave.ops, std::vector<std::string>{"sin"});
}

}  // namespace
}  // namespace vyre
