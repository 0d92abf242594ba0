// The device-memory contract suite on the reference backend (host memory, one worker thread
// per stream).
#include "device_contract/device_memory_suite.h"

namespace vyre::device_suite {

INSTANTIATE_TEST_SUITE_P(Reference, DeviceMemorySuite, ::testing::Values("reference:0"));

}  // namespace vyre::device_suite
