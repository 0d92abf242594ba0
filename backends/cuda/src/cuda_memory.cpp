#include "cuda_memory.h"

#include <fmt/format.h>

#include "vyre/backends/cuda/codes.h"

namespace vyre::cuda {

Status check_generation(const DeviceBufferView& view, const CudaDevice::Lease& lease,
                        std::string_view role) {
  if (cuda_block(view.allocation->block()).generation == lease.generation) return Ok{};
  return Diagnostic::error(
      code::CudaStaleBuffer,
      fmt::format("the {} was allocated before the CUDA context was reset; its memory died with "
                  "that context",
                  role),
      "allocate the buffer again (and upload its contents) after a reset or a lost context");
}

Result<MemoryBlock> CudaMemorySource::allocate_block(std::uint64_t bytes) {
  const DriverApi& api = device_->api();
  auto block = std::make_unique<CudaBlock>();
  CUresult result = CUDA_SUCCESS;
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  {
    auto lease = VYRE_TRY(device_->enter());
    block->generation = lease.generation;
    result = api.mem_alloc(&block->pointer, bytes);
    if (result != CUDA_SUCCESS) api.mem_get_info(&free_bytes, &total_bytes);
  }
  if (result == CUDA_ERROR_OUT_OF_MEMORY) {
    return Diagnostic::error(
        code::DeviceOutOfMemory,
        fmt::format("cuMemAlloc of {} bytes on cuda:{} ({}) failed: the device has {} of {} "
                    "bytes free (other processes included)",
                    bytes, device_->info().ordinal, device_->info().name, free_bytes, total_bytes),
        "release buffers you no longer need, or free device memory held by other processes "
        "(nvidia-smi lists them)");
  }
  if (result != CUDA_SUCCESS) {
    return driver_error(
        api, result, "cuMemAlloc",
        fmt::format("allocating {} bytes on cuda:{}", bytes, device_->info().ordinal));
  }
  MemoryBlock out;
  out.handle = reinterpret_cast<std::uint64_t>(block.release());
  out.bytes = bytes;
  return out;
}

void CudaMemorySource::free_block(const MemoryBlock& block) noexcept {
  std::unique_ptr<CudaBlock> owned(reinterpret_cast<CudaBlock*>(block.handle));
  if (owned == nullptr || owned->pointer == 0) return;
  auto lease = device_->enter();
  if (lease.ok() && lease->generation == owned->generation) {
    device_->api().mem_free(owned->pointer);
  }
}

}  // namespace vyre::cuda
