#include "cuda_dispatch.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "vyre/backends/cuda/codes.h"

namespace vyre::cuda {
namespace {

using Clock = std::chrono::steady_clock;

// Polling a finite wait: spin (yielding) this long first, so short kernels finish with no sleep
// latency, then sleep with doubling intervals up to the cap.
constexpr auto kSpinFor = std::chrono::microseconds(200);
constexpr auto kFirstSleep = std::chrono::microseconds(20);
constexpr auto kMaxSleep = std::chrono::milliseconds(1);

class CudaPendingDispatch final : public PendingDispatch {
 public:
  CudaPendingDispatch(std::shared_ptr<CudaDevice> device, Bindings& bindings,
                      const ir::Program& program)
      : device_(std::move(device)), bindings_(bindings), name_(program->name) {
    memory_.assign(bindings.buffers.size(), 0);
    for (std::size_t i = 0; i < program->buffers.size(); ++i) {
      if (ir::can_write(program->buffers[i].access)) writable_.push_back(i);
    }
  }
  ~CudaPendingDispatch() override {
    if (finished_ || generation_ == 0) return;
    // Dropped before completion: wait for the kernel, so device memory is not freed under it.
    auto lease = device_->enter();
    if (!lease.ok() || lease->generation != generation_) return;
    if (event_ != nullptr) device_->api().event_synchronize(event_);
    release(*lease);
  }

  // Allocates, uploads, launches and records the completion event, under one lease.
  Status enqueue(const CudaPipeline& pipeline, const LaunchGeometry& geometry,
                 const CudaDevice::Lease& lease, CallCheck& check);
  // After enqueue failed: frees what it made (unless the context died with it).
  void abandon(const CudaDevice::Lease* lease) {
    if (lease != nullptr && lease->generation == generation_) release(*lease);
    finished_ = true;
  }

  bool ready() override;
  Status wait(std::chrono::nanoseconds timeout) override;

 private:
  void release(const CudaDevice::Lease& lease);
  Status complete(const CudaDevice::Lease& lease, CallCheck& check);
  Status finish(Status status) {
    finished_ = true;
    result_ = status;
    return status;
  }

