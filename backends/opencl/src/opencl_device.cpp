#include "opencl_device.h"

#include <condition_variable>
#include <vector>

#include <fmt/format.h>

#include "kernel_args.h"
#include "opencl_pipeline.h"
#include "vyre/diag/codes.h"

namespace vyre::opencl {
namespace {

cl_mem mem_of(const DeviceBufferView& view) {
  return reinterpret_cast<cl_mem>(static_cast<std::uintptr_t>(view.allocation->block().handle));
}

bool out_of_memory(cl_int err) {
  return err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES ||
         err == CL_OUT_OF_HOST_MEMORY || err == CL_INVALID_BUFFER_SIZE;
}

class ClMemorySource final : public DeviceMemorySource {
 public:
  explicit ClMemorySource(cl_context context) : context_(context) {}
  Result<MemoryBlock> allocate_block(std::uint64_t bytes) override {
    cl_int err = CL_SUCCESS;
    cl_mem mem = clCreateBuffer(context_, CL_MEM_READ_WRITE, bytes, nullptr, &err);
    if (err != CL_SUCCESS) {
      if (out_of_memory(err)) {
        return Diagnostic::error(
            code::DeviceOutOfMemory,
            fmt::format("clCreateBuffer of {} bytes: {}", bytes, cl_error_name(err)),
            "free device memory");
      }
      return api_error("clCreateBuffer", err, fmt::format("allocating {} bytes", bytes));
    }
    return MemoryBlock{reinterpret_cast<std::uintptr_t>(mem), bytes, nullptr};
  }
  void free_block(const MemoryBlock& block) noexcept override {
    clReleaseMemObject(reinterpret_cast<cl_mem>(static_cast<std::uintptr_t>(block.handle)));
  }

 private:
  cl_context context_;
};

// Completion of one event, signalled from the OpenCL runtime's callback thread: sleeping on it
// instead of clWaitForEvents leaves the CPU to PoCL's own workers, and allows a timeout.
struct Completion {
  std::mutex mutex;
  std::condition_variable signal;
  bool done = false;
  cl_int status = CL_COMPLETE;
};

void CL_CALLBACK on_complete(cl_event, cl_int status, void* user) {
  auto* holder = static_cast<std::shared_ptr<Completion>*>(user);
  {
    std::lock_guard lock((*holder)->mutex);
    (*holder)->done = true;
    (*holder)->status = status;
  }
  (*holder)->signal.notify_all();
  delete holder;
}

Status wait_event(cl_event event, std::chrono::nanoseconds timeout, std::string_view what) {
  auto completion = std::make_shared<Completion>();
  auto* holder = new std::shared_ptr<Completion>(completion);
  cl_int err = clSetEventCallback(event, CL_COMPLETE, on_complete, holder);
  if (err != CL_SUCCESS) {
    delete holder;
    return api_error("clSetEventCallback", err, what);
  }
  std::unique_lock lock(completion->mutex);
  auto done = [&] { return completion->done; };
  if (timeout.count() <= 0) {
    completion->signal.wait(lock, done);
  } else if (!completion->signal.wait_for(lock, timeout, done)) {
    return Diagnostic::error(
        code::StreamTimeout,
        fmt::format("{} on OpenCL not finished after {} ms", what,
                    std::chrono::duration<double, std::milli>(timeout).count()),
        "wait again, or raise the timeout: the work keeps running");
  }
  if (completion->status < 0) {
    return Diagnostic::error(
        code::DeviceLost,
        fmt::format("{} failed on the OpenCL device: {}", what, cl_error_name(completion->status)),
        "check the device and driver; other streams are not affected");
  }
  return Ok{};
}

double profiling_ns(cl_event event, cl_profiling_info what, cl_int* err) {
  cl_ulong value = 0;
  *err = clGetEventProfilingInfo(event, what, sizeof value, &value, nullptr);
  return static_cast<double>(value);
}

class OpenClEvent final : public BackendEvent {
 public:
  explicit OpenClEvent(bool timing) : timing_(timing) {}

