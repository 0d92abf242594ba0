// The device-memory contract suite on OpenCL (PoCL in CI), and what only OpenCL has: views
// bound through sub-buffers must start at the device's base address alignment.
#include "device_contract/device_memory_suite.h"

namespace vyre::device_suite {

INSTANTIATE_TEST_SUITE_P(OpenCl, DeviceMemorySuite, ::testing::Values("opencl:0"));

class OpenClDeviceMemory : public DeviceMemorySuite {};

TEST_P(OpenClDeviceMemory, UnalignedViewsAreNotBindable) {
  auto k = VYRE_SUITE_OK(prepare(kAddConstant));
  DeviceBuffer v = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::I32, 4096));
  DeviceBuffer unaligned = VYRE_SUITE_OK(v.view(1, 64));
  auto launched = k.launch({unaligned, Scalar::i32(1)}, stream_);
  ASSERT_FALSE(launched.ok());
  EXPECT_EQ(launched.error().code, code::ViewNotBindable);
  // A view at an aligned start binds, and the kernel sees only its range.
  DeviceBuffer aligned = VYRE_SUITE_OK(v.view(1024, 64));
  VYRE_SUITE_OK(k.launch({aligned, Scalar::i32(5)}, stream_));
  VYRE_SUITE_OK(stream_.synchronize());
  auto all = read<std::int32_t>(v);
  for (std::size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i], (i >= 1024 && i < 1088) ? 5 : 0) << i;
  }
}

TEST_P(OpenClDeviceMemory, PinnedMemoryIsMappedHostMemory) {
  auto pinned = VYRE_SUITE_OK(device_.backend().allocate_pinned(4096));
  EXPECT_TRUE(pinned->pinned());
  ASSERT_EQ(pinned->bytes().size(), 4096u);
  for (std::size_t i = 0; i < 4096; ++i) pinned->bytes()[i] = static_cast<std::uint8_t>(i);
  DeviceBuffer buffer = VYRE_SUITE_OK(device_.allocate(ir::Type::U32, 1024));
  VYRE_SUITE_OK(buffer.upload(pinned->bytes()));
  auto back = read<std::uint32_t>(buffer);
  EXPECT_EQ(back[1], 0x07060504u);
}

INSTANTIATE_TEST_SUITE_P(OpenCl, OpenClDeviceMemory, ::testing::Values("opencl:0"));

}  // namespace vyre::device_suite
