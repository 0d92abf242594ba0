// Device::adopt: memory another library allocated (a DLPack producer's tensor) wrapped as a
// device buffer. The block comes from the backend (Backend::adopt_block), behind an allocator of
// its own that caches nothing, so the last release of the buffer forgets the block and hands
// the memory back to its owner through `release`.
#include <fmt/format.h>

#include "vyre/backend/backend.h"
#include "vyre/backend/device.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/device_buffer.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

class AdoptedMemory final : public DeviceMemorySource {
 public:
  AdoptedMemory(std::shared_ptr<Backend> backend, std::function<void()> release)
      : backend_(std::move(backend)), release_(std::move(release)) {}
  Result<MemoryBlock> allocate_block(std::uint64_t) override {
    return Diagnostic::error(code::DeviceMemoryUnsupported,
                             "adopted memory cannot grow: it is another library's allocation",
                             "allocate through the device instead");
  }
  void free_block(const MemoryBlock& block) noexcept override {
    backend_->forget_block(block);
    if (release_) std::exchange(release_, nullptr)();
  }

 private:
  std::shared_ptr<Backend> backend_;
  std::function<void()> release_;
};

}  // namespace

Result<DeviceBuffer> Device::adopt(void* address, ir::Type element, std::uint64_t count,
                                   std::function<void()> release) const {
  const std::uint64_t unit = ir::size_bytes(element);
  if (count != 0 && unit > UINT64_MAX / count) {
    return Diagnostic::error(
        code::SizeOverflow,
        fmt::format("{} elements of {} overflow 64 bits of bytes", count, ir::type_name(element)),
        "adopt fewer elements");
  }
  const std::uint64_t bytes = count * unit;
  MemoryBlock block = VYRE_TRY(backend_->adopt_block(index_, address, bytes));
  AllocatorOptions options;
  options.max_cached_bytes = 0;  // the block goes back at once: to `release`
  const DeviceKey key{backend_.get(), index_};
  auto allocator = CachingAllocator::create(
      std::make_unique<AdoptedMemory>(backend_, std::move(release)), key, id(), options);
  auto allocation = std::make_shared<DeviceAllocation>(allocator, block, bytes, key);
  return DeviceBuffer(*this, std::move(allocation), element, count);
}

}  // namespace vyre
