// The reference backend through the Backend contract: identity, serialize/load, bindings checks.
#include <gtest/gtest.h>

#include "runtime/run_support.h"
#include "vyre/backends/reference.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

using testing::example;

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
}

TEST(ReferenceBackend, SerializeLoadRoundTripAndRejection) {
  register_reference_lowerings();
  auto backend = make_reference_backend();
  auto program = example("saxpy");
  DispatchConfig config;
  auto pipeline = backend->compile(program, config);
  ASSERT_TRUE(pipeline.ok());
  auto bytes = backend->serialize(**pipeline);
  ASSERT_TRUE(bytes.ok());
  auto loaded = backend->load(program, config, *bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ((*loaded)->workgroup(), (*pipeline)->workgroup());

  auto other = backend->load(example("vector_add"), config, *bytes);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, code::BadPipelineBytes);

  DispatchConfig overridden;
  overridden.workgroup_override = std::array<std::uint32_t, 3>{64, 1, 1};
  EXPECT_FALSE(backend->load(program, overridden, *bytes).ok());

  std::vector<std::uint8_t> garbage = {1, 2, 3};
  EXPECT_FALSE(backend->load(program, config, garbage).ok());
  auto truncated = *bytes;
  truncated.pop_back();
  EXPECT_FALSE(backend->load(program, config, truncated).ok());
  auto flipped = *bytes;
  flipped[0] ^= 1;
  EXPECT_FALSE(backend->load(program, config, flipped).ok());
}

TEST(ReferenceBackend, DispatchRejectsMismatchedBindings) {
  auto backend = make_reference_backend();
  auto program = example("saxpy");
  auto pipeline = backend->compile(program, {});
  ASSERT_TRUE(pipeline.ok());
  Bindings bindings;
  bindings.buffers.emplace_back(ir::Type::F32, 4);
  LaunchGeometry geometry;
  geometry.workgroup = {256, 1, 1};
  Status s = backend->dispatch(**pipeline, bindings, geometry, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code::BadBindings);

  bindings.buffers.emplace_back(ir::Type::I32, 4);  // y should be f32
  bindings.params.push_back(Scalar::f32(1));
  bindings.sizes.push_back(4);
  s = backend->dispatch(**pipeline, bindings, geometry, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, code::BadBindings);
}

TEST(ReferenceBackend, DirectDispatchUpdatesWritableBindings) {
  auto backend = make_reference_backend(ReferenceOptions{1});
  auto program = example("saxpy");
  auto pipeline = backend->compile(program, {});
  ASSERT_TRUE(pipeline.ok());
  Bindings bindings;
  bindings.buffers.push_back(HostBuffer::of(ir::Type::F32, std::vector<float>{1, 2, 3}));
  bindings.buffers.push_back(HostBuffer::of(ir::Type::F32, std::vector<float>{10, 20, 30}));
  bindings.params.push_back(Scalar::f32(2));
  bindings.sizes.push_back(3);
  LaunchGeometry geometry;
  geometry.workgroup = {256, 1, 1};
  ASSERT_TRUE(backend->dispatch(**pipeline, bindings, geometry, {}).ok());
  EXPECT_EQ(bindings.buffers[1].to_vector<float>(), (std::vector<float>{12, 24, 36}));
  EXPECT_EQ(bindings.buffers[0].to_vector<float>(), (std::vector<float>{1, 2, 3}));
}

}  // namespace
}  // namespace vyre
