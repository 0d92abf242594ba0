// Runs every conformance case on every registered backend and compares with the reference
// backend. One test per (case, backend), named "<case>/<backend>", so a failure names both.
// A backend that cannot start here is skipped with its reason, except the required ones
// (VYRE_CONFORMANCE_REQUIRE, default "reference,opencl" when opencl is built in), which fail.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <mutex>
#include <sstream>

#include "conformance.h"
#include "vyre/backends/builtin.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"
#include "vyre/progen/compare.h"
#include "vyre/runtime/runtime.h"

namespace vyre::conformance {
namespace {

// Fresh PoCL and pipeline caches per test process, so every run compiles what it tests.
const bool kFreshCaches = [] {
  for (const char* var : {"POCL_CACHE_DIR", "VYRE_CACHE_DIR"}) {
    if (std::getenv(var) != nullptr) continue;
    std::string dir = "/tmp/vyre-conformance-XXXXXX";
    if (mkdtemp(dir.data()) != nullptr) setenv(var, dir.c_str(), 1);
  }
  return true;
}();

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (auto part : {integer_cases, float_cases, memory_cases, control_cases}) {
    for (Case& c : part()) cases.push_back(std::move(c));
  }
  return cases;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = all_cases();
  return all;
}

std::vector<std::string> backend_ids() {
  (void)register_builtin_backends(BackendRegistry::global());
  std::vector<std::string> ids;
  for (const BackendStatus& status : BackendRegistry::global().registered())
    ids.push_back(status.id);
  return ids;
}

bool required(const std::string& id) {
  std::string list;
  if (const char* env = std::getenv("VYRE_CONFORMANCE_REQUIRE")) {
    list = env;
  } else {
    list = "reference";
    if (BackendRegistry::global().has("opencl")) list += ",opencl";
  }
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (item == id) return true;
  }
  return false;
}

std::string render(const Diagnostic& d) {
  return render_human(d);
}

Result<RunResult> run_on(const std::string& id, const Case& c) {
  auto program = VYRE_TRY(ir::parse_program(c.source));
  DispatchConfig config;
  config.allowed_backends = {id};
  config.sizes = c.sizes;
  config.label = c.name;
  static Runtime runtime;
  return runtime.run(program, c.inputs(), config);
}

// The reference outputs of each case, computed once.
const Result<RunResult>& reference_result(const Case& c) {
  static std::mutex mutex;
  static std::map<std::string, Result<RunResult>> results;
  std::lock_guard lock(mutex);
  auto it = results.find(c.name);
  if (it == results.end()) it = results.emplace(c.name, run_on("reference", c)).first;
  return it->second;
}

using Param = std::tuple<std::size_t, std::string>;  // case index, backend id

class Conformance : public ::testing::TestWithParam<Param> {};

TEST_P(Conformance, MatchesReference) {
  const Case& c = cases()[std::get<0>(GetParam())];
  const std::string& id = std::get<1>(GetParam());

  const auto& expected = reference_result(c);
  ASSERT_TRUE(expected.ok()) << "reference failed on " << c.name << ":\n"
                             << render(expected.error());

  auto actual = run_on(id, c);
  if (!actual.ok()) {
    const Diagnostic& d = actual.error();
    // A backend whose device or driver is missing here (cuda without libcuda), or that this
    // build left out (no CUDA toolkit), cannot be tested: both are BackendUnavailable.
    bool cannot_start = d.code == code::BackendUnavailable;
    if (cannot_start && !required(id)) {
      GTEST_SKIP() << id << " is unavailable here: " << d.message;
    }
    if (d.code == code::BackendLacksFeature) {
      GTEST_SKIP() << id << " lacks a feature " << c.name << " uses: " << d.message;
    }
    FAIL() << id << " failed on " << c.name << ":\n" << render(d);
  }
  EXPECT_EQ(actual->report.backend, id);
  auto mismatch = progen::compare_outputs(expected->outputs, actual->outputs, c.ulp);
  EXPECT_FALSE(mismatch.has_value())
      << id << " disagrees with reference on " << c.name << ": " << mismatch->describe();
  if (c.expect) c.expect(actual->outputs);
}

std::vector<Param> params() {
  std::vector<Param> out;
  for (const std::string& id : backend_ids()) {
    for (std::size_t i = 0; i < cases().size(); ++i) out.emplace_back(i, id);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Programs, Conformance, ::testing::ValuesIn(params()),
                         [](const ::testing::TestParamInfo<Param>& p) {
                           return cases()[std::get<0>(p.param)].name + "__" + std::get<1>(p.param);
                         });

// A while loop at its cap is reported the same way on every backend (docs/IR.md section 8):
// VY2103 at the loop's line:column, never a partial result.
class LoopCapEverywhere : public ::testing::TestWithParam<std::string> {};

TEST_P(LoopCapEverywhere, IsReportedNotCutShort) {
  const std::string& id = GetParam();
  auto program = ir::parse_program(R"(kernel gridsum workgroup(4) dispatch(4) {
  buffer x: read u32[n]
  buffer out: write u32[4]
  var i = global_id.x
  var sum = 0u
  while i < len(x) max 256 {
    sum += x[i]
    i += 4u
  }
  out[global_id.x] = sum
})");
  ASSERT_TRUE(program.ok()) << render(program.error());
  DispatchConfig config;
  config.allowed_backends = {id};
  static Runtime runtime;
  for (std::uint32_t n : {1024u, 2000u}) {  // exactly 256 iterations; then 500
    RunInputs in;
    in.buffers["x"] = HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>(n, 1));
    auto result = runtime.run(*program, std::move(in), config);
    if (!result.ok()) {
      const Diagnostic& d = result.error();
      const bool cannot_start = d.code == code::BackendUnavailable;
      if (cannot_start && !required(id)) GTEST_SKIP() << id << " is unavailable: " << d.message;
      if (n == 1024u) FAIL() << render(d);
      EXPECT_EQ(d.code, code::LoopCapReached) << render(d);
      EXPECT_EQ(d.location.line, 6u);
      continue;
    }
    ASSERT_EQ(n, 1024u) << id << " returned a partial sum for a loop past its cap";
    EXPECT_EQ(result->outputs.at("out").to_vector<std::uint32_t>(),
              std::vector<std::uint32_t>(4, 256));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LoopCapEverywhere, ::testing::ValuesIn(backend_ids()));

TEST(ConformanceSuite, HasAtLeastFortyPrograms) {
  EXPECT_GE(cases().size(), 40u);
  for (const Case& c : cases()) {
    auto p = ir::parse_program(c.source);
    EXPECT_TRUE(p.ok()) << c.name << ":\n" << (p.ok() ? "" : render(p.error()));
  }
}

}  // namespace
}  // namespace vyre::conformance
