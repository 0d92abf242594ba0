// DeviceBuffer: typed memory on one device (element type, count, owning backend and device),
// or a view of a range of another DeviceBuffer. Copying a DeviceBuffer shares the memory; the
// memory returns to the device's cache when the last handle (and the last queued command using
// it) is gone. Transfers here wait for completion; stream.h has the asynchronous forms.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "vyre/backend/device.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/host_buffer.h"
#include "vyre/diag/result.h"
#include "vyre/ir/types.h"

namespace vyre {

// What a backend is given for one buffer argument or transfer end: the allocation (never
// released, on the stream's device: the layer above checked), a byte offset into its block and
// the element range. Backends keep `allocation` alive (shared_from_this) while work is queued.
struct DeviceBufferView {
  DeviceAllocation* allocation = nullptr;
  std::uint64_t offset_bytes = 0;
  std::uint64_t count = 0;
  ir::Type element = ir::Type::U32;
  std::uint64_t size_bytes() const { return count * ir::size_bytes(element); }
};

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  // Adopts an allocation (the device's allocator made it): `count` elements from its start.
  DeviceBuffer(Device device, std::shared_ptr<DeviceAllocation> allocation, ir::Type element,
               std::uint64_t count, std::uint64_t first = 0);

  bool valid() const { return allocation_ != nullptr; }
  ir::Type element() const { return element_; }
  std::uint64_t count() const { return count_; }
  std::uint64_t size_bytes() const { return count_ * ir::size_bytes(element_); }
  // Index of this buffer's first element within the allocation (non-zero for views).
  std::uint64_t first() const { return first_; }
  const Device& device() const { return device_; }
  const std::shared_ptr<DeviceAllocation>& allocation() const { return allocation_; }
  // True once release() was called on this buffer or on any buffer sharing its memory.
  bool released() const;

  // Elements [first, first + count) of this buffer, sharing its memory. ViewOutOfRange
  // (VY4205) when the range does not fit.
  Result<DeviceBuffer> view(std::uint64_t first, std::uint64_t count) const;

  // Blocking transfers on the device's default stream. Sizes must match exactly
  // (TransferSizeMismatch, VY4204); a released buffer is BufferReleased (VY4202).
  Status upload(std::span<const std::uint8_t> bytes) const;
  Status upload(const HostBuffer& host) const;
  Result<HostBuffer> download() const;
  Status download_into(std::span<std::uint8_t> bytes) const;
  // Copies all of `source` (same element type and count) into this buffer.
  Status copy_from(const DeviceBuffer& source) const;
  // Sets every element to `value` (converted to this buffer's element type).
  Status fill(Scalar value) const;

  // Ends the use of this memory now: this handle, its views and every copy of it are refused
  // afterwards (BufferReleased, VY4202). Queued work that uses it still completes.
  void release();

  // The view a backend receives; BufferReleased when released.
  Result<DeviceBufferView> backend_view() const;
  // The same without the release check, for hot paths that checked already.
  DeviceBufferView unchecked_view() const {
    return {allocation_.get(), first_ * ir::size_bytes(element_), count_, element_};
  }

 private:
  Device device_;
  std::shared_ptr<DeviceAllocation> allocation_;
  ir::Type element_ = ir::Type::U32;
  std::uint64_t count_ = 0;
  std::uint64_t first_ = 0;
  bool released_ = false;  // release() was called on this handle (its reference is dropped)
};

// The bit pattern of one element of `element` holding `value` converted to that type, in the
// low size_bytes(element) bytes (what fill() writes).
std::uint64_t element_pattern(ir::Type element, Scalar value);

}  // namespace vyre
