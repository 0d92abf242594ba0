// Staged transfers between pageable host memory and the device, through a ring of pinned chunks
// per device: the host copies chunk k into pinned memory (HostCopy, several cores) while the
// copy engine moves chunk k-1, so a large pageable transfer runs near the speed of a pinned one.
// Uploads return once the last chunk is queued (the caller's bytes are no longer needed);
// downloads return when the bytes are in place (the contract lets a backend finish early).
#pragma once

#include <cuda.h>

#include <array>
#include <memory>
#include <mutex>
#include <span>

#include "cuda_device.h"
#include "cuda_pinned.h"

namespace vyre::cuda {

class StagingRing {
 public:
  // Transfers at most this large go straight to the driver, which stages small ones itself.
  static constexpr std::size_t kDirectBytes = std::size_t{256} << 10;
  static constexpr std::size_t kChunkBytes = std::size_t{8} << 20;
  static constexpr std::size_t kSlots = 3;

  StagingRing(std::shared_ptr<CudaDevice> device, std::shared_ptr<PinnedRanges> ranges)
      : device_(std::move(device)), ranges_(std::move(ranges)) {}
  ~StagingRing();

  // Both under `lease`, on `stream` of its context. Driver errors go through `check` (which
  // notes a poisoning one for the caller to recover from once the lease is released);
  // CudaPinnedUnavailable when the host has no memory for the ring.
  Status upload(CUstream stream, CUdeviceptr dst, std::span<const std::uint8_t> src,
                const CudaDevice::Lease& lease, CallCheck& check);
  Status download(CUstream stream, std::span<std::uint8_t> dst, CUdeviceptr src,
                  const CudaDevice::Lease& lease, CallCheck& check);

 private:
  struct Slot {
    std::unique_ptr<CudaPinnedMemory> memory;
    CUevent done = nullptr;  // recorded after the chunk's copy; the slot is free once complete
    bool pending = false;
  };
  Status prepare(const CudaDevice::Lease& lease, CallCheck& check);  // with mutex_ held
  Status wait_slot(Slot& slot, CallCheck& check);

  std::shared_ptr<CudaDevice> device_;
  std::shared_ptr<PinnedRanges> ranges_;
  std::mutex mutex_;  // one staged transfer at a time per device
  std::array<Slot, kSlots> slots_;
  std::uint64_t generation_ = 0;  // context of the slots' events
};

}  // namespace vyre::cuda
