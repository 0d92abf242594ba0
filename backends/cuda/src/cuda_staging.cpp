#include "cuda_staging.h"

#include <algorithm>

#include "host_copy.h"

namespace vyre::cuda {

StagingRing::~StagingRing() {
  auto lease = device_->enter();
  const bool alive = lease.ok() && lease->generation == generation_;
  for (Slot& slot : slots_) {
    if (slot.done == nullptr || !alive) continue;
    if (slot.pending) device_->api().event_synchronize(slot.done);
    device_->api().event_destroy(slot.done);
  }
}

Status StagingRing::prepare(const CudaDevice::Lease& lease, CallCheck& check) {
  const DriverApi& api = device_->api();
  for (Slot& slot : slots_) {
    if (slot.memory == nullptr) {
      slot.memory = VYRE_TRY(CudaPinnedMemory::create(device_, ranges_, kChunkBytes, &lease));
    }
    slot.memory->refresh(lease);
    if (generation_ != lease.generation) {
      slot.done = nullptr;  // an older context's events died with it
      slot.pending = false;
      VYRE_TRY(check(api.event_create(&slot.done, CU_EVENT_DISABLE_TIMING), "cuEventCreate",
                     "creating a staging event"));
    }
  }
  generation_ = lease.generation;
  return Ok{};
}

Status StagingRing::wait_slot(Slot& slot, CallCheck& check) {
  if (!slot.pending) return Ok{};
  slot.pending = false;
  return check(device_->api().event_synchronize(slot.done), "cuEventSynchronize",
               "waiting for a staged chunk");
}

Status StagingRing::upload(CUstream stream, CUdeviceptr dst, std::span<const std::uint8_t> src,
                           const CudaDevice::Lease& lease, CallCheck& check) {
  const DriverApi& api = device_->api();
  std::lock_guard lock(mutex_);
  VYRE_TRY(prepare(lease, check));
  std::size_t k = 0;
  for (std::size_t offset = 0; offset < src.size(); offset += kChunkBytes, ++k) {
    Slot& slot = slots_[k % kSlots];
    const std::size_t bytes = std::min(kChunkBytes, src.size() - offset);
    VYRE_TRY(wait_slot(slot, check));
    HostCopy::shared().copy(slot.memory->bytes().data(), src.data() + offset, bytes);
    VYRE_TRY(check(api.memcpy_htod_async(dst + offset, slot.memory->bytes().data(), bytes, stream),
                   "cuMemcpyHtoDAsync", "uploading a staged chunk"));
    VYRE_TRY(check(api.event_record(slot.done, stream), "cuEventRecord", "a staged upload"));
    slot.pending = true;
  }
  return Ok{};
}

Status StagingRing::download(CUstream stream, std::span<std::uint8_t> dst, CUdeviceptr src,
                             const CudaDevice::Lease& lease, CallCheck& check) {
  const DriverApi& api = device_->api();
  std::lock_guard lock(mutex_);
  VYRE_TRY(prepare(lease, check));
  const std::size_t chunks = (dst.size() + kChunkBytes - 1) / kChunkBytes;
  auto enqueue = [&](std::size_t k) -> Status {
    Slot& slot = slots_[k % kSlots];
    VYRE_TRY(wait_slot(slot, check));
    const std::size_t offset = k * kChunkBytes;
    const std::size_t bytes = std::min(kChunkBytes, dst.size() - offset);
    VYRE_TRY(check(api.memcpy_dtoh_async(slot.memory->bytes().data(), src + offset, bytes, stream),
                   "cuMemcpyDtoHAsync", "downloading a staged chunk"));
    VYRE_TRY(check(api.event_record(slot.done, stream), "cuEventRecord", "a staged download"));
    slot.pending = true;
    return Ok{};
  };
  for (std::size_t k = 0; k < std::min(chunks, kSlots); ++k) VYRE_TRY(enqueue(k));
  for (std::size_t k = 0; k < chunks; ++k) {
    Slot& slot = slots_[k % kSlots];
    VYRE_TRY(wait_slot(slot, check));
    const std::size_t offset = k * kChunkBytes;
    const std::size_t bytes = std::min(kChunkBytes, dst.size() - offset);
    HostCopy::shared().copy(dst.data() + offset, slot.memory->bytes().data(), bytes);
    if (k + kSlots < chunks) VYRE_TRY(enqueue(k + kSlots));
  }
  return Ok{};
}

}  // namespace vyre::cuda
