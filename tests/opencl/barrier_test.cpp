// Barriers inside `if` statements (under uniform conditions, as validation requires) on OpenCL.
// PoCL miscompiles them: stores after such an `if` escape their bounds checks and corrupt the
// host heap (found by `vyre fuzz --seed 1171`). On PoCL the backend refuses these programs with
// a diagnostic and routing takes them elsewhere; on any other OpenCL platform they must match
// the reference backend. Each program has lanes past its buffer's length.
#include <gtest/gtest.h>

#include <string>

#include "opencl_fixture.h"
#include "vyre/diag/codes.h"

namespace vyre::testing {
namespace {

struct Shape {
  const char* name;
  const char* branch;  // statements between the store before and the store after
};

const Shape kShapes[] = {
    {"barrier_in_else", "if group_size.x == 0u { out[i] = 2u64 } else { barrier() }"},
    {"barrier_in_then_with_store", "if group_size.x != 0u { barrier()\n out[i] = out[i] + 3u64 }"},
    {"store_then_barrier_against_store",
     "if group_size.x != 0u { out[i] = 3u64\n barrier() } else { out[i] = 2u64 }"},
    {"else_if_chain",
     "if group_size.x == 0u { out[i] = 5u64 } else if group_size.x == 1u { out[i] = 6u64 }"
     " else { barrier()\n out[i] = out[i] + 7u64 }"},
    {"loop_with_barrier_in_branch",
     "if group_size.x != 0u { for k in 0u..3u { barrier()\n out[i] = out[i] + 1u64 } }"
     " else { out[i] = 4u64 }"},
};

std::string kernel_text(const Shape& shape) {
  return std::string(
             "kernel k workgroup(32) {\n  buffer out: read_write u64[n]\n"
             "  let i = global_id.x\n  out[i] = u64(i)\n  ") +
         shape.branch + "\n  out[i] = out[i] + 9u64\n}\n";
}

class OpenClBarriersUnderIf : public ::testing::TestWithParam<Shape> {};

TEST_P(OpenClBarriersUnderIf, RunCorrectlyOrAreRefused) {
  VYRE_REQUIRE_OPENCL();
  ir::Program program = parse(kernel_text(GetParam()));
  // 40 elements, 64 lanes: the last 24 stores of every statement must be dropped.
  Bindings ocl = make_bindings(program, {{"n", 40}}, 7);
  Bindings ref = ocl;
  Status r = run(*reference_backend(), program, ref);
  ASSERT_TRUE(r.ok()) << render(r.error());
  Status s = run(*opencl_backend(), program, ocl);
  if (opencl_backend()->capabilities().barriers_under_if) {
    ASSERT_TRUE(s.ok()) << render(s.error());
    EXPECT_EQ(compare_buffers(ref.buffers[0], ocl.buffers[0]), "");
    return;
  }
  ASSERT_FALSE(s.ok()) << "this platform miscompiles the program; it must not run";
  EXPECT_EQ(s.error().code, code::BackendLacksFeature);
  EXPECT_NE(s.error().message.find("barrier inside an `if`"), std::string::npos)
      << s.error().message;
  EXPECT_FALSE(s.error().help.empty());
  // A batch refuses that program alone.
  ir::Program plain = parse(
      "kernel plain workgroup(32) {\n  buffer out: write u64[n]\n"
      "  out[global_id.x] = 1u64\n}\n");
  std::vector<const ir::Program*> batch = {&plain, &program, &plain};
  auto built = opencl_backend()->compile_many(batch, {});
  ASSERT_EQ(built.size(), 3u);
  EXPECT_TRUE(built[0].ok() && built[2].ok());
  ASSERT_FALSE(built[1].ok());
  EXPECT_EQ(built[1].error().code, code::BackendLacksFeature);
}

INSTANTIATE_TEST_SUITE_P(Shapes, OpenClBarriersUnderIf, ::testing::ValuesIn(kShapes),
                         [](const ::testing::TestParamInfo<Shape>& param) {
                           return std::string(param.param.name);
                         });

TEST(OpenClBarriers, BarriersOutsideAnyIfRunEverywhere) {
  VYRE_REQUIRE_OPENCL();
  ir::Program program = parse(R"(kernel k workgroup(32) {
    buffer out: read_write u64[n]
    shared s: u64[32]
    let i = global_id.x
    s[local_id.x] = u64(i)
    barrier()
    for k in 0u..3u {
      barrier()
      if local_id.x < 16u { s[local_id.x] = s[local_id.x] + s[local_id.x + 16u] }
    }
    barrier()
    out[i] = s[local_id.x ^ 1u] + 9u64
  })");
  Bindings ocl = make_bindings(program, {{"n", 40}}, 3);
  Bindings ref = ocl;
  Status s = run(*opencl_backend(), program, ocl);
  ASSERT_TRUE(s.ok()) << render(s.error());
  Status r = run(*reference_backend(), program, ref);
  ASSERT_TRUE(r.ok()) << render(r.error());
  EXPECT_EQ(compare_buffers(ref.buffers[0], ocl.buffers[0]), "");
}

}  // namespace
}  // namespace vyre::testing
