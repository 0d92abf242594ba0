// A while loop that reaches its cap is an error of the dispatch (VY2103), not a result silently
// cut short (docs/IR.md section 8); a loop that ends on its condition, even on the last allowed
// iteration, is not. The status buffer behind it never shows among the outputs.
#include <gtest/gtest.h>

#include <numeric>

#include "runtime/run_support.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/loop_status.h"

namespace vyre {
namespace {

using testing::output;
using testing::parse;
using testing::run_ok;
using testing::runtime;

// A grid-stride sum: 4 invocations, each summing every 4th element, at most 256 iterations.
constexpr const char* kGridSum = R"(kernel gridsum workgroup(4) dispatch(4) {
  buffer x: read u32[n]
  buffer out: write u32[4]
  var i = global_id.x
  var sum = 0u
  while i < len(x) max 256 {
    sum += x[i]
    i += 4u
  }
  out[global_id.x] = sum
})";

RunInputs ones(std::size_t n) {
  RunInputs in;
  in.buffers["x"] = HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>(n, 1));
  return in;
}

TEST(LoopCap, LoopEndingOnItsConditionRunsUpToTheCap) {
  const ir::Program program = parse(kGridSum);
  for (std::size_t n : {1000u, 1024u}) {  // 250 and exactly 256 iterations
    auto r = run_ok(program, ones(n));
    EXPECT_EQ(output<std::uint32_t>(r, "out"), std::vector<std::uint32_t>(4, n / 4));
    EXPECT_EQ(r.outputs.count(std::string(ir::kLoopStatusBuffer)), 0u);
    EXPECT_EQ(r.outputs.size(), 1u);
  }
}

TEST(LoopCap, ReachingTheCapIsReportedWithTheLoopsPosition) {
  const ir::Program program = parse(kGridSum);
  auto r = runtime().run(program, ones(2000), testing::on_reference());
  ASSERT_FALSE(r.ok()) << "a partial sum was returned as if complete";
  EXPECT_EQ(r.error().code, code::LoopCapReached);
  EXPECT_EQ(r.error().location.line, 6u);
  EXPECT_EQ(r.error().location.column, 3u);
  EXPECT_NE(r.error().message.find("at 6:3"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("256"), std::string::npos) << r.error().message;
}

TEST(LoopCap, TheHighestNumberedLoopAtItsCapIsNamed) {
  const ir::Program program = parse(R"(kernel two workgroup(2) {
  buffer out: write u32[2]
  var a = 0u
  while a < 10u max 3 { a += 1u }
  var b = 0u
  while b < 10u max 20 { b += 1u }
  var c = 0u
  while c < 10u max 5 { c += 1u }
  out[global_id.x] = a + b + c
})");
  auto r = runtime().run(program, {}, testing::on_reference());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::LoopCapReached);
  EXPECT_EQ(r.error().location.line, 8u);  // loops 1 and 3 hit their caps; 3 is named
}

}  // namespace
}  // namespace vyre
