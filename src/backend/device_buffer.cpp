#include "vyre/backend/device_buffer.h"

#include <cstring>

#include <fmt/format.h>

#include "device_checks.h"
#include "vyre/backend/stream.h"
#include "vyre/diag/codes.h"

namespace vyre {

DeviceBuffer::DeviceBuffer(Device device, std::shared_ptr<DeviceAllocation> allocation,
                           ir::Type element, std::uint64_t count, std::uint64_t first)
    : device_(std::move(device)),
      allocation_(std::move(allocation)),
      element_(element),
      count_(count),
      first_(first) {}

bool DeviceBuffer::released() const {
  return released_ || (allocation_ != nullptr && allocation_->released());
}

Result<DeviceBuffer> DeviceBuffer::view(std::uint64_t first, std::uint64_t count) const {
  if (released()) {
    return Diagnostic::error(code::BufferReleased, "a view of a released buffer was requested",
                             "take views before releasing the buffer");
  }
  if (first > count_ || count > count_ - first) {
    return Diagnostic::error(
        code::ViewOutOfRange,
        fmt::format("view [{}, {}) of a buffer of {} elements", first, first + count, count_),
        "keep first + count within the buffer's count()");
  }
  return DeviceBuffer(device_, allocation_, element_, count, first_ + first);
}

Result<DeviceBufferView> DeviceBuffer::backend_view() const {
  return check_buffer(device_, *this, "buffer");
}

Status DeviceBuffer::upload(std::span<const std::uint8_t> bytes) const {
  if (!valid()) VYRE_TRY(backend_view());
  Stream stream = VYRE_TRY(device_.default_stream());
  VYRE_TRY(stream.upload(*this, bytes));
  return stream.synchronize();
}

Status DeviceBuffer::upload(const HostBuffer& host) const {
  if (host.element() != element_) {
    return Diagnostic::error(code::TransferSizeMismatch,
                             fmt::format("uploading {} into a buffer of {}",
                                         ir::type_name(host.element()), ir::type_name(element_)),
                             "upload host data of the buffer's element type");
  }
  return upload(std::span<const std::uint8_t>(host.data(), host.size_bytes()));
}

Status DeviceBuffer::download_into(std::span<std::uint8_t> bytes) const {
  if (!valid()) VYRE_TRY(backend_view());
  Stream stream = VYRE_TRY(device_.default_stream());
  VYRE_TRY(stream.download(*this, bytes));
  return stream.synchronize();
}

Result<HostBuffer> DeviceBuffer::download() const {
  HostBuffer host(element_, count_);
  VYRE_TRY(download_into(std::span<std::uint8_t>(host.data(), host.size_bytes())));
  return host;
}

Status DeviceBuffer::copy_from(const DeviceBuffer& source) const {
  if (!valid()) VYRE_TRY(backend_view());
  Stream stream = VYRE_TRY(device_.default_stream());
  VYRE_TRY(stream.copy(source, *this));
  return stream.synchronize();
}

Status DeviceBuffer::fill(Scalar value) const {
  if (!valid()) VYRE_TRY(backend_view());
  Stream stream = VYRE_TRY(device_.default_stream());
  VYRE_TRY(stream.fill(*this, value));
  return stream.synchronize();
}

void DeviceBuffer::release() {
  if (allocation_ != nullptr) allocation_->mark_released();
  allocation_.reset();
  released_ = true;
}

namespace {

double as_double(Scalar v) {
  switch (v.type) {
    case ir::Type::F32: {
      float f;
      auto bits = static_cast<std::uint32_t>(v.bits);
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
    case ir::Type::F64: {
      double d;
      std::memcpy(&d, &v.bits, sizeof d);
      return d;
    }
    case ir::Type::I32:
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(v.bits));
    case ir::Type::I64:
      return static_cast<double>(static_cast<std::int64_t>(v.bits));
    default:
      return static_cast<double>(v.bits);
  }
}

std::int64_t as_integer(Scalar v) {
  switch (v.type) {
    case ir::Type::F32:
    case ir::Type::F64:
      return static_cast<std::int64_t>(as_double(v));
    case ir::Type::I32:
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(v.bits));
    default:
      return static_cast<std::int64_t>(v.bits);
  }
}

}  // namespace

std::uint64_t element_pattern(ir::Type element, Scalar value) {
  if (value.type == element) return value.bits;
  switch (element) {
    case ir::Type::F32: {
      float f = static_cast<float>(as_double(value));
      std::uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      return bits;
    }
    case ir::Type::F64: {
      double d = as_double(value);
      std::uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return bits;
    }
    case ir::Type::Bool:
      return as_double(value) != 0 ? 1 : 0;
    case ir::Type::I32:
    case ir::Type::U32:
      return static_cast<std::uint32_t>(as_integer(value));
    default:
      return static_cast<std::uint64_t>(as_integer(value));
  }
}

}  // namespace vyre
