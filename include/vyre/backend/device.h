// Device: one device of one backend ("opencl:0", "cuda:1"), chosen explicitly. Everything that
// lives on a device (buffers, streams, events, graphs) is created through its Device and refuses
// to mix with another device's objects (WrongDevice, VY4203).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "vyre/diag/result.h"
#include "vyre/ir/types.h"

namespace vyre {

class Backend;
class CachingAllocator;
class DeviceBuffer;
class Event;
class HostBuffer;
class Stream;
struct AllocatorStats;

// "cuda:1" -> {"cuda", 1}; "opencl" -> {"opencl", 0}.
struct DeviceSpec {
  std::string backend;
  std::uint32_t index = 0;
  std::string to_string() const;  // "cuda:1"
  friend bool operator==(const DeviceSpec&, const DeviceSpec&) = default;
};
// UnknownDevice (VY4208) when the text is not `backend` or `backend:index`.
Result<DeviceSpec> parse_device_spec(std::string_view text);

class Device {
 public:
  Device() = default;
  // UnknownDevice (VY4208) when `index` is not below backend->device_count().
  static Result<Device> open(std::shared_ptr<Backend> backend, std::uint32_t index = 0);

  bool valid() const { return backend_ != nullptr; }
  Backend& backend() const { return *backend_; }
  const std::shared_ptr<Backend>& backend_ptr() const { return backend_; }
  std::uint32_t index() const { return index_; }
  std::string id() const;    // "opencl:0"
  std::string name() const;  // the backend's name for it ("NVIDIA H200", "pthread-haswell")

  // Device memory, uninitialised (allocate) or zero-filled, through the device's caching
  // allocator. DeviceOutOfMemory (VY4104) names the request and what is in use.
  Result<DeviceBuffer> allocate(ir::Type element, std::uint64_t count) const;
  Result<DeviceBuffer> allocate_zeroed(ir::Type element, std::uint64_t count) const;
  // allocate + upload on the default stream, waiting for the copy.
  Result<DeviceBuffer> upload(const HostBuffer& host) const;
  // `count` elements at `address`, memory another library allocated on this device (host
  // memory for reference, device memory for cuda), used in place; `release` runs once vyre's
  // last use of it ends. DeviceMemoryUnsupported (VY4200) where the backend cannot adopt.
  Result<DeviceBuffer> adopt(void* address, ir::Type element, std::uint64_t count,
                             std::function<void()> release) const;

  // The device's default stream (one per device, shared) and new independent streams.
  Result<Stream> default_stream() const;
  Result<Stream> create_stream() const;
  // An event; `timing` events can measure the time between two of them (Event::elapsed_ms).
  Result<Event> create_event(bool timing = false) const;

  // The caching allocator behind allocate(): its statistics, limit and trim.
  Result<std::shared_ptr<CachingAllocator>> allocator() const;

  friend bool operator==(const Device& a, const Device& b) {
    return a.backend_ == b.backend_ && a.index_ == b.index_;
  }

 private:
  Device(std::shared_ptr<Backend> backend, std::uint32_t index)
      : backend_(std::move(backend)), index_(index) {}
  std::shared_ptr<Backend> backend_;
  std::uint32_t index_ = 0;
};

}  // namespace vyre
