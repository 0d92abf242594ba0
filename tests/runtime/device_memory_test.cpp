// Device memory through the runtime: a backend without device memory says so; prepared
// kernels need their size symbols; device names resolve through the registry.
#include <gtest/gtest.h>

#include "run_support.h"
#include "stub_backend.h"
#include "vyre/backend/device.h"
#include "vyre/backend/device_buffer.h"
#include "vyre/backend/stream.h"

namespace vyre::testing {
namespace {

TEST(DeviceMemory, BackendWithoutDeviceMemorySaysSo) {
  auto stub = std::make_shared<FakeBackend>("stub", Capabilities{}, std::vector<std::string>{});
  auto device = Device::open(stub);
  ASSERT_TRUE(device.ok());
  EXPECT_EQ(device->id(), "stub:0");
  EXPECT_EQ(device->name(), fake_fingerprint().device);
  auto buffer = device->allocate(ir::Type::F32, 16);
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.error().code, code::DeviceMemoryUnsupported);
  auto stream = device->create_stream();
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.error().code, code::DeviceMemoryUnsupported);
  auto missing = Device::open(stub, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, code::UnknownDevice);
}

// Another library's memory (a DLPack producer's) used in place: reads and writes land in it,
// and its owner gets it back exactly once, when vyre's last use ends.
TEST(DeviceMemory, AdoptedMemoryIsUsedInPlaceAndReleasedOnce) {
  auto device = runtime().device("reference");
  ASSERT_TRUE(device.ok()) << device.error().message;
  std::vector<float> theirs = {1, 2, 3, 4};
  int released = 0;
  {
    auto adopted = device->adopt(theirs.data(), ir::Type::F32, theirs.size(), [&] { ++released; });
    ASSERT_TRUE(adopted.ok()) << adopted.error().message;
    auto seen = adopted->download();
    ASSERT_TRUE(seen.ok());
    EXPECT_EQ(seen->to_vector<float>(), theirs);
    ASSERT_TRUE(adopted->fill(Scalar::f32(7.0f)).ok());
    auto stream = device->default_stream();
    ASSERT_TRUE(stream.ok());
    ASSERT_TRUE(stream->synchronize().ok());
    EXPECT_EQ(theirs, (std::vector<float>{7, 7, 7, 7})) << "the fill went to a copy";
    // What another library would use for it: the same address.
    EXPECT_EQ(device->backend().block_address(adopted->allocation()->block()),
              reinterpret_cast<std::uintptr_t>(theirs.data()));
    DeviceBuffer second_use = *adopted;
    EXPECT_EQ(released, 0);
  }
  EXPECT_EQ(released, 1);

  auto stub = std::make_shared<FakeBackend>("stub", Capabilities{}, std::vector<std::string>{});
  auto none = Device::open(stub);
  ASSERT_TRUE(none.ok());
  auto refused = none->adopt(theirs.data(), ir::Type::F32, theirs.size(), [] {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, code::DeviceMemoryUnsupported);
  EXPECT_FALSE(refused.error().help.empty());
}

TEST(DeviceMemory, DeviceSpecsParse) {
  auto spec = parse_device_spec("cuda:1");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->backend, "cuda");
  EXPECT_EQ(spec->index, 1u);
  EXPECT_EQ(spec->to_string(), "cuda:1");
  auto plain = parse_device_spec("opencl");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->index, 0u);
  for (const char* bad : {"", ":1", "cuda:", "cuda:-1", "cuda:1x"}) {
    auto parsed = parse_device_spec(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, code::UnknownDevice);
  }
  auto unregistered = runtime().device("no-such-backend:0");
  ASSERT_FALSE(unregistered.ok());
  EXPECT_EQ(unregistered.error().code, code::UnknownDevice);
}

TEST(DeviceMemory, PreparedKernelsNeedTheirSizeSymbols) {
  auto program = parse(R"(kernel outer workgroup(8) {
    buffer a: read f32[m*k]
    buffer out: write f32[m]
    let i = global_id.x
    if i < m { out[i] = a[i * k] }
  })");
  auto device = runtime().device("reference");
  ASSERT_TRUE(device.ok());
  auto unresolved = runtime().prepare(program, *device);
  ASSERT_FALSE(unresolved.ok());
  EXPECT_EQ(unresolved.error().code, code::UnresolvedSize);
  DispatchConfig config;
  config.sizes = {{"k", 3}};
  auto k = runtime().prepare(program, *device, config);
  ASSERT_TRUE(k.ok()) << render_human(k.error());
  EXPECT_EQ(k->report().device, "reference:0");
  std::vector<float> a{1, 2, 3, 4, 5, 6};
  auto in = device->upload(HostBuffer::of(ir::Type::F32, a));
  auto out = device->allocate_zeroed(ir::Type::F32, 2);
  ASSERT_TRUE(in.ok() && out.ok());
  auto stream = device->default_stream();
  ASSERT_TRUE(stream.ok());
  auto launched = k->launch({*in, *out}, *stream);
  ASSERT_TRUE(launched.ok()) << render_human(launched.error());
  auto host = out->download();
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->to_vector<float>(), (std::vector<float>{1, 4}));
}

}  // namespace
}  // namespace vyre::testing
