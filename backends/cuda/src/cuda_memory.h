// Device memory of one CUDA device as the caching allocator (backend/device_allocator.h) gets
// it: blocks from cuMemAlloc, each tagged with the context generation it was made in. A block's
// handle is its CudaBlock, so a stream reads the device pointer and checks the generation with
// no lookup, and a block that outlived a context reset is refused (CudaStaleBuffer) instead of
// aliasing whatever the new context put at the same address.
#pragma once

#include <cuda.h>

#include <cstdint>
#include <memory>

#include "cuda_device.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/device_buffer.h"

namespace vyre::cuda {

struct CudaBlock {
  CUdeviceptr pointer = 0;
  std::uint64_t generation = 0;  // CudaDevice generation of the context that owns `pointer`
};

inline const CudaBlock& cuda_block(const MemoryBlock& block) {
  return *reinterpret_cast<const CudaBlock*>(block.handle);
}

// The device address of a view (its block's pointer plus the view's offset).
inline CUdeviceptr device_pointer(const DeviceBufferView& view) {
  return cuda_block(view.allocation->block()).pointer + view.offset_bytes;
}

// Ok when the view's memory lives in the lease's context, else CudaStaleBuffer naming `role`.
Status check_generation(const DeviceBufferView& view, const CudaDevice::Lease& lease,
                        std::string_view role);

class CudaMemorySource final : public DeviceMemorySource {
 public:
  explicit CudaMemorySource(std::shared_ptr<CudaDevice> device) : device_(std::move(device)) {}
  // DeviceOutOfMemory (VY4104) when the driver refuses, with the device's free and total bytes.
  Result<MemoryBlock> allocate_block(std::uint64_t bytes) override;
  // Frees the memory when its context is still the current one; a block of a reset context
  // died with it and only its tag is deleted.
  void free_block(const MemoryBlock& block) noexcept override;

 private:
  std::shared_ptr<CudaDevice> device_;
};

}  // namespace vyre::cuda
