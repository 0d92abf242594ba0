#include "vyre/backend/stream.h"

#include <fmt/format.h>

#include "device_checks.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/loop_status.h"

namespace vyre {
namespace {

Diagnostic size_mismatch(std::string_view what, std::uint64_t device_bytes,
                         std::uint64_t other_bytes) {
  return Diagnostic::error(
      code::TransferSizeMismatch,
      fmt::format("{}: the device buffer has {} bytes, the other side {}", what, device_bytes,
                  other_bytes),
      "transfer whole buffers of equal size, or take a view of the range you mean");
}

}  // namespace

Status BackendStream::wait_for_native_stream(std::uintptr_t /*native*/) {
  return Diagnostic::error(code::DeviceMemoryUnsupported,
                           "this backend has no native streams to wait for",
                           "only memory adopted from a library of the backend's own API (CUDA "
                           "memory for the cuda backend) comes with a stream to wait for");
}

Result<DeviceBufferView> Stream::check(const DeviceBuffer& buffer, std::string_view role) const {
  return check_buffer(device_, buffer, role);
}

Status Stream::upload(const DeviceBuffer& dst, std::span<const std::uint8_t> src) const {
  DeviceBufferView view = VYRE_TRY(check(dst, "upload destination"));
  if (view.size_bytes() != src.size())
    return size_mismatch("upload", view.size_bytes(), src.size());
  if (src.empty()) return Ok{};
  return stream_->upload(view, src);
}

Status Stream::download(const DeviceBuffer& src, std::span<std::uint8_t> dst) const {
  DeviceBufferView view = VYRE_TRY(check(src, "download source"));
  if (view.size_bytes() != dst.size()) {
    return size_mismatch("download", view.size_bytes(), dst.size());
  }
  if (dst.empty()) return Ok{};
  return stream_->download(view, dst);
}

Status Stream::copy(const DeviceBuffer& src, const DeviceBuffer& dst) const {
  DeviceBufferView from = VYRE_TRY(check(src, "copy source"));
  DeviceBufferView to = VYRE_TRY(check(dst, "copy destination"));
  if (from.element != to.element || from.count != to.count) {
    return Diagnostic::error(
        code::TransferSizeMismatch,
        fmt::format("copy of {} {} into {} {}", from.count, ir::type_name(from.element), to.count,
                    ir::type_name(to.element)),
        "copy between buffers (or views) of one element type and count");
  }
  if (from.count == 0) return Ok{};
  return stream_->copy(from, to);
}

Status Stream::fill(const DeviceBuffer& dst, Scalar value) const {
  DeviceBufferView view = VYRE_TRY(check(dst, "fill destination"));
  if (view.count == 0) return Ok{};
  return stream_->fill(view, element_pattern(view.element, value));
}

Status Stream::launch(const CompiledPipeline& pipeline, const DeviceBindings& bindings,
                      const LaunchGeometry& geometry) const {
  VYRE_TRY(check_device_bindings(*pipeline.program(), bindings, device_));
  return stream_->launch(pipeline, bindings, geometry);
}

Status Stream::record(const Event& event) const {
  if (!(event.device() == device_)) {
    return Diagnostic::error(
        code::WrongDevice,
        fmt::format("an event of {} recorded on a stream of {}", event.device().id(), device_.id()),
        "create the event on the stream's device");
  }
  return stream_->record(event.backend_event());
}

Status Stream::wait(const Event& event) const {
  if (!(event.device() == device_)) {
    return Diagnostic::error(
        code::WrongDevice,
        fmt::format("a stream of {} waits for an event of {}", device_.id(), event.device().id()),
        "wait for events of the stream's own device; across devices, wait "
        "on the host (Event::wait)");
  }
  return stream_->wait_for(event.backend_event());
}

void Stream::watch(const std::shared_ptr<StatusWord>& word) const {
  std::lock_guard lock(stream_->watched_mutex_);
  for (const auto& w : stream_->watched_) {
    if (w == word) return;
  }
  stream_->watched_.push_back(word);
}

Status Stream::synchronize(std::chrono::nanoseconds timeout) const {
  std::vector<std::shared_ptr<StatusWord>> words;
  {
    std::lock_guard lock(stream_->watched_mutex_);
    words = stream_->watched_;
    stream_->watched_.clear();  // keeps its capacity: watch() on the launch path allocates not
  }
  if (words.empty()) return stream_->synchronize(timeout);
  auto rewatch = [&] {
    for (const auto& w : words) watch(w);
  };
  // The downloads queue behind the launches that may set the words: one wait covers both. A
  // word lands in its own `host`, which lives as long as the word, even past a timeout.
  for (const auto& w : words) {
    Status read =
        stream_->download(w->buffer.unchecked_view(),
                          std::span(reinterpret_cast<std::uint8_t*>(&w->host), sizeof w->host));
    if (!read.ok()) {
      rewatch();
      return read;
    }
  }
  if (Status done = stream_->synchronize(timeout); !done.ok()) {
    rewatch();  // the reads are still queued: the next synchronize looks again
    return done;
  }
  std::optional<Diagnostic> capped;
  for (const auto& w : words) {
    if (w->host == 0) continue;
    if (!capped) capped = ir::loop_cap_diagnostic(*w->program, w->host);
    w->host = 0;
    // Ordered before this stream's later launches, so each capped loop is reported once.
    VYRE_TRY(stream_->fill(w->buffer.unchecked_view(), 0));
  }
  if (capped) return std::move(*capped);
  return Ok{};
}

}  // namespace vyre
