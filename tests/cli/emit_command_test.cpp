// `vyre emit`: the backends offered are the built modules that generate source.
#include <gtest/gtest.h>

#include "cli/vyre_binary.h"

namespace vyre::testing {
namespace {

class EmitCommand : public CliTest {};

TEST_F(EmitCommand, PrintsEachSourceModulesKernel) {
  auto r = run_vyre("emit --backend opencl " + example_path("saxpy"));
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("__kernel"), std::string::npos) << r.out;
  r = run_vyre("emit --backend cuda " + example_path("saxpy"));
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("extern \"C\" __global__"), std::string::npos) << r.out;
}

TEST_F(EmitCommand, RefusesABackendWithoutGeneratedSource) {
  auto r = run_vyre("emit --backend reference " + example_path("saxpy"), true);
  EXPECT_NE(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("reference not in {opencl,cuda}"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vyre::testing
