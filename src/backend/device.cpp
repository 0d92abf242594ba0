#include "vyre/backend/device.h"

#include <charconv>

#include <fmt/format.h>

#include "vyre/backend/backend.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/device_buffer.h"
#include "vyre/backend/event.h"
#include "vyre/backend/stream.h"
#include "vyre/diag/codes.h"

namespace vyre {

std::string DeviceSpec::to_string() const {
  return fmt::format("{}:{}", backend, index);
}

Result<DeviceSpec> parse_device_spec(std::string_view text) {
  auto bad = [&] {
    return Diagnostic::error(code::UnknownDevice, fmt::format("`{}` is not a device name", text),
                             "name a device as `backend` or `backend:index`, e.g. opencl:0");
  };
  DeviceSpec spec;
  const std::size_t colon = text.find(':');
  spec.backend = std::string(text.substr(0, colon));
  if (spec.backend.empty()) return bad();
  if (colon != std::string_view::npos) {
    std::string_view digits = text.substr(colon + 1);
    auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), spec.index);
    if (digits.empty() || err != std::errc{} || end != digits.data() + digits.size()) return bad();
  }
  return spec;
}

Result<Device> Device::open(std::shared_ptr<Backend> backend, std::uint32_t index) {
  const std::uint32_t count = backend->device_count();
  if (index >= count) {
    return Diagnostic::error(
        code::UnknownDevice,
        fmt::format("backend `{}` has {} device{}; there is no {}:{}", backend->id(), count,
                    count == 1 ? "" : "s", backend->id(), index),
        fmt::format("use an index from 0 to {}", count == 0 ? 0 : count - 1));
  }
  return Device(std::move(backend), index);
}

std::string Device::id() const {
  return backend_ ? fmt::format("{}:{}", backend_->id(), index_) : std::string("(no device)");
}

std::string Device::name() const {
  return backend_ ? backend_->device_name(index_) : "";
}

Result<std::shared_ptr<CachingAllocator>> Device::allocator() const {
  return backend_->device_allocator(index_);
}

Result<DeviceBuffer> Device::allocate(ir::Type element, std::uint64_t count) const {
  auto allocator = VYRE_TRY(backend_->device_allocator(index_));
  const std::uint64_t unit = ir::size_bytes(element);
  if (count != 0 && unit > UINT64_MAX / count) {
    return Diagnostic::error(
        code::SizeOverflow,
        fmt::format("{} elements of {} overflow 64 bits of bytes", count, ir::type_name(element)),
        "allocate fewer elements");
  }
  auto allocation = VYRE_TRY(allocator->allocate(
      count * unit, fmt::format("a buffer of {} {}", count, ir::type_name(element))));
  return DeviceBuffer(*this, std::move(allocation), element, count);
}

Result<DeviceBuffer> Device::allocate_zeroed(ir::Type element, std::uint64_t count) const {
  DeviceBuffer buffer = VYRE_TRY(allocate(element, count));
  VYRE_TRY(buffer.fill(Scalar{element, 0}));
  return buffer;
}

Result<DeviceBuffer> Device::upload(const HostBuffer& host) const {
  DeviceBuffer buffer = VYRE_TRY(allocate(host.element(), host.count()));
  VYRE_TRY(buffer.upload(host));
  return buffer;
}

Result<Stream> Device::default_stream() const {
  auto stream = VYRE_TRY(backend_->default_stream(index_));
  return Stream(*this, std::move(stream));
}

Result<Stream> Device::create_stream() const {
  auto stream = VYRE_TRY(backend_->create_stream(index_));
  return Stream(*this, std::move(stream));
}

Result<Event> Device::create_event(bool timing) const {
  auto event = VYRE_TRY(backend_->create_event(index_, timing));
  return Event(*this, std::move(event), timing);
}

}  // namespace vyre
