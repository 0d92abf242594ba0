// The device-memory contract suite (tests/device_contract) on the CUDA backend: skips with the
// backend's start-up reason where there is no GPU.
#include "device_contract/device_memory_suite.h"

namespace vyre::device_suite {

INSTANTIATE_TEST_SUITE_P(Cuda, DeviceMemorySuite, ::testing::Values("cuda:0"));

}  // namespace vyre::device_suite
