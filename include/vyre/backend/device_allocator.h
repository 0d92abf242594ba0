// Device memory as backends hand it out: raw blocks from a DeviceMemorySource (clCreateBuffer,
// cuMemAlloc, host memory), kept in a size-class cache by the device's CachingAllocator so that
// steady-state allocation touches no driver. DeviceAllocation is one live block; DeviceBuffer
// (device_buffer.h) is the typed handle users hold.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/diag/result.h"

namespace vyre {

class Backend;

// A backend's raw memory: an opaque handle (cl_mem, CUdeviceptr; for host memory its address)
// and its capacity in bytes. `host` is the block's address when the host can read it directly
// (reference backend, mapped memory), else null.
struct MemoryBlock {
  std::uint64_t handle = 0;
  std::uint64_t bytes = 0;
  void* host = nullptr;
};

// What a backend implements per device: allocate and free raw blocks. allocate_block fails with
// OutOfDeviceMemory (VY4201) when the device has no room; the allocator then frees its cache and
// retries once before reporting.
class DeviceMemorySource {
 public:
  virtual ~DeviceMemorySource() = default;
  virtual Result<MemoryBlock> allocate_block(std::uint64_t bytes) = 0;
  virtual void free_block(const MemoryBlock& block) noexcept = 0;
};

struct AllocatorOptions {
  // Most bytes live plus cached at once (0 = as much as the device gives). Exceeding it is
  // OutOfDeviceMemory, exactly as the device running out would be; tests set a small cap.
  std::uint64_t pool_cap_bytes = 0;
  // Most bytes kept in the cache for reuse; beyond it released blocks go back to the device.
  std::uint64_t max_cached_bytes = std::uint64_t{1} << 30;
};

struct AllocatorStats {
  std::uint64_t live_bytes = 0;  // capacity of blocks held by live allocations
  std::uint64_t live_blocks = 0;
  std::uint64_t requested_bytes = 0;  // what the live allocations asked for
  std::uint64_t cached_bytes = 0;     // free blocks kept for reuse
  std::uint64_t cached_blocks = 0;
  std::uint64_t peak_bytes = 0;          // most live_bytes + cached_bytes so far
  std::uint64_t allocations = 0;         // allocate() calls that succeeded
  std::uint64_t cache_hits = 0;          // of those, served from the cache
  std::uint64_t device_allocations = 0;  // blocks obtained from the DeviceMemorySource
};

class CachingAllocator;

// Identifies the device an allocation, stream or event belongs to. Two objects mix only when
// their DeviceKeys are equal (same backend object, same device index).
struct DeviceKey {
  const Backend* backend = nullptr;
  std::uint32_t index = 0;
  friend bool operator==(const DeviceKey&, const DeviceKey&) = default;
};

// One live block. The block goes back to its allocator's cache when the last reference drops;
// streams hold a reference to every allocation their queued commands use, so a block is never
// reused while queued work can still touch it. release() ends the owner's use early: every
// handle and view of it is then refused with BufferReleased (VY4202).
class DeviceAllocation : public std::enable_shared_from_this<DeviceAllocation> {
 public:
  DeviceAllocation(std::shared_ptr<CachingAllocator> allocator, MemoryBlock block,
                   std::uint64_t requested_bytes, DeviceKey device);
  ~DeviceAllocation();
  DeviceAllocation(const DeviceAllocation&) = delete;
  DeviceAllocation& operator=(const DeviceAllocation&) = delete;

  const MemoryBlock& block() const { return block_; }
  std::uint64_t requested_bytes() const { return requested_bytes_; }
  const DeviceKey& device() const { return device_; }
  bool released() const { return released_.load(std::memory_order_acquire); }
  void mark_released() { released_.store(true, std::memory_order_release); }

 private:
  std::shared_ptr<CachingAllocator> allocator_;
  MemoryBlock block_;
  std::uint64_t requested_bytes_;
  DeviceKey device_;
  std::atomic<bool> released_{false};
};

// The per-device allocator: rounds requests up to a size class and reuses freed blocks of that
// class. Thread-safe.
class CachingAllocator : public std::enable_shared_from_this<CachingAllocator> {
 public:
  static std::shared_ptr<CachingAllocator> create(std::unique_ptr<DeviceMemorySource> source,
                                                  DeviceKey device, std::string device_id,
                                                  AllocatorOptions options = {});
  ~CachingAllocator();

  // `what` names the request in diagnostics ("buffer `grid` of 16777216 f32").
  Result<std::shared_ptr<DeviceAllocation>> allocate(std::uint64_t bytes, std::string_view what);
  AllocatorStats stats() const;
  AllocatorOptions options() const;
  // Takes effect for later allocations; a smaller cap also frees cached blocks above it.
  void set_options(AllocatorOptions options);
  // Frees every cached block back to the device.
  void trim();
  const std::string& device_id() const { return device_id_; }
  const DeviceKey& device() const { return device_; }

  // The capacity a request of `bytes` is rounded up to.
  static std::uint64_t size_class(std::uint64_t bytes);

 private:
  friend class DeviceAllocation;
  CachingAllocator(std::unique_ptr<DeviceMemorySource> source, DeviceKey device,
                   std::string device_id, AllocatorOptions options);
  void give_back(const MemoryBlock& block, std::uint64_t requested_bytes) noexcept;
  void trim_locked(std::uint64_t keep_bytes);

  std::unique_ptr<DeviceMemorySource> source_;
  DeviceKey device_;
  std::string device_id_;
  mutable std::mutex mutex_;
  AllocatorOptions options_;
  AllocatorStats stats_;
  std::multimap<std::uint64_t, MemoryBlock> cache_;  // by capacity
};

}  // namespace vyre
