// Streams: ordered queues of device work (a CUDA stream, an OpenCL in-order command queue, a
// worker thread on the reference backend). Commands on one stream run in the order enqueued;
// commands on different streams are unordered unless a stream waits for another's event.
//
// Stream validates every command once, here (released buffers, wrong device, sizes); the
// BackendStream it drives trusts what reaches it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/backend/device.h"
#include "vyre/backend/device_bindings.h"
#include "vyre/backend/device_buffer.h"
#include "vyre/backend/event.h"
#include "vyre/diag/result.h"

namespace vyre {

// A word of device memory in which a launch reports what went wrong on the device: the loop
// status word of a program with while loops (ir/loop_status.h), set to the id of a loop that
// reached its cap. Work that may set one has the stream watch it (Stream::watch); the stream's
// next synchronize reads every watched word back behind the work, reports a set one as
// LoopCapReached (VY2103) and zeroes it, so each capped loop is reported once.
struct StatusWord {
  ir::Program program;     // names the loop in the diagnostic
  DeviceBuffer buffer;     // u32[1]
  std::uint32_t host = 0;  // what the last read-back found; the download lands here
};

// What a backend implements per stream. Every call enqueues and returns without waiting for
// the device (a backend may finish the work before returning). Views are validated; each
// command keeps the allocations it uses alive until it completes.
class BackendStream {
 public:
  virtual ~BackendStream() = default;

  // `src` must stay valid and unchanged until the command completes (synchronize, or an event
  // recorded after it), as with cuMemcpyHtoDAsync.
  virtual Status upload(const DeviceBufferView& dst, std::span<const std::uint8_t> src) = 0;
  // `dst` must stay valid until the command completes.
  virtual Status download(const DeviceBufferView& src, std::span<std::uint8_t> dst) = 0;
  virtual Status copy(const DeviceBufferView& src, const DeviceBufferView& dst) = 0;
  // Writes the low ir::size_bytes(dst.element) bytes of `pattern` into every element.
  virtual Status fill(const DeviceBufferView& dst, std::uint64_t pattern) = 0;
  // Takes what it needs from `bindings` before returning (callers reuse them); `pipeline`
  // must outlive the command (PreparedKernel and Graph hold it).
  virtual Status launch(const CompiledPipeline& pipeline, const DeviceBindings& bindings,
                        const LaunchGeometry& geometry) = 0;

  // `event` was created by the same backend for the same device as this stream.
  virtual Status record(BackendEvent& event) = 0;
  // Later commands of this stream start after `event` completes (device-side where possible).
  virtual Status wait_for(BackendEvent& event) = 0;
  // Work that another library enqueues later on `native` starts after everything enqueued on
  // this stream so far. `native` is a stream of the backend's own API that vyre does not own
  // (a CUstream from CuPy or PyTorch: a DLPack consumer's stream). The default waits on the host
  // until this stream's work completed, which orders any native stream; CUDA makes `native`
  // wait for an event recorded here, on the device.
  virtual Status order_native_stream(std::uintptr_t native) {
    (void)native;
    return synchronize({});
  }
  // The reverse: later commands of this stream start after the work enqueued on `native` so far
  // (a DLPack producer's stream, for memory adopted from it). The default has no native streams
  // to wait for: DeviceMemoryUnsupported, as for adopting memory (Backend::adopt_block).
  virtual Status wait_for_native_stream(std::uintptr_t native);

  // Waits up to `timeout` (zero = forever) for everything enqueued so far. StreamTimeout
  // (VY4206) leaves the work running; DeviceLost (VY4103) when the device failed. Neither
  // touches other streams' work or buffers.
  virtual Status synchronize(std::chrono::nanoseconds timeout) = 0;
  virtual bool idle() = 0;

  // Kernel timing: while on, each launch's device time is kept; take_kernel_times() returns
  // those of the launches completed so far (milliseconds, in launch order) and forgets them.
  // The defaults keep none.
  virtual void set_kernel_timing(bool on) { (void)on; }
  virtual Result<std::vector<double>> take_kernel_times() { return std::vector<double>{}; }

 private:
  friend class Stream;
  // The status words work enqueued here since the last synchronize may have set.
  std::mutex watched_mutex_;
  std::vector<std::shared_ptr<StatusWord>> watched_;
};

class Stream {
 public:
  Stream() = default;
  Stream(Device device, std::shared_ptr<BackendStream> stream)
      : device_(std::move(device)), stream_(std::move(stream)) {}

  bool valid() const { return stream_ != nullptr; }
  const Device& device() const { return device_; }
  BackendStream& backend_stream() const { return *stream_; }
  // Identifies the stream without keeping it alive (for per-stream state kept elsewhere).
  std::weak_ptr<BackendStream> weak() const { return stream_; }

  // Asynchronous transfers; host memory must outlive the command (see BackendStream).
  Status upload(const DeviceBuffer& dst, std::span<const std::uint8_t> src) const;
  Status download(const DeviceBuffer& src, std::span<std::uint8_t> dst) const;
  Status copy(const DeviceBuffer& src, const DeviceBuffer& dst) const;
  Status fill(const DeviceBuffer& dst, Scalar value) const;
  // A launch of a compiled pipeline with full validation against its program (types, counts,
  // device of every buffer). PreparedKernel (runtime/prepared_kernel.h) is the fast path.
  Status launch(const CompiledPipeline& pipeline, const DeviceBindings& bindings,
                const LaunchGeometry& geometry) const;

  Status record(const Event& event) const;
  // Later work on this stream waits for `event` (recorded on any stream of the same device).
  Status wait(const Event& event) const;
  // Waits for the work, then reports a watched status word a launch set (VY2103, see StatusWord).
  Status synchronize(std::chrono::nanoseconds timeout = {}) const;
  // Work enqueued on this stream may set `word`: the next synchronize reads it.
  void watch(const std::shared_ptr<StatusWord>& word) const;
  bool idle() const { return stream_->idle(); }
  // Later work on `native`, a stream handle of the backend's API that vyre does not own (a
  // CUstream of CuPy or PyTorch), waits for this stream's work so far (BackendStream).
  Status order_native_stream(std::uintptr_t native) const {
    return stream_->order_native_stream(native);
  }
  // Later work on this stream waits for the work enqueued on `native` so far (BackendStream).
  Status wait_for_native_stream(std::uintptr_t native) const {
    return stream_->wait_for_native_stream(native);
  }

  void set_kernel_timing(bool on) const { stream_->set_kernel_timing(on); }
  Result<std::vector<double>> take_kernel_times() const { return stream_->take_kernel_times(); }

  // The checks every command makes: a valid, unreleased buffer of this stream's device.
  Result<DeviceBufferView> check(const DeviceBuffer& buffer, std::string_view role) const;

 private:
  Device device_;
  std::shared_ptr<BackendStream> stream_;
};

}  // namespace vyre
