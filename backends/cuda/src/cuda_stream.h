// CudaStream: a BackendStream on one CUDA device, over its own non-blocking CUstream. Launches
// go straight to cuLaunchKernel with the buffers' device pointers (no copy); transfers go
// direct for pinned or small host spans and through the device's staging ring otherwise.
//
// Every command keeps the allocations it uses alive until it has completed: references are
// queued with the command's sequence number and dropped once a synchronize, an idle() or a
// fence event (one every kFenceEvery commands) shows the stream got past it. They are dropped
// outside the stream's lock and the device lease, because the last reference to a block frees
// it through the allocator, which takes a lease of its own.
//
// After a context reset the next command makes a new CUstream in the new context; if work was
// queued since the last completed wait, that command reports it lost (DeviceLost) and does not
// run. Later commands run normally.
#pragma once

#include <cuda.h>

#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "cuda_device.h"
#include "cuda_device_resources.h"
#include "cuda_launch_args.h"
#include "vyre/backend/stream.h"

namespace vyre::cuda {

class CudaStream final : public BackendStream {
 public:
  static Result<std::shared_ptr<CudaStream>> create(CudaDeviceResources& resources);
  ~CudaStream() override;

  Status upload(const DeviceBufferView& dst, std::span<const std::uint8_t> src) override;
  Status download(const DeviceBufferView& src, std::span<std::uint8_t> dst) override;
  Status copy(const DeviceBufferView& src, const DeviceBufferView& dst) override;
  Status fill(const DeviceBufferView& dst, std::uint64_t pattern) override;
  Status launch(const CompiledPipeline& pipeline, const DeviceBindings& bindings,
                const LaunchGeometry& geometry) override;
  Status record(BackendEvent& event) override;
  Status wait_for(BackendEvent& event) override;
  // `native` (a CUstream of this device's primary context, or CU_STREAM_LEGACY = 1 /
  // CU_STREAM_PER_THREAD = 2) waits for an event recorded here: cuStreamWaitEvent.
  Status order_native_stream(std::uintptr_t native) override;
  // This stream waits for an event recorded on `native` (same handles).
  Status wait_for_native_stream(std::uintptr_t native) override;
  Status synchronize(std::chrono::nanoseconds timeout) override;
  bool idle() override;
  void set_kernel_timing(bool on) override;
  Result<std::vector<double>> take_kernel_times() override;

  // Launches an instantiated graph of context `generation`, keeping `keep` (the graph's
  // allocations) alive until the replay completed. What CudaGraph::replay calls.
  Status launch_graph(CUgraphExec exec, std::uint64_t generation, std::shared_ptr<const void> keep);

  const std::shared_ptr<CudaDevice>& device() const { return device_; }

 private:
  using Dropped = std::vector<std::shared_ptr<const void>>;
  static constexpr std::uint64_t kFenceEvery = 256;

  explicit CudaStream(CudaDeviceResources& resources)
      : resources_(resources), device_(resources.device) {}

  // Runs `body(lease, check)` under a lease and the stream's lock, in the stream's current
  // context; a poisoning error is recovered from after both are released (DeviceLost).
  template <class Body>
  Status run(std::string_view during, Body&& body);
  // With mutex_ held: a new CUstream after a context reset (the old one died with it).
  Status adopt(const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped);
  // With mutex_ held: marks the end of one command and keeps what it used.
  void keep(std::shared_ptr<const void> reference);
  void keep(const DeviceBufferView& view) { keep(view.allocation->shared_from_this()); }
  void end_command(const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped);
  // With mutex_ held: moves every reference of commands up to `sequence` into `dropped`.
  void release_through(std::uint64_t sequence, Dropped& dropped);
  Status launch_kernel(const CudaPipeline& pipeline, CUfunction function,
                       const CudaDevice::Lease& lease, CallCheck& check);
  Result<CUevent> timing_event(CallCheck& check);

  CudaDeviceResources& resources_;  // owned by the backend, which outlives its streams' users
  std::shared_ptr<CudaDevice> device_;

  std::mutex mutex_;
  CUstream stream_ = nullptr;
  std::uint64_t generation_ = 0;  // context of stream_
  std::uint64_t sequence_ = 0;    // commands enqueued so far
  std::uint64_t completed_ = 0;   // commands a wait saw complete

  struct Kept {
    std::uint64_t sequence;
    std::shared_ptr<const void> reference;
  };
  struct Fence {
    std::uint64_t sequence;
    CUevent event;
  };
  std::deque<Kept> kept_;
  std::deque<Fence> fences_;
  std::vector<CUevent> free_fences_;

  bool timing_ = false;
  struct TimedLaunch {
    CUevent start;
    CUevent end;
  };
  std::deque<TimedLaunch> timed_;
  std::vector<CUevent> free_timing_events_;

  LaunchArgs args_;  // reused by every launch (cuLaunchKernel copies the values)
};

}  // namespace vyre::cuda
