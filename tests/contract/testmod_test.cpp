// The test-only module backends/testmod proves that a backend is one folder plus one line in
// backends/CMakeLists.txt: nothing shared names it, yet it registers through the generated
// module list, its variable and code reach the catalogue, its lowering table decides what it
// runs, and it passes the contract suite (backend_contract_test.cpp, "testmod").
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "contract_support.h"
#include "vyre/backends/builtin.h"
#include "vyre/pipeline/pipeline_cache.h"
#include "vyre/registry/backend_registry.h"
#include "vyre/runtime/runtime.h"

namespace vyre::contract {
namespace {

const BackendModule* testmod_module() {
  for (const BuiltModule& built : builtin_modules()) {
    if (built.module->name == "testmod") return built.module;
  }
  return nullptr;
}

TEST(TestModule, RegistersThroughTheGeneratedModuleList) {
  ASSERT_NE(testmod_module(), nullptr);
  BackendRegistry registry;
  ASSERT_TRUE(register_builtin_backends(registry).ok());
  ASSERT_TRUE(registry.has("testmod"));
  const auto listed = registry.registered();
  auto it = std::find_if(listed.begin(), listed.end(),
                         [](const BackendStatus& s) { return s.id == "testmod"; });
  ASSERT_NE(it, listed.end());
  EXPECT_EQ(it->priority, -10);  // from backends/CMakeLists.txt's one table
  EXPECT_EQ(it->origin, "backends/testmod");
  // Lowest priority: it never wins automatic routing over the reference backend.
  EXPECT_EQ(listed.back().id, "testmod");
}

TEST(TestModule, ContributesItsVariableAndCodeToTheCatalogue) {
  const ModuleCatalogue& catalogue = builtin_catalogue();
  const CodeInfo* info = catalogue.find_code("vy4190");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->name, "TestmodBadLatency");
  EXPECT_EQ(catalogue.module_of("VY4190"), "testmod");
  EXPECT_EQ(catalogue.module_of("VY2005"), "");
  auto vars = catalogue.environment();
  auto var = std::find_if(vars.begin(), vars.end(), [](const CatalogueEnvVar& v) {
    return v.name == "VYRE_TESTMOD_LATENCY_MS";
  });
  ASSERT_NE(var, vars.end());
  EXPECT_EQ(var->module, "testmod");
  EXPECT_FALSE(var->changes_generated_code);
}

// The backend answers supported_ops() from its own lowering table, and routing holds it to it.
TEST(TestModule, RunsOnlyWhatItsLoweringTableHas) {
  std::string why;
  auto backend = backend_or_reason("testmod", why);
  ASSERT_TRUE(backend) << why;
  const auto ops = backend->supported_ops();
  EXPECT_NE(std::find(ops.begin(), ops.end(), "fma"), ops.end());
  EXPECT_EQ(std::find(ops.begin(), ops.end(), "exp"), ops.end());

  BackendRegistry registry;
  ASSERT_TRUE(register_builtin_backends(registry).ok());
  auto cache = pipeline::PipelineCache::open(pipeline::PipelineCacheOptions{});  // memory only
  ASSERT_TRUE(cache.ok());
  Runtime runtime(registry, *cache);
  DispatchConfig config;
  config.allowed_backends = {"testmod"};
  auto wave = parse(R"(kernel wave workgroup(64) {
    buffer out: write f32[n]
    let i = global_id.x
    if i < n { out[i] = exp(f32(i)) }
  })");
  config.sizes = {{"n", 16}};
  auto refused = runtime.run(wave, {}, config);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("testmod"), std::string::npos) << refused.error().message;

  auto root = parse(R"(kernel root workgroup(64) {
    buffer out: write f32[n]
    let i = global_id.x
    if i < n { out[i] = fma(f32(i), 2.0, 1.0) }
  })");
  auto ran = runtime.run(root, {}, config);
  ASSERT_TRUE(ran.ok()) << render(ran.error());
  EXPECT_EQ(ran->report.backend, "testmod");
  auto out = ran->outputs.at("out").to_vector<float>();
  ASSERT_EQ(out.size(), 16u);
  EXPECT_EQ(out[5], 11.0f);
}

// VYRE_TESTMOD_LATENCY_MS: a bad value is the module's own code; a good one delays completion.
TEST(TestModule, ReadsItsEnvironmentVariable) {
  const BackendModule* module = testmod_module();
  ASSERT_NE(module, nullptr);
  ::setenv("VYRE_TESTMOD_LATENCY_MS", "soon", 1);
  auto bad = module->provider(0)->factory();
  ::unsetenv("VYRE_TESTMOD_LATENCY_MS");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "VY4190");
  EXPECT_NE(bad.error().message.find("soon"), std::string::npos);

  ::setenv("VYRE_TESTMOD_LATENCY_MS", "300", 1);
  auto slow = module->provider(0)->factory();
  ::unsetenv("VYRE_TESTMOD_LATENCY_MS");
  ASSERT_TRUE(slow.ok()) << render(slow.error());
  auto program = parse(kAxpy);
  auto pipeline = (*slow)->compile(program, {});
  ASSERT_TRUE(pipeline.ok());
  Bindings b = axpy_bindings(64);
  const auto want = axpy_expected(b);
  auto pending = (*slow)->dispatch_async(**pipeline, b, axpy_geometry(**pipeline, 64), {});
  ASSERT_TRUE(pending.ok());
  Status early = (*pending)->wait(std::chrono::milliseconds(1));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, "VY4017");
  EXPECT_FALSE((*pending)->ready());
  ASSERT_TRUE((*pending)->wait(std::chrono::nanoseconds(0)).ok());
  EXPECT_EQ(b.buffers[1].to_vector<std::uint32_t>(), want);
}

}  // namespace
}  // namespace vyre::contract
