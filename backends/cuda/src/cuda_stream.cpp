#include "cuda_stream.h"

#include <fmt/format.h>

#include <algorithm>

#include "cuda_event.h"
#include "cuda_memory.h"
#include "cuda_wait.h"
#include "vyre/diag/codes.h"

namespace vyre::cuda {

Result<std::shared_ptr<CudaStream>> CudaStream::create(CudaDeviceResources& resources) {
  std::shared_ptr<CudaStream> stream(new CudaStream(resources));
  Dropped dropped;
  CallCheck check(resources.device->api());
  std::uint64_t generation = 0;
  Status made;
  {
    auto lease = VYRE_TRY(resources.device->enter());
    generation = lease.generation;
    std::lock_guard lock(stream->mutex_);
    made = stream->adopt(lease, check, dropped);
  }
  if (check.poison)
    return device_lost(*resources.device, *check.poison, generation, "creating a stream");
  VYRE_TRY(std::move(made));
  return stream;
}

CudaStream::~CudaStream() {
  Dropped dropped;
  auto lease = device_->enter();
  std::lock_guard lock(mutex_);
  if (!lease.ok() || lease->generation != generation_ || stream_ == nullptr) return;
  const DriverApi& api = device_->api();
  // Queued work may still use the kept allocations: let it finish before they are dropped.
  api.stream_synchronize(stream_);
  for (const Fence& fence : fences_) api.event_destroy(fence.event);
  for (CUevent event : free_fences_) api.event_destroy(event);
  for (const TimedLaunch& timed : timed_) {
    api.event_destroy(timed.start);
    api.event_destroy(timed.end);
  }
  for (CUevent event : free_timing_events_) api.event_destroy(event);
  api.stream_destroy(stream_);
  for (Kept& kept : kept_) dropped.push_back(std::move(kept.reference));
  kept_.clear();
}

Status CudaStream::adopt(const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) {
  // Everything of the old context (stream, events) died with it; only the references remain.
  for (Kept& kept : kept_) dropped.push_back(std::move(kept.reference));
  kept_.clear();
  fences_.clear();
  free_fences_.clear();
  timed_.clear();
  free_timing_events_.clear();
  stream_ = nullptr;
  generation_ = 0;
  completed_ = sequence_;
  VYRE_TRY(check(device_->api().stream_create(&stream_, CU_STREAM_NON_BLOCKING), "cuStreamCreate",
                 "creating a stream on cuda:" + std::to_string(device_->info().ordinal)));
  generation_ = lease.generation;
  return Ok{};
}

template <class Body>
Status CudaStream::run(std::string_view during, Body&& body) {
  Dropped dropped;  // destroyed last, after the lock and the lease
  CallCheck check(device_->api());
  std::uint64_t generation = 0;
  Status result;
  {
    auto entered = device_->enter();
    if (!entered.ok()) return std::move(entered).error();
    const CudaDevice::Lease& lease = *entered;
    generation = lease.generation;
    std::lock_guard lock(mutex_);
    if (generation_ != lease.generation) {
      // Work queued since the last completed wait died with the old context: say so, once.
      const bool lost_work = sequence_ != completed_;
      result = adopt(lease, check, dropped);
      if (result.ok() && lost_work) {
        result =
            lost_to_reset("this stream's earlier work (" + std::string(during) + " was not run)");
      } else if (result.ok()) {
        result = body(lease, check, dropped);
      }
    } else {
      result = body(lease, check, dropped);
    }
  }
  if (check.poison) return device_lost(*device_, *check.poison, generation, during);
  return result;
}

void CudaStream::keep(std::shared_ptr<const void> reference) {
  kept_.push_back({sequence_ + 1, std::move(reference)});
}

void CudaStream::release_through(std::uint64_t sequence, Dropped& dropped) {
  while (!kept_.empty() && kept_.front().sequence <= sequence) {
    dropped.push_back(std::move(kept_.front().reference));
    kept_.pop_front();
  }
}

void CudaStream::end_command(const CudaDevice::Lease& /*lease*/, CallCheck& check,
                             Dropped& dropped) {
  ++sequence_;
  if (sequence_ % kFenceEvery != 0) return;
  const DriverApi& api = device_->api();
  // Completed fences free what the commands before them kept.
  while (!fences_.empty() && api.event_query(fences_.front().event) == CUDA_SUCCESS) {
    release_through(fences_.front().sequence, dropped);
    free_fences_.push_back(fences_.front().event);
    fences_.pop_front();
  }
  CUevent event = nullptr;
  if (!free_fences_.empty()) {
    event = free_fences_.back();
    free_fences_.pop_back();
  } else if (!check(api.event_create(&event, CU_EVENT_DISABLE_TIMING), "cuEventCreate",
                    "creating a stream fence")
                  .ok()) {
    return;  // no fence this time: the references wait for the next synchronize
  }
  if (check(api.event_record(event, stream_), "cuEventRecord", "recording a stream fence").ok()) {
    fences_.push_back({sequence_, event});
  } else {
    free_fences_.push_back(event);
  }
}

Status CudaStream::upload(const DeviceBufferView& dst, std::span<const std::uint8_t> src) {
  return run("an upload",
             [&](const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) -> Status {
               VYRE_TRY(check_generation(dst, lease, "upload destination"));
               const CUdeviceptr to = device_pointer(dst);
               if (src.size() <= StagingRing::kDirectBytes ||
                   resources_.pinned->contains(src.data(), src.size())) {
                 VYRE_TRY(check(
                     device_->api().memcpy_htod_async(to, src.data(), src.size(), stream_),
                     "cuMemcpyHtoDAsync", "uploading " + std::to_string(src.size()) + " bytes"));
               } else {
                 VYRE_TRY(resources_.staging->upload(stream_, to, src, lease, check));
               }
               keep(dst);
               end_command(lease, check, dropped);
               return Ok{};
             });
}

Status CudaStream::download(const DeviceBufferView& src, std::span<std::uint8_t> dst) {
  return run("a download",
             [&](const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) -> Status {
               VYRE_TRY(check_generation(src, lease, "download source"));
               const CUdeviceptr from = device_pointer(src);
               if (dst.size() <= StagingRing::kDirectBytes ||
                   resources_.pinned->contains(dst.data(), dst.size())) {
                 VYRE_TRY(check(
                     device_->api().memcpy_dtoh_async(dst.data(), from, dst.size(), stream_),
                     "cuMemcpyDtoHAsync", "downloading " + std::to_string(dst.size()) + " bytes"));
               } else {
                 VYRE_TRY(resources_.staging->download(stream_, dst, from, lease, check));
               }
               keep(src);
               end_command(lease, check, dropped);
               return Ok{};
             });
}

Status CudaStream::copy(const DeviceBufferView& src, const DeviceBufferView& dst) {
  return run(
      "a copy", [&](const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) -> Status {
        VYRE_TRY(check_generation(src, lease, "copy source"));
        VYRE_TRY(check_generation(dst, lease, "copy destination"));
        VYRE_TRY(check(device_->api().memcpy_dtod_async(device_pointer(dst), device_pointer(src),
                                                        src.size_bytes(), stream_),
                       "cuMemcpyDtoDAsync",
                       "copying " + std::to_string(src.size_bytes()) + " bytes"));
        keep(src);
        keep(dst);
        end_command(lease, check, dropped);
        return Ok{};
      });
}

Status CudaStream::fill(const DeviceBufferView& dst, std::uint64_t pattern) {
  const std::size_t unit = ir::size_bytes(dst.element);
  const auto low = static_cast<std::uint32_t>(pattern);
  const auto high = static_cast<std::uint32_t>(pattern >> 32);
  const CudaPipeline* fill_kernel = nullptr;
  if (unit == 8 && low != high) {
    // Compiled (once) before the lease is taken: compiling loads the module under its own.
    fill_kernel = VYRE_TRY(resources_.fill64());
  }
  return run(
      "a fill", [&](const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) -> Status {
        VYRE_TRY(check_generation(dst, lease, "fill destination"));
        const DriverApi& api = device_->api();
        const CUdeviceptr to = device_pointer(dst);
        const char* during = "filling a buffer";
        switch (unit) {
          case 1:
            VYRE_TRY(check(
                api.memset_d8_async(to, static_cast<unsigned char>(pattern), dst.count, stream_),
                "cuMemsetD8Async", during));
            break;
          case 2:
            VYRE_TRY(check(
                api.memset_d16_async(to, static_cast<unsigned short>(pattern), dst.count, stream_),
                "cuMemsetD16Async", during));
            break;
          case 4:
            VYRE_TRY(check(api.memset_d32_async(to, low, dst.count, stream_), "cuMemsetD32Async",
                           during));
            break;
          default:
            if (fill_kernel == nullptr) {
              VYRE_TRY(check(api.memset_d32_async(to, low, dst.count * 2, stream_),
                             "cuMemsetD32Async", during));
              break;
            }
            DeviceBindings bindings;
            bindings.buffers = {dst};
            bindings.params = {Scalar::u64(pattern)};
            bindings.sizes = {dst.count};
            LaunchGeometry geometry;
            geometry.workgroup = fill_kernel->workgroup();
            geometry.groups = {(dst.count + geometry.workgroup[0] - 1) / geometry.workgroup[0], 1,
                               1};
            const CUfunction function = VYRE_TRY(fill_kernel->function(lease, check, device_));
            VYRE_TRY(pack_launch(*fill_kernel, bindings, geometry, lease, args_));
            VYRE_TRY(launch_kernel(*fill_kernel, function, lease, check));
            break;
        }
        keep(dst);
        end_command(lease, check, dropped);
        return Ok{};
      });
}

Result<CUevent> CudaStream::timing_event(CallCheck& check) {
  if (!free_timing_events_.empty()) {
    CUevent event = free_timing_events_.back();
    free_timing_events_.pop_back();
    return event;
  }
  CUevent event = nullptr;
  VYRE_TRY(check(device_->api().event_create(&event, CU_EVENT_DEFAULT), "cuEventCreate",
                 "creating a kernel timing event"));
  return event;
}

Status CudaStream::launch_kernel(const CudaPipeline& pipeline, CUfunction function,
                                 const CudaDevice::Lease& /*lease*/, CallCheck& check) {
  if (args_.empty_grid) return Ok{};  // CUDA rejects a zero grid dimension; nothing would run
  const DriverApi& api = device_->api();
  TimedLaunch timed{nullptr, nullptr};
  if (timing_) {
    timed.start = VYRE_TRY(timing_event(check));
    timed.end = VYRE_TRY(timing_event(check));
    VYRE_TRY(check(api.event_record(timed.start, stream_), "cuEventRecord", "timing a kernel"));
  }
  const CUresult launched =
      api.launch_kernel(function, args_.grid[0], args_.grid[1], args_.grid[2], args_.block[0],
                        args_.block[1], args_.block[2], 0, stream_, args_.pointers.data(), nullptr);
  if (launched != CUDA_SUCCESS) {
    return check(launched, "cuLaunchKernel", "launching kernel `" + pipeline.program()->name + "`");
  }
  if (timing_) {
    VYRE_TRY(check(api.event_record(timed.end, stream_), "cuEventRecord", "timing a kernel"));
    timed_.push_back(timed);
  }
  return Ok{};
}

Status CudaStream::launch(const CompiledPipeline& pipeline, const DeviceBindings& bindings,
                          const LaunchGeometry& geometry) {
  const CudaPipeline* cuda = VYRE_TRY(as_cuda_pipeline(pipeline));
  return run("a kernel launch",
             [&](const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) -> Status {
               const CUfunction function = VYRE_TRY(cuda->function(lease, check, device_));
               VYRE_TRY(pack_launch(*cuda, bindings, geometry, lease, args_));
               VYRE_TRY(launch_kernel(*cuda, function, lease, check));
               for (const DeviceBufferView& view : bindings.buffers) {
                 if (view.allocation != nullptr) keep(view);
               }
               end_command(lease, check, dropped);
               return Ok{};
             });
}

Status CudaStream::launch_graph(CUgraphExec exec, std::uint64_t generation,
                                std::shared_ptr<const void> keep_alive) {
  return run("a graph replay",
             [&](const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) -> Status {
               if (generation != lease.generation) {
                 return (lost_to_reset("a recorded graph (instantiate it again)"));
               }
               const DriverApi& api = device_->api();
               TimedLaunch timed{nullptr, nullptr};
               if (timing_) {
                 timed.start = VYRE_TRY(timing_event(check));
                 timed.end = VYRE_TRY(timing_event(check));
                 VYRE_TRY(check(api.event_record(timed.start, stream_), "cuEventRecord",
                                "timing a graph replay"));
               }
               VYRE_TRY(check(api.graph_launch(exec, stream_), "cuGraphLaunch",
                              "replaying a recorded graph"));
               if (timing_) {
                 VYRE_TRY(check(api.event_record(timed.end, stream_), "cuEventRecord",
                                "timing a graph replay"));
                 timed_.push_back(timed);
               }
               keep(std::move(keep_alive));
               end_command(lease, check, dropped);
               return Ok{};
             });
}

Status CudaStream::record(BackendEvent& event) {
  auto& cuda_event = dynamic_cast<CudaEvent&>(event);
  return run("recording an event",
             [&](const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) -> Status {
               VYRE_TRY(cuda_event.record_on(stream_, lease, check));
               end_command(lease, check, dropped);
               return Ok{};
             });
}

Status CudaStream::wait_for(BackendEvent& event) {
  auto& cuda_event = dynamic_cast<CudaEvent&>(event);
  return run("waiting for an event",
             [&](const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) -> Status {
               CUevent handle = cuda_event.recorded_handle(lease);
               if (handle == nullptr) return Ok{};  // never recorded: complete
               VYRE_TRY(check(device_->api().stream_wait_event(stream_, handle, 0),
                              "cuStreamWaitEvent", "making a stream wait for an event"));
               end_command(lease, check, dropped);
               return Ok{};
             });
}

Status CudaStream::order_native_stream(std::uintptr_t native) {
  return run("ordering a foreign stream after this one",
             [&](const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) -> Status {
               const DriverApi& api = device_->api();
               CUevent event = VYRE_TRY(device_->take_event(lease, check));
               Status ordered = check(api.event_record(event, stream_), "cuEventRecord",
                                      "recording where a foreign stream must wait");
               if (ordered.ok()) {
                 // The wait takes the event's state now, so the event can be reused at once.
                 ordered =
                     check(api.stream_wait_event(reinterpret_cast<CUstream>(native), event, 0),
                           "cuStreamWaitEvent", "making a foreign stream wait for a vyre stream");
               }
               device_->give_event(lease, event);
               VYRE_TRY(std::move(ordered));
               end_command(lease, check, dropped);
               return Ok{};
             });
}

Status CudaStream::wait_for_native_stream(std::uintptr_t native) {
  return run("waiting for a foreign stream",
             [&](const CudaDevice::Lease& lease, CallCheck& check, Dropped& dropped) -> Status {
               const DriverApi& api = device_->api();
               CUevent event = VYRE_TRY(device_->take_event(lease, check));
               Status waited =
                   check(api.event_record(event, reinterpret_cast<CUstream>(native)),
                         "cuEventRecord", "recording where a foreign stream's work ends");
               if (waited.ok()) {
                 waited = check(api.stream_wait_event(stream_, event, 0), "cuStreamWaitEvent",
                                "making a vyre stream wait for a foreign stream");
               }
               device_->give_event(lease, event);
               VYRE_TRY(std::move(waited));
               end_command(lease, check, dropped);
               return Ok{};
             });
}

Status CudaStream::synchronize(std::chrono::nanoseconds timeout) {
  CUstream stream = nullptr;
  std::uint64_t generation = 0;
  std::uint64_t sequence = 0;
  {
    Dropped dropped;
    CallCheck check(device_->api());
    auto lease = VYRE_TRY(device_->enter());
    std::lock_guard lock(mutex_);
    if (generation_ != lease.generation) {
      const bool lost_work = sequence_ != completed_;
      VYRE_TRY(adopt(lease, check, dropped));
      if (lost_work) return lost_to_reset("this stream's work");
    }
    stream = stream_;
    generation = generation_;
    sequence = sequence_;
  }
  const DriverApi& api = device_->api();
  WaitTarget target;
  target.generation = generation;
  target.query = [&] { return api.stream_query(stream); };
  target.block = [&] { return api.stream_synchronize(stream); };
  target.what = "the work of a stream on cuda:" + std::to_string(device_->info().ordinal);
  VYRE_TRY(wait_for_device(*device_, target, timeout));
  Dropped dropped;  // destroyed after the lock below is released
  std::lock_guard lock(mutex_);
  if (generation_ == generation) {
    release_through(sequence, dropped);
    completed_ = std::max(completed_, sequence);
  }
  return Ok{};
}

bool CudaStream::idle() {
  Dropped dropped;
  auto lease = device_->enter();
  if (!lease.ok()) return true;  // synchronize() reports the device
  std::lock_guard lock(mutex_);
  if (generation_ != lease->generation) return true;
  if (device_->api().stream_query(stream_) != CUDA_SUCCESS) return false;
  release_through(sequence_, dropped);
  completed_ = sequence_;
  return true;
}

void CudaStream::set_kernel_timing(bool on) {
  std::lock_guard lock(mutex_);
  timing_ = on;
}

Result<std::vector<double>> CudaStream::take_kernel_times() {
  std::vector<double> times;
  auto lease = VYRE_TRY(device_->enter());
  std::lock_guard lock(mutex_);
  if (generation_ != lease.generation) return times;
  const DriverApi& api = device_->api();
  while (!timed_.empty()) {
    const TimedLaunch& timed = timed_.front();
    const CUresult state = api.event_query(timed.end);
    if (state == CUDA_ERROR_NOT_READY) break;
    float ms = 0;
    if (state == CUDA_SUCCESS &&
        api.event_elapsed_time(&ms, timed.start, timed.end) == CUDA_SUCCESS) {
      times.push_back(static_cast<double>(ms));
    }
    free_timing_events_.push_back(timed.start);
    free_timing_events_.push_back(timed.end);
    timed_.pop_front();
  }
  return times;
}

}  // namespace vyre::cuda