  void set(cl_event event) {
    std::lock_guard lock(mutex_);
    event_ = ClEvent(event);
  }
  ClEvent current() {
    std::lock_guard lock(mutex_);
    return event_;
  }

  bool ready() override {
    ClEvent event = current();
    if (!event) return true;
    cl_int status = CL_QUEUED;
    if (clGetEventInfo(event.get(), CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status,
                       nullptr) != CL_SUCCESS) {
      return true;
    }
    return status == CL_COMPLETE || status < 0;
  }
  Status wait(std::chrono::nanoseconds timeout) override {
    ClEvent event = current();
    if (!event) return Ok{};
    return wait_event(event.get(), timeout, "an event");
  }
  Result<double> elapsed_ms_since(const BackendEvent& other) override {
    auto& start = const_cast<OpenClEvent&>(static_cast<const OpenClEvent&>(other));
    ClEvent from = start.current();
    ClEvent to = current();
    auto not_timed = [](std::string why) {
      return Diagnostic::error(code::EventNotTimed, "OpenCL event time: " + why,
                               "create both events with timing on, record and wait for them");
    };
    if (!timing_ || !start.timing_) return not_timed("an event was created without timing");
    if (!from || !to) return not_timed("an event was never recorded");
    if (!start.ready() || !ready()) return not_timed("an event is not complete");
    cl_int e1 = CL_SUCCESS, e2 = CL_SUCCESS;
    const double a = profiling_ns(from.get(), CL_PROFILING_COMMAND_END, &e1);
    const double b = profiling_ns(to.get(), CL_PROFILING_COMMAND_END, &e2);
    if (e1 != CL_SUCCESS || e2 != CL_SUCCESS) {
      return not_timed(fmt::format("the device gave no profiling time ({})",
                                   cl_error_name(e1 != CL_SUCCESS ? e1 : e2)));
    }
    return (b - a) / 1e6;
  }

 private:
  bool timing_;
  std::mutex mutex_;
  ClEvent event_;
};

// An in-order command queue. Every command is flushed at once so the device starts it; the
// allocations commands use are kept until a synchronize() sees them done.
class OpenClStream final : public BackendStream {
 public:
  OpenClStream(ClQueue queue, cl_context context, std::uint64_t base_align_bytes)
      : queue_(std::move(queue)), context_(context), base_align_bytes_(base_align_bytes) {
    retained_.reserve(256);
  }
  ~OpenClStream() override { clFinish(queue_.get()); }

  Status upload(const DeviceBufferView& dst, std::span<const std::uint8_t> src) override {
    std::lock_guard lock(mutex_);
    cl_int err = clEnqueueWriteBuffer(queue_.get(), mem_of(dst), CL_FALSE, dst.offset_bytes,
                                      src.size(), src.data(), 0, nullptr, nullptr);
    if (err != CL_SUCCESS) return api_error("clEnqueueWriteBuffer", err, "uploading");
    return submitted(dst);
  }
  Status download(const DeviceBufferView& src, std::span<std::uint8_t> dst) override {
    std::lock_guard lock(mutex_);
    cl_int err = clEnqueueReadBuffer(queue_.get(), mem_of(src), CL_FALSE, src.offset_bytes,
                                     dst.size(), dst.data(), 0, nullptr, nullptr);
    if (err != CL_SUCCESS) return api_error("clEnqueueReadBuffer", err, "downloading");
    return submitted(src);
  }
  Status copy(const DeviceBufferView& src, const DeviceBufferView& dst) override {
    std::lock_guard lock(mutex_);
    cl_int err = clEnqueueCopyBuffer(queue_.get(), mem_of(src), mem_of(dst), src.offset_bytes,
                                     dst.offset_bytes, dst.size_bytes(), 0, nullptr, nullptr);
    if (err != CL_SUCCESS) return api_error("clEnqueueCopyBuffer", err, "copying");
    retain(src);
    return submitted(dst);
  }
  Status fill(const DeviceBufferView& dst, std::uint64_t pattern) override {
    std::lock_guard lock(mutex_);
    cl_int err =
        clEnqueueFillBuffer(queue_.get(), mem_of(dst), &pattern, ir::size_bytes(dst.element),
                            dst.offset_bytes, dst.size_bytes(), 0, nullptr, nullptr);
    if (err != CL_SUCCESS) return api_error("clEnqueueFillBuffer", err, "filling");
    return submitted(dst);
  }

