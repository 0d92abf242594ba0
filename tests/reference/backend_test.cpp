// The reference backend's own identity and capabilities (the contract itself is tested for every
// backend in tests/contract).
#include <gtest/gtest.h>

#include <algorithm>

#include "vyre/backends/reference.h"

namespace vyre {
namespace {

TEST(ReferenceBackend, IdentityAndCapabilities) {
  auto backend = make_reference_backend();
  EXPECT_EQ(backend->id(), "reference");
  EXPECT_TRUE(backend->capabilities().f64);
  EXPECT_TRUE(backend->capabilities().atomics64);
  for (int t = 0; t < ir::kTypeCount; ++t) {
    EXPECT_TRUE(backend->capabilities().supports(static_cast<ir::Type>(t)));
  }
  EXPECT_EQ(backend->fingerprint().vendor, "vyre");
  EXPECT_FALSE(backend->fingerprint().compiler.empty());
  // Its lowering table is the interpreter's math ops: every registered built-in op.
  const auto ops = backend->supported_ops();
  EXPECT_NE(std::find(ops.begin(), ops.end(), "fma"), ops.end());
}

}  // namespace
}  // namespace vyre
