// CudaDeviceTable: a CudaBackend's devices for device memory, by CUDA ordinal, each opened (with
// its allocator, staging ring and default stream) on first use and kept for the backend's life.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "cuda_device_resources.h"

namespace vyre::cuda {

class CudaDeviceTable {
 public:
  std::mutex mutex;
  std::uint32_t count = 0;  // devices the driver sees (0 without a driver)
  std::shared_ptr<PinnedRanges> pinned = std::make_shared<PinnedRanges>();
  std::vector<std::unique_ptr<CudaDeviceResources>> devices;  // by ordinal; null until used
};

}  // namespace vyre::cuda
