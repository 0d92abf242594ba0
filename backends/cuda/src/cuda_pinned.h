// Pinned host memory: page-aligned host memory registered with the driver (cuMemHostRegister,
// portable to every context), so copies to and from it go straight to the copy engines. vyre
// owns the memory and only registers it: a context reset drops the registration, never the
// bytes, so a PinnedMemory stays readable (and transfers from it stay correct, only slower).
// PinnedRanges remembers what is registered, so a transfer can tell pinned spans from pageable.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <span>

#include "cuda_device.h"
#include "vyre/backend/pinned_memory.h"

namespace vyre::cuda {

class PinnedRanges {
 public:
  void add(const void* start, std::size_t bytes);
  void remove(const void* start);
  // Whether [start, start + bytes) lies inside one registered range.
  bool contains(const void* start, std::size_t bytes) const;

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::uintptr_t, std::uintptr_t> ranges_;  // start -> end
};

// Host memory registered on `device` (or plain, pinned() false, when registration failed).
class CudaPinnedMemory final : public PinnedMemory {
 public:
  // CudaPinnedUnavailable (VY7101) when the host has no memory for it. `held`: a lease the
  // caller already holds (registration then uses it instead of taking one).
  static Result<std::unique_ptr<CudaPinnedMemory>> create(std::shared_ptr<CudaDevice> device,
                                                          std::shared_ptr<PinnedRanges> ranges,
                                                          std::uint64_t bytes,
                                                          const CudaDevice::Lease* held = nullptr);
  ~CudaPinnedMemory() override;

  std::span<std::uint8_t> bytes() override { return {data_, size_}; }
  bool pinned() const override;
  // Registers again after a context reset dropped the registration (no-op when current).
  void refresh(const CudaDevice::Lease& lease);

 private:
  CudaPinnedMemory(std::shared_ptr<CudaDevice> device, std::shared_ptr<PinnedRanges> ranges,
                   std::uint8_t* data, std::size_t size, std::size_t capacity)
      : device_(std::move(device)),
        ranges_(std::move(ranges)),
        data_(data),
        size_(size),
        capacity_(capacity) {}
  void register_in(const CudaDevice::Lease& lease);

  std::shared_ptr<CudaDevice> device_;
  std::shared_ptr<PinnedRanges> ranges_;
  std::uint8_t* data_;
  std::size_t size_;
  std::size_t capacity_;          // size_ rounded up to whole pages
  std::uint64_t generation_ = 0;  // context that registered it, 0 = not registered
};

}  // namespace vyre::cuda
