#include "cuda_pinned.h"

#include <fmt/format.h>

#include <cstdlib>
#include <mutex>

#include "vyre/backends/cuda/codes.h"

namespace vyre::cuda {

constexpr std::size_t kPage = 4096;

void PinnedRanges::add(const void* start, std::size_t bytes) {
  std::unique_lock lock(mutex_);
  const auto begin = reinterpret_cast<std::uintptr_t>(start);
  ranges_[begin] = begin + bytes;
}

void PinnedRanges::remove(const void* start) {
  std::unique_lock lock(mutex_);
  ranges_.erase(reinterpret_cast<std::uintptr_t>(start));
}

bool PinnedRanges::contains(const void* start, std::size_t bytes) const {
  const auto begin = reinterpret_cast<std::uintptr_t>(start);
  std::shared_lock lock(mutex_);
  auto after = ranges_.upper_bound(begin);
  if (after == ranges_.begin()) return false;
  const auto& [first, end] = *std::prev(after);
  return first <= begin && begin + bytes <= end;
}

Result<std::unique_ptr<CudaPinnedMemory>> CudaPinnedMemory::create(
    std::shared_ptr<CudaDevice> device, std::shared_ptr<PinnedRanges> ranges, std::uint64_t bytes,
    const CudaDevice::Lease* held) {
  const std::uint64_t capacity =
      std::max<std::uint64_t>(kPage, (bytes + kPage - 1) / kPage * kPage);
  void* data = capacity >= bytes ? std::aligned_alloc(kPage, capacity) : nullptr;
  if (data == nullptr) {
    return Diagnostic::error(
        code::CudaPinnedUnavailable,
        fmt::format("could not allocate {} bytes of host memory to pin", bytes),
        "use smaller transfers, or free host memory");
  }
  std::unique_ptr<CudaPinnedMemory> memory(new CudaPinnedMemory(
      std::move(device), std::move(ranges), static_cast<std::uint8_t*>(data), bytes, capacity));
  if (held != nullptr) {
    memory->register_in(*held);
  } else if (auto lease = memory->device_->enter(); lease.ok()) {
    memory->register_in(*lease);
  }
  return memory;
}

void CudaPinnedMemory::register_in(const CudaDevice::Lease& lease) {
  if (device_->api().mem_host_register(data_, capacity_, CU_MEMHOSTREGISTER_PORTABLE) ==
      CUDA_SUCCESS) {
    generation_ = lease.generation;
    ranges_->add(data_, capacity_);
  }
}

void CudaPinnedMemory::refresh(const CudaDevice::Lease& lease) {
  if (generation_ == lease.generation) return;
  if (generation_ != 0) ranges_->remove(data_);
  generation_ = 0;
  register_in(lease);
}

bool CudaPinnedMemory::pinned() const {
  return generation_ != 0 && generation_ == device_->generation();
}

CudaPinnedMemory::~CudaPinnedMemory() {
  if (generation_ != 0) {
    ranges_->remove(data_);
    auto lease = device_->enter();
    if (lease.ok() && lease->generation == generation_) {
      device_->api().mem_host_unregister(data_);
    }
  }
  std::free(data_);
}

}  // namespace vyre::cuda