  Status launch(const CompiledPipeline& compiled, const DeviceBindings& bindings,
                const LaunchGeometry& geometry) override {
    const auto* pipeline = dynamic_cast<const OpenClPipeline*>(&compiled);
    if (pipeline == nullptr) {
      return Diagnostic::error(code::BadBindings, "the pipeline was not compiled by OpenCL",
                               "compile the program with the backend that runs it");
    }
    ClKernel kernel = VYRE_TRY(pipeline->take_kernel());
    // Views that start inside their block are bound through sub-buffers; the enqueued kernel
    // keeps them alive, so they are released right after.
    std::vector<ClMem> sub_buffers;
    Status set = set_arguments(kernel.get(), *pipeline, bindings, sub_buffers);
    if (!set.ok()) {
      pipeline->give_back(std::move(kernel));
      return set;
    }
    std::size_t global[3];
    std::size_t local[3];
    for (int d = 0; d < 3; ++d) {
      local[d] = pipeline->workgroup()[d];
      global[d] = static_cast<std::size_t>(geometry.groups[d]) * local[d];
    }
    std::lock_guard lock(mutex_);
    cl_event event = nullptr;
    const bool timing = timing_;
    cl_int err = CL_SUCCESS;
    if (geometry.invocations() != 0) {
      cl_uint dims = 3;
      while (dims > 1 && global[dims - 1] == 1 && local[dims - 1] == 1) --dims;
      err = clEnqueueNDRangeKernel(queue_.get(), kernel.get(), dims, nullptr, global, local, 0,
                                   nullptr, timing ? &event : nullptr);
    } else if (timing) {
      err = clEnqueueMarkerWithWaitList(queue_.get(), 0, nullptr, &event);
    }
    pipeline->give_back(std::move(kernel));
    if (err != CL_SUCCESS) return api_error("clEnqueueNDRangeKernel", err, "launching");
    if (timing) kernel_events_.emplace_back(event);
    for (const DeviceBufferView& view : bindings.buffers) retain(view);
    clFlush(queue_.get());
    return Ok{};
  }

  Status record(BackendEvent& event) override {
    std::lock_guard lock(mutex_);
    cl_event marker = nullptr;
    cl_int err = clEnqueueMarkerWithWaitList(queue_.get(), 0, nullptr, &marker);
    if (err != CL_SUCCESS) return api_error("clEnqueueMarkerWithWaitList", err, "recording");
    static_cast<OpenClEvent&>(event).set(marker);
    clFlush(queue_.get());
    return Ok{};
  }
  Status wait_for(BackendEvent& event) override {
    ClEvent target = static_cast<OpenClEvent&>(event).current();
    if (!target) return Ok{};
    std::lock_guard lock(mutex_);
    cl_event handle = target.get();
    cl_int err = clEnqueueBarrierWithWaitList(queue_.get(), 1, &handle, nullptr);
    if (err != CL_SUCCESS) return api_error("clEnqueueBarrierWithWaitList", err, "waiting");
    return Ok{};
  }