  std::shared_ptr<CudaDevice> device_;
  Bindings& bindings_;
  std::string name_;
  std::vector<std::size_t> writable_;
  std::vector<CUdeviceptr> memory_;  // per buffer; 0 for zero-length buffers
  CUevent event_ = nullptr;
  std::uint64_t generation_ = 0;
  bool finished_ = false;
  Status result_;
};

Status CudaPendingDispatch::enqueue(const CudaPipeline& pipeline, const LaunchGeometry& geometry,
                                    const CudaDevice::Lease& lease, CallCheck& check) {
  const DriverApi& api = device_->api();
  const ir::ProgramData& p = *pipeline.program();
  generation_ = lease.generation;
  const CUfunction function = VYRE_TRY(pipeline.function(lease, check));

  for (std::size_t i = 0; i < bindings_.buffers.size(); ++i) {
    HostBuffer& host = bindings_.buffers[i];
    if (host.size_bytes() == 0) continue;
    const std::string during = "allocating buffer `" + p.buffers[i].name + "` (" +
                               std::to_string(host.size_bytes()) + " bytes)";
    VYRE_TRY(check(api.mem_alloc(&memory_[i], host.size_bytes()), "cuMemAlloc", during));
    if (p.buffers[i].access == ir::Access::Write) {
      // Outputs start zeroed, as the runtime's host-side output buffers do.
      VYRE_TRY(check(api.memset_d8_async(memory_[i], 0, host.size_bytes(), lease.stream),
                     "cuMemsetD8Async", "clearing buffer `" + p.buffers[i].name + "`"));
    } else {
      VYRE_TRY(
          check(api.memcpy_htod_async(memory_[i], host.data(), host.size_bytes(), lease.stream),
                "cuMemcpyHtoDAsync", "uploading buffer `" + p.buffers[i].name + "`"));
    }
  }

  // Every argument gets an 8-byte slot; 4-byte values sit in the low half (little-endian).
  const std::vector<codegen::KernelArg>& args = pipeline.image().args;
  std::vector<std::uint64_t> slots(args.size(), 0);
  std::vector<void*> pointers(args.size(), nullptr);
  for (std::size_t a = 0; a < args.size(); ++a) {
    const codegen::KernelArg& arg = args[a];
    switch (arg.kind) {
      case codegen::KernelArg::BufferPointer:
        slots[a] = memory_.at(arg.index);
        break;
      case codegen::KernelArg::BufferLength:
        slots[a] = bindings_.buffers.at(arg.index).count();
        break;
      case codegen::KernelArg::Param: {
        const Scalar& value = bindings_.params.at(arg.index);
        slots[a] = value.type == ir::Type::Bool ? (value.bits != 0 ? 1 : 0) : value.bits;
        break;
      }
      case codegen::KernelArg::Size:
        slots[a] = static_cast<std::uint32_t>(bindings_.sizes.at(arg.index));
        break;
    }
    pointers[a] = &slots[a];
  }

  // An empty grid (a size of 0) runs no invocation; CUDA rejects a zero grid dimension, so skip
  // the launch and let the event below complete the (empty) dispatch.
  const bool empty_grid =
      geometry.groups[0] == 0 || geometry.groups[1] == 0 || geometry.groups[2] == 0;
  if (!empty_grid) {
    VYRE_TRY(
        check(api.launch_kernel(function, static_cast<unsigned>(geometry.groups[0]),
                                static_cast<unsigned>(geometry.groups[1]),
                                static_cast<unsigned>(geometry.groups[2]), geometry.workgroup[0],
                                geometry.workgroup[1], geometry.workgroup[2], 0, lease.stream,
                                pointers.data(), nullptr),
              "cuLaunchKernel", "launching kernel `" + p.name + "`"));
  }
  event_ = VYRE_TRY(device_->take_event(lease, check));
  VYRE_TRY(check(api.event_record(event_, lease.stream), "cuEventRecord",
                 "recording the completion of kernel `" + p.name + "`"));
  return Ok{};
}

void CudaPendingDispatch::release(const CudaDevice::Lease& lease) {
  const DriverApi& api = device_->api();
  for (CUdeviceptr& memory : memory_) {
    if (memory != 0) api.mem_free(memory);
    memory = 0;
  }
  if (event_ != nullptr) device_->give_event(lease, event_);
  event_ = nullptr;
}

// The kernel has finished: read the writable buffers back.
Status CudaPendingDispatch::complete(const CudaDevice::Lease& lease, CallCheck& check) {
  const DriverApi& api = device_->api();
  for (std::size_t i : writable_) {
    HostBuffer& host = bindings_.buffers[i];
    if (host.size_bytes() == 0) continue;
    VYRE_TRY(check(api.memcpy_dtoh_async(host.data(), memory_[i], host.size_bytes(), lease.stream),
                   "cuMemcpyDtoHAsync",
                   "reading back buffer " + std::to_string(i) + " of `" + name_ + "`"));
  }
  if (!writable_.empty()) {
    VYRE_TRY(check(api.event_record(event_, lease.stream), "cuEventRecord", "reading back"));
    VYRE_TRY(check(api.event_synchronize(event_), "cuEventSynchronize", "reading back"));
  }
  return Ok{};
}

bool CudaPendingDispatch::ready() {
  if (finished_) return true;
  auto lease = device_->enter();
  if (!lease.ok() || lease->generation != generation_) return true;  // wait() reports it
  return device_->api().event_query(event_) != CUDA_ERROR_NOT_READY;
}

Status CudaPendingDispatch::wait(std::chrono::nanoseconds timeout) {
  if (finished_) return result_;
  const DriverApi& api = device_->api();
  const auto start = Clock::now();
  auto sleep = std::chrono::duration_cast<Clock::duration>(kFirstSleep);
  for (;;) {
    std::optional<CudaDevice::Lease> lease;
    {
      auto entered = device_->enter();
      if (!entered.ok()) return finish(std::move(entered).error());
      lease.emplace(std::move(*entered));
    }
    if (lease->generation != generation_) {
      return finish(Diagnostic::error(code::DeviceLost,
                                      "the CUDA context was reset while kernel `" + name_ +
                                          "` was running; its results are lost",
                                      "retry the dispatch"));
    }
    CallCheck check(api);
    // Zero timeout: block in the driver, which returns as soon as the event completes.
    const CUresult state =
        timeout.count() == 0 ? api.event_synchronize(event_) : api.event_query(event_);
    if (state == CUDA_ERROR_NOT_READY) {
      lease.reset();  // never sleep holding a lease: it would hold off a context rebuild
      const auto waited = Clock::now() - start;
      if (waited >= timeout) {
        return Diagnostic::error(
            code::DispatchTimeout,
            "kernel `" + name_ + "` did not finish within " +
                std::to_string(
                    std::chrono::duration_cast<std::chrono::microseconds>(timeout).count()) +
                " us; it keeps running",
            "wait again, or raise DispatchConfig::timeout");
      }
      if (waited < kSpinFor) {
        std::this_thread::yield();
      } else {
        std::this_thread::sleep_for(std::min<Clock::duration>(sleep, timeout - waited));
        sleep = std::min<Clock::duration>(sleep * 2, kMaxSleep);
      }
      continue;
    }
    Status status = state == CUDA_SUCCESS
                        ? complete(*lease, check)
                        : check(state, "cuEventQuery", "waiting for kernel `" + name_ + "`");
    if (check.poison) {
      const std::uint64_t generation = lease->generation;
      lease.reset();
      // The reset frees this dispatch's memory and event with the context.
      return finish(device_->recover(*check.poison, generation, "running kernel `" + name_ + "`"));
    }
    release(*lease);
    return finish(std::move(status));
  }
}

}  // namespace

Result<std::unique_ptr<PendingDispatch>> start_dispatch(const std::shared_ptr<CudaDevice>& device,
                                                        const CudaPipeline& pipeline,
                                                        Bindings& bindings,
                                                        const LaunchGeometry& geometry) {
  auto pending = std::make_unique<CudaPendingDispatch>(device, bindings, pipeline.program());
  CallCheck check(device->api());
  std::uint64_t generation = 0;
  {
    auto lease = VYRE_TRY(device->enter());
    generation = lease.generation;
    Status started = pending->enqueue(pipeline, geometry, lease, check);
    if (started.ok()) return std::unique_ptr<PendingDispatch>(std::move(pending));
    if (!check.poison) {
      pending->abandon(&lease);
      return std::move(started).error();
    }
  }
  pending->abandon(nullptr);
  return device->recover(*check.poison, generation,
                         "starting kernel `" + pipeline.program()->name + "`");
}

}  // namespace vyre::cuda
