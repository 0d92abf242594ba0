#include "vyre/backend/device_allocator.h"

#include <bit>

#include <fmt/format.h>

#include "vyre/diag/codes.h"

namespace vyre {

DeviceAllocation::DeviceAllocation(std::shared_ptr<CachingAllocator> allocator, MemoryBlock block,
                                   std::uint64_t requested_bytes, DeviceKey device)
    : allocator_(std::move(allocator)),
      block_(block),
      requested_bytes_(requested_bytes),
      device_(device) {}

DeviceAllocation::~DeviceAllocation() {
  allocator_->give_back(block_, requested_bytes_);
}

std::shared_ptr<CachingAllocator> CachingAllocator::create(
    std::unique_ptr<DeviceMemorySource> source, DeviceKey device, std::string device_id,
    AllocatorOptions options) {
  return std::shared_ptr<CachingAllocator>(
      new CachingAllocator(std::move(source), device, std::move(device_id), options));
}

CachingAllocator::CachingAllocator(std::unique_ptr<DeviceMemorySource> source, DeviceKey device,
                                   std::string device_id, AllocatorOptions options)
    : source_(std::move(source)),
      device_(device),
      device_id_(std::move(device_id)),
      options_(options) {}

CachingAllocator::~CachingAllocator() {
  trim_locked(0);
}

// Four classes per power of two above 256 bytes: at most 25% slack, and few enough classes
// that a loop allocating similar sizes keeps hitting the cache.
std::uint64_t CachingAllocator::size_class(std::uint64_t bytes) {
  constexpr std::uint64_t kMinimum = 256;
  if (bytes <= kMinimum) return kMinimum;
  const unsigned top = 63 - static_cast<unsigned>(std::countl_zero(bytes - 1));  // 2^top < bytes
  const std::uint64_t step = std::uint64_t{1} << (top - 2);
  return (bytes + step - 1) / step * step;
}

Result<std::shared_ptr<DeviceAllocation>> CachingAllocator::allocate(std::uint64_t bytes,
                                                                     std::string_view what) {
  const std::uint64_t capacity = size_class(bytes);
  std::lock_guard lock(mutex_);
  MemoryBlock block;
  auto hit = cache_.find(capacity);
  if (hit != cache_.end()) {
    block = hit->second;
    cache_.erase(hit);
    stats_.cached_bytes -= block.bytes;
    stats_.cached_blocks -= 1;
    stats_.cache_hits += 1;
  } else {
    const std::uint64_t cap = options_.pool_cap_bytes;
    auto out_of_memory = [&](std::string why) {
      return Diagnostic::error(
          code::OutOfDeviceMemory,
          fmt::format("allocating {} ({} bytes) on {}: {}; in use: {} bytes in {} buffers "
                      "({} bytes requested), cached: {} bytes, pool cap: {}",
                      what, bytes, device_id_, why, stats_.live_bytes, stats_.live_blocks,
                      stats_.requested_bytes, stats_.cached_bytes,
                      cap == 0 ? std::string("none") : fmt::format("{} bytes", cap)),
          "release buffers you no longer need, raise the pool cap "
          "(AllocatorOptions::pool_cap_bytes), or split the work into smaller pieces");
    };
    if (cap != 0) {
      if (stats_.live_bytes + capacity > cap) return out_of_memory("over the pool cap");
      if (stats_.live_bytes + stats_.cached_bytes + capacity > cap) {
        trim_locked(cap - stats_.live_bytes - capacity);
      }
    }
    auto fresh = source_->allocate_block(capacity);
    if (!fresh.ok()) {
      trim_locked(0);  // the cache may hold what the device needs
      fresh = source_->allocate_block(capacity);
    }
    if (!fresh.ok()) {
      Diagnostic failure = out_of_memory("the device refused it");
      failure.note(fresh.error().code + ": " + fresh.error().message);
      return failure;
    }
    block = *fresh;
    stats_.device_allocations += 1;
  }
  stats_.live_bytes += block.bytes;
  stats_.live_blocks += 1;
  stats_.requested_bytes += bytes;
  stats_.allocations += 1;
  stats_.peak_bytes = std::max(stats_.peak_bytes, stats_.live_bytes + stats_.cached_bytes);
  return std::make_shared<DeviceAllocation>(shared_from_this(), block, bytes, device_);
}

void CachingAllocator::give_back(const MemoryBlock& block, std::uint64_t requested_bytes) noexcept {
  std::lock_guard lock(mutex_);
  stats_.live_bytes -= block.bytes;
  stats_.live_blocks -= 1;
  stats_.requested_bytes -= requested_bytes;
  const bool over_cache = stats_.cached_bytes + block.bytes > options_.max_cached_bytes;
  const bool over_cap =
      options_.pool_cap_bytes != 0 &&
      stats_.live_bytes + stats_.cached_bytes + block.bytes > options_.pool_cap_bytes;
  if (over_cache || over_cap) {
    source_->free_block(block);
    return;
  }
  cache_.emplace(block.bytes, block);
  stats_.cached_bytes += block.bytes;
  stats_.cached_blocks += 1;
}

void CachingAllocator::trim_locked(std::uint64_t keep_bytes) {
  // Largest blocks first: the fewest frees to get under `keep_bytes`.
  while (stats_.cached_bytes > keep_bytes && !cache_.empty()) {
    auto largest = std::prev(cache_.end());
    source_->free_block(largest->second);
    stats_.cached_bytes -= largest->second.bytes;
    stats_.cached_blocks -= 1;
    cache_.erase(largest);
  }
}

void CachingAllocator::trim() {
  std::lock_guard lock(mutex_);
  trim_locked(0);
}

AllocatorStats CachingAllocator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

AllocatorOptions CachingAllocator::options() const {
  std::lock_guard lock(mutex_);
  return options_;
}

void CachingAllocator::set_options(AllocatorOptions options) {
  std::lock_guard lock(mutex_);
  options_ = options;
  std::uint64_t keep = options_.max_cached_bytes;
  if (options_.pool_cap_bytes != 0) {
    keep = std::min(keep, options_.pool_cap_bytes > stats_.live_bytes
                              ? options_.pool_cap_bytes - stats_.live_bytes
                              : 0);
  }
  trim_locked(keep);
}

}  // namespace vyre