  Status synchronize(std::chrono::nanoseconds timeout) override {
    cl_event marker = nullptr;
    std::size_t retained = 0;
    {
      std::lock_guard lock(mutex_);
      cl_int err = clEnqueueMarkerWithWaitList(queue_.get(), 0, nullptr, &marker);
      if (err != CL_SUCCESS) return api_error("clEnqueueMarkerWithWaitList", err, "synchronizing");
      clFlush(queue_.get());
      retained = retained_.size();
    }
    ClEvent done(marker);
    VYRE_TRY(wait_event(done.get(), timeout, "a stream's work"));
    std::lock_guard lock(mutex_);
    // Only what was queued before the marker is known done.
    retained_.erase(retained_.begin(), retained_.begin() + static_cast<std::ptrdiff_t>(retained));
    return Ok{};
  }
  bool idle() override {
    cl_event marker = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (clEnqueueMarkerWithWaitList(queue_.get(), 0, nullptr, &marker) != CL_SUCCESS)
        return false;
      clFlush(queue_.get());
    }
    ClEvent done(marker);
    cl_int status = CL_QUEUED;
    clGetEventInfo(done.get(), CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status, nullptr);
    return status == CL_COMPLETE;
  }

  void set_kernel_timing(bool on) override {
    std::lock_guard lock(mutex_);
    timing_ = on;
  }
  Result<std::vector<double>> take_kernel_times() override {
    std::lock_guard lock(mutex_);
    std::vector<double> out;
    std::size_t taken = 0;
    for (const ClEvent& event : kernel_events_) {
      cl_int status = CL_QUEUED;
      clGetEventInfo(event.get(), CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status,
                     nullptr);
      if (status != CL_COMPLETE) break;
      cl_int e1 = CL_SUCCESS, e2 = CL_SUCCESS;
      const double start = profiling_ns(event.get(), CL_PROFILING_COMMAND_START, &e1);
      const double end = profiling_ns(event.get(), CL_PROFILING_COMMAND_END, &e2);
      if (e1 != CL_SUCCESS || e2 != CL_SUCCESS) {
        return api_error("clGetEventProfilingInfo", e1 != CL_SUCCESS ? e1 : e2,
                         "reading a kernel's device time");
      }
      out.push_back((end - start) / 1e6);
      ++taken;
    }
    kernel_events_.erase(kernel_events_.begin(),
                         kernel_events_.begin() + static_cast<std::ptrdiff_t>(taken));
    return out;
  }

 private:
  void retain(const DeviceBufferView& view) {
    retained_.push_back(view.allocation->shared_from_this());
  }
  Status submitted(const DeviceBufferView& view) {
    retain(view);
    clFlush(queue_.get());
    return Ok{};
  }

  Status set_arguments(cl_kernel kernel, const OpenClPipeline& pipeline,
                       const DeviceBindings& bindings, std::vector<ClMem>& sub_buffers) {
    // A view that starts inside its allocation is bound as a sub-buffer.
    auto memory = [&](std::uint32_t i) -> Result<cl_mem> {
      const DeviceBufferView& view = bindings.buffers[i];
      cl_mem mem = mem_of(view);
      if (view.offset_bytes != 0) {
        if (view.offset_bytes % base_align_bytes_ != 0) {
          return Diagnostic::error(
              code::ViewNotBindable,
              fmt::format("buffer argument {} is a view starting at byte {}, which is not a "
                          "multiple of this device's base address alignment ({} bytes)",
                          i, view.offset_bytes, base_align_bytes_),
              fmt::format("start the view at a multiple of {} elements, or copy the range "
                          "into its own buffer",
                          base_align_bytes_ / ir::size_bytes(view.element)));
        }
        cl_buffer_region region{view.offset_bytes, std::max<std::uint64_t>(view.size_bytes(), 1)};
        cl_int sub_err = CL_SUCCESS;
        cl_mem sub = clCreateSubBuffer(mem, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION,
                                       &region, &sub_err);
        if (sub_err != CL_SUCCESS) return api_error("clCreateSubBuffer", sub_err, "binding a view");
        sub_buffers.emplace_back(sub);
        mem = sub;
      }
      return mem;
    };
    return set_kernel_args(
        kernel, pipeline.args(), memory, [&](std::uint32_t i) { return bindings.buffers[i].count; },
        bindings.params, bindings.sizes);
  }

