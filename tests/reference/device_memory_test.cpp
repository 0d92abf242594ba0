// The device-memory contract suite on the reference backend (host memory, one worker thread
// per stream).
#include "device_contract/device_memory_suite.h"

namespace vyre::device_suite {

INSTANTIATE_TEST_SUITE_P(Reference, DeviceMemorySuite, ::testing::Values("reference:0"));

// The contract's defaults for native streams, which the reference backend keeps: ordering one
// after a stream waits on the host for the stream's work; waiting for one is refused (there is
// no memory of another library's device to adopt).
TEST(ReferenceNativeStreams, OrderingWaitsOnTheHostAndWaitingIsRefused) {
  Device device = VYRE_SUITE_OK(suite_runtime().device("reference:0"));
  auto k = VYRE_SUITE_OK(suite_runtime().prepare(parse_kernel(kSlow), device));
  Stream stream = VYRE_SUITE_OK(device.create_stream());
  DeviceBuffer v = VYRE_SUITE_OK(device.allocate_zeroed(ir::Type::U32, 2));
  VYRE_SUITE_OK(k.launch({v}, stream));
  VYRE_SUITE_OK(stream.order_native_stream(0x1234));
  EXPECT_TRUE(stream.idle());
  auto refused = stream.wait_for_native_stream(0x1234);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, code::DeviceMemoryUnsupported);
  EXPECT_FALSE(refused.error().help.empty());
}

}  // namespace vyre::device_suite
