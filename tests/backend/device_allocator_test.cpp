// CachingAllocator against a counting fake device: size classes, reuse, the pool cap, the
// cache bound, trimming, and running out (with the cache freed and retried first).
#include <gtest/gtest.h>

#include <set>

#include "vyre/backend/device_allocator.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

struct FakeDevice {
  std::uint64_t capacity = UINT64_MAX;
  std::uint64_t used = 0;
  int allocations = 0;
  int frees = 0;
  std::uint64_t next_handle = 1;
};

class FakeSource final : public DeviceMemorySource {
 public:
  explicit FakeSource(FakeDevice& device) : device_(device) {}
  Result<MemoryBlock> allocate_block(std::uint64_t bytes) override {
    if (device_.used + bytes > device_.capacity) {
      return Diagnostic::error(code::OutOfDeviceMemory, "fake device full", "free memory");
    }
    device_.used += bytes;
    device_.allocations += 1;
    return MemoryBlock{device_.next_handle++, bytes, nullptr};
  }
  void free_block(const MemoryBlock& block) noexcept override {
    device_.used -= block.bytes;
    device_.frees += 1;
  }

 private:
  FakeDevice& device_;
};

std::shared_ptr<CachingAllocator> make(FakeDevice& device, AllocatorOptions options = {}) {
  return CachingAllocator::create(std::make_unique<FakeSource>(device), DeviceKey{}, "fake:0",
                                  options);
}

TEST(CachingAllocator, SizeClassesBoundTheSlack) {
  EXPECT_EQ(CachingAllocator::size_class(0), 256u);
  EXPECT_EQ(CachingAllocator::size_class(256), 256u);
  EXPECT_EQ(CachingAllocator::size_class(257), 320u);
  EXPECT_EQ(CachingAllocator::size_class(1024), 1024u);
  EXPECT_EQ(CachingAllocator::size_class(1025), 1280u);
  std::uint64_t previous = 0;
  for (std::uint64_t bytes = 1; bytes < (1u << 24); bytes = bytes * 3 / 2 + 1) {
    const std::uint64_t c = CachingAllocator::size_class(bytes);
    EXPECT_GE(c, bytes);
    EXPECT_LE(c, std::max<std::uint64_t>(256, bytes + bytes / 4 + 1)) << bytes;
    EXPECT_GE(c, previous);
    previous = c;
  }
}

TEST(CachingAllocator, ReusesReleasedBlocksOfTheSameClass) {
  FakeDevice device;
  auto allocator = make(device);
  std::uint64_t handle = 0;
  {
    auto a = allocator->allocate(1000, "a");
    ASSERT_TRUE(a.ok());
    handle = (*a)->block().handle;
    EXPECT_EQ(allocator->stats().live_blocks, 1u);
  }
  EXPECT_EQ(allocator->stats().cached_blocks, 1u);
  auto b = allocator->allocate(1010, "b");  // same class as 1000
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->block().handle, handle);
  EXPECT_EQ(device.allocations, 1);
  EXPECT_EQ(allocator->stats().cache_hits, 1u);
  auto c = allocator->allocate(5000, "c");  // another class: a new block
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(device.allocations, 2);
}

TEST(CachingAllocator, PoolCapIsOutOfMemoryNamingTheRequest) {
  FakeDevice device;
  auto allocator = make(device, AllocatorOptions{.pool_cap_bytes = 4096});
  auto a = allocator->allocate(3000, "buffer `a` of 750 f32");
  ASSERT_TRUE(a.ok());
  auto b = allocator->allocate(2000, "buffer `b` of 500 f32");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, code::OutOfDeviceMemory);
  EXPECT_NE(b.error().message.find("buffer `b` of 500 f32"), std::string::npos);
  EXPECT_NE(b.error().message.find("in use: 3072 bytes in 1 buffers"), std::string::npos)
      << b.error().message;
  EXPECT_NE(b.error().message.find("pool cap: 4096 bytes"), std::string::npos);
}

TEST(CachingAllocator, CachedBlocksAreFreedToMakeRoom) {
  FakeDevice device;
  device.capacity = 8192;
  auto allocator = make(device);
  { auto a = allocator->allocate(6000, "a"); }
  EXPECT_EQ(allocator->stats().cached_bytes, 6144u);
  auto b = allocator->allocate(4000, "b");  // the device is full of cache: trim, then retry
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(device.frees, 1);
  auto c = allocator->allocate(6000, "c");  // genuinely out of memory
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, code::OutOfDeviceMemory);
  EXPECT_FALSE(c.error().notes.empty());  // the device's own reason
}

TEST(CachingAllocator, TheCacheIsBoundedAndTrimmed) {
  FakeDevice device;
  auto allocator = make(device, AllocatorOptions{.max_cached_bytes = 2048});
  {
    auto a = allocator->allocate(1024, "a");
    auto b = allocator->allocate(1024, "b");
    auto c = allocator->allocate(1024, "c");
  }
  EXPECT_EQ(allocator->stats().cached_bytes, 2048u);
  EXPECT_EQ(device.frees, 1);
  allocator->trim();
  EXPECT_EQ(allocator->stats().cached_bytes, 0u);
  EXPECT_EQ(device.used, 0u);
  EXPECT_EQ(allocator->stats().peak_bytes, 3072u);
}

}  // namespace
}  // namespace vyre