  ClQueue queue_;
  cl_context context_;
  std::uint64_t base_align_bytes_;
  std::mutex mutex_;
  bool timing_ = false;
  std::vector<ClEvent> kernel_events_;
  std::vector<std::shared_ptr<DeviceAllocation>> retained_;
};

// A CL_MEM_ALLOC_HOST_PTR buffer mapped for its lifetime: host memory the device reaches
// without a staging copy where the platform supports it.
class MappedHostMemory final : public PinnedMemory {
 public:
  MappedHostMemory(ClMem mem, ClQueue queue, std::uint8_t* data, std::uint64_t bytes)
      : mem_(std::move(mem)), queue_(std::move(queue)), data_(data), bytes_(bytes) {}
  ~MappedHostMemory() override {
    clEnqueueUnmapMemObject(queue_.get(), mem_.get(), data_, 0, nullptr, nullptr);
    clFinish(queue_.get());
  }
  std::span<std::uint8_t> bytes() override { return {data_, bytes_}; }
  bool pinned() const override { return true; }

 private:
  ClMem mem_;
  ClQueue queue_;
  std::uint8_t* data_;
  std::uint64_t bytes_;
};

Result<ClQueue> make_queue(cl_context context, cl_device_id device) {
  cl_int err = CL_SUCCESS;
  cl_command_queue queue = clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, &err);
  if (err != CL_SUCCESS) return api_error("clCreateCommandQueue", err, "creating a stream");
  return ClQueue(queue);
}

}  // namespace

OpenClDevice::OpenClDevice(const Backend& backend, cl_context context, cl_device_id device)
    : context_(context), device_(device) {
  cl_uint align_bits = 0;
  if (clGetDeviceInfo(device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits,
                      nullptr) == CL_SUCCESS &&
      align_bits >= 8) {
    base_align_bytes_ = align_bits / 8;
  }
  allocator_ = CachingAllocator::create(std::make_unique<ClMemorySource>(context),
                                        DeviceKey{&backend, 0}, std::string(backend.id()) + ":0");
}

Result<std::shared_ptr<BackendStream>> OpenClDevice::default_stream() {
  std::lock_guard lock(mutex_);
  if (!default_stream_) {
    ClQueue queue = VYRE_TRY(make_queue(context_, device_));
    default_stream_ = std::make_shared<OpenClStream>(std::move(queue), context_, base_align_bytes_);
  }
  return default_stream_;
}

Result<std::shared_ptr<BackendStream>> OpenClDevice::create_stream() {
  ClQueue queue = VYRE_TRY(make_queue(context_, device_));
  return std::shared_ptr<BackendStream>(
      std::make_shared<OpenClStream>(std::move(queue), context_, base_align_bytes_));
}

std::shared_ptr<BackendEvent> OpenClDevice::create_event(bool timing) {
  return std::make_shared<OpenClEvent>(timing);
}

Result<std::unique_ptr<PinnedMemory>> OpenClDevice::allocate_pinned(std::uint64_t bytes) {
  cl_int err = CL_SUCCESS;
  ClMem mem(clCreateBuffer(context_, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR,
                           std::max<std::uint64_t>(bytes, 1), nullptr, &err));
  if (err != CL_SUCCESS) return api_error("clCreateBuffer(CL_MEM_ALLOC_HOST_PTR)", err);
  ClQueue queue = VYRE_TRY(make_queue(context_, device_));
  void* data = clEnqueueMapBuffer(queue.get(), mem.get(), CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0,
                                  std::max<std::uint64_t>(bytes, 1), 0, nullptr, nullptr, &err);
  if (err != CL_SUCCESS) return api_error("clEnqueueMapBuffer", err, "mapping pinned memory");
  return std::unique_ptr<PinnedMemory>(std::make_unique<MappedHostMemory>(
      std::move(mem), std::move(queue), static_cast<std::uint8_t*>(data), bytes));
}

}  // namespace vyre::opencl
