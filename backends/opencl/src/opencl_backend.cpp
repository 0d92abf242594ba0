// OpenClBackend: compile and compile_many (generate OpenCL C and build it, one program or many in
// one cl_program: pipeline_builder.h), serialize/load (program binaries), and dispatch (buffers
// in, NDRange, non-blocking read-back, completion by event callback).
#include <algorithm>
#include <condition_variable>
#include <mutex>

#include <fmt/format.h>

#include "cl_handle.h"
#include "device.h"
#include "kernel_args.h"
#include "opencl_device.h"
#include "opencl_pipeline.h"
#include "pipeline_builder.h"
#include "pipeline_format.h"
#include "vyre/backends/c_kernel_batch.h"
#include "vyre/backends/opencl/backend.h"
#include "vyre/backends/opencl/codes.h"
#include "vyre/backends/opencl/environment.h"
#include "vyre/ir/barriers.h"

namespace vyre::opencl {
namespace {

// Completion of one dispatch, signalled from the OpenCL runtime's callback thread.
struct Completion {
  std::mutex mutex;
  std::condition_variable done_signal;
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
  (*holder)->done_signal.notify_all();
  delete holder;
}

class OpenClPendingDispatch final : public PendingDispatch {
 public:
  OpenClPendingDispatch(ClEvent kernel_done, ClEvent all_done, std::vector<ClMem> buffers,
                        std::shared_ptr<Completion> completion, std::string label)
      : kernel_done_(std::move(kernel_done)),
        all_done_(std::move(all_done)),
        buffers_(std::move(buffers)),
        completion_(std::move(completion)),
        label_(std::move(label)) {}

  // The read-backs write into the caller's buffers: never let them outlive this object.
  ~OpenClPendingDispatch() override {
    std::unique_lock lock(completion_->mutex);
    completion_->done_signal.wait(lock, [&] { return completion_->done; });
  }

  bool ready() override {
    cl_int status = CL_QUEUED;
    if (clGetEventInfo(all_done_.get(), CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status, &status,
                       nullptr) != CL_SUCCESS) {
      return true;  // wait() reports the problem
    }
    return status == CL_COMPLETE || status < 0;
  }

  Status wait(std::chrono::nanoseconds timeout) override {
    // Sleep on the completion callback rather than clWaitForEvents, which may spin (PoCL's
    // does) and then competes with the device's own worker threads on a CPU device.
    std::unique_lock lock(completion_->mutex);
    auto done = [&] { return completion_->done; };
    if (timeout.count() <= 0) {
      completion_->done_signal.wait(lock, done);
    } else if (!completion_->done_signal.wait_for(lock, timeout, done)) {
      return Diagnostic::error(
          code::DispatchTimeout,
          fmt::format("OpenCL dispatch{} still running after {} ms", label_suffix(),
                      std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()),
          "wait again, or raise DispatchConfig::timeout; the dispatch keeps running");
    }
    lock.unlock();
    for (const ClEvent* event : {&kernel_done_, &all_done_}) {
      cl_int status = CL_COMPLETE;
      cl_int err = clGetEventInfo(event->get(), CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof status,
                                  &status, nullptr);
      if (err != CL_SUCCESS) return api_error("clGetEventInfo", err, "waiting for a dispatch");
      if (status < 0) {
        return Diagnostic::error(
            code::DispatchFailed,
            fmt::format("OpenCL dispatch{} failed on the device: {}", label_suffix(),
                        cl_error_name(status)),
            "check the device's memory and driver; run on the reference backend to compare");
      }
    }
    return Ok{};
  }

 private:
  std::string label_suffix() const { return label_.empty() ? "" : " `" + label_ + "`"; }
  ClEvent kernel_done_;
  ClEvent all_done_;
  std::vector<ClMem> buffers_;  // device memory stays alive until the dispatch is done
  std::shared_ptr<Completion> completion_;
  std::string label_;
};

class OpenClBackend final : public Backend {
 public:
  static Result<std::shared_ptr<Backend>> create(const OpenClBackendOptions& options) {
    auto devices = VYRE_TRY(enumerate_devices());
    std::optional<std::string> selector = options.device;
    if (!selector) selector = env_value(kDeviceVariable);
    DeviceEntry entry = VYRE_TRY(select_device(devices, selector));
    auto backend = std::shared_ptr<OpenClBackend>(new OpenClBackend());
    backend->entry_ = entry;
    backend->properties_ = read_device_properties(entry);
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM,
                                     reinterpret_cast<cl_context_properties>(entry.platform), 0};
    cl_int err = CL_SUCCESS;
    cl_context context = clCreateContext(props, 1, &entry.device, nullptr, nullptr, &err);
    if (err != CL_SUCCESS) return api_error("clCreateContext", err, entry.describe());
    backend->context_ = ClContext(context);
    cl_command_queue queue = clCreateCommandQueue(context, entry.device, 0, &err);
    if (err != CL_SUCCESS) return api_error("clCreateCommandQueue", err, entry.describe());
    backend->queue_ = ClQueue(queue);
    // Exact IEEE arithmetic: correctly rounded f32 divide and sqrt; no fast-math, no
    // denormal flushing, no contraction (the source also says FP_CONTRACT OFF).
    BuildTarget& target = backend->target_;
    target.owner = backend.get();
    target.context = context;
    target.device = entry.device;
    // -w: the generated code is not the user's to fix, and PoCL prints "N warnings generated."
    // to stderr for unused values of random programs; errors still come back in the build log.
    target.options = "-cl-std=CL1.2 -w";
    if (backend->properties_.correctly_rounded_divide_sqrt) {
      target.options += " -cl-fp32-correctly-rounded-divide-sqrt";
    }
    target.emit.dialect = codegen::Dialect::OpenCL;
    target.emit.int64_atomics = backend->properties_.capabilities.atomics64;
    target.emit.fp64 = backend->properties_.capabilities.f64;
    target.emit.backend_id = std::string(kBackendId);
    backend->lowerings_ = codegen::c_lowerings(codegen::Dialect::OpenCL);
    for (const auto& [op, text] : options.extra_lowerings) backend->lowerings_[op] = text;
    target.emit.lowerings = &backend->lowerings_;
    backend->device_ = std::make_unique<OpenClDevice>(*backend, context, entry.device);
    return std::shared_ptr<Backend>(std::move(backend));
  }

  std::string_view id() const override { return kBackendId; }
  const Capabilities& capabilities() const override { return properties_.capabilities; }
  const DeviceFingerprint& fingerprint() const override { return properties_.fingerprint; }
  std::vector<std::string> supported_ops() const override {
    return codegen::lowered_ops(lowerings_);
  }

  Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program& program,
                                                          const DispatchConfig& config) override {
    if (auto refused = refusal(program)) return *refused;
    return build_pipeline(target_, program, config);
  }

  std::vector<Result<std::shared_ptr<const CompiledPipeline>>> compile_many(
      std::span<const ir::Program* const> programs, const DispatchConfig& config) override {
    std::vector<const ir::Program*> buildable;
    for (const ir::Program* program : programs) {
      if (!refusal(*program)) buildable.push_back(program);
    }
    if (buildable.size() == programs.size()) return build_pipelines(target_, programs, config);
    auto built = build_pipelines(target_, buildable, config);
    std::vector<Result<std::shared_ptr<const CompiledPipeline>>> out;
    out.reserve(programs.size());
    std::size_t next = 0;
    for (const ir::Program* program : programs) {
      if (auto refused = refusal(*program)) {
        out.emplace_back(std::move(*refused));
      } else {
        out.push_back(std::move(built[next++]));
      }
    }
    return out;
  }

  // A pipeline of a batch (compile_many) serializes the whole batch's program binary with its
  // own entry name: one build serves many cache entries, at the price of each entry holding
  // every kernel of its batch (bigger entries, and a disk load builds the whole binary). load()
  // accepts an entry only if it is this program's own (codegen::is_program_entry), so a batch
  // binary never serves another program's kernel.
  Result<std::vector<std::uint8_t>> serialize(const CompiledPipeline& compiled) const override {
    const auto* pipeline = dynamic_cast<const OpenClPipeline*>(&compiled);
    if (pipeline == nullptr) {
      return Diagnostic::error(code::BadBindings,
                               "serialize() was given another backend's pipeline",
                               "pass pipelines back to the backend that compiled them");
    }
    std::size_t size = 0;
    cl_int err = clGetProgramInfo(pipeline->program_handle(), CL_PROGRAM_BINARY_SIZES, sizeof size,
                                  &size, nullptr);
    if (err != CL_SUCCESS) return api_error("clGetProgramInfo(CL_PROGRAM_BINARY_SIZES)", err);
    PipelineImage image;
    image.binary.resize(size);
    unsigned char* target = image.binary.data();
    err = clGetProgramInfo(pipeline->program_handle(), CL_PROGRAM_BINARIES, sizeof target, &target,
                           nullptr);
    if (err != CL_SUCCESS) return api_error("clGetProgramInfo(CL_PROGRAM_BINARIES)", err);
    image.program = pipeline->program().digest();
    image.workgroup = pipeline->workgroup();
    image.ulp_budget = pipeline->ulp_budget();
    image.entry = pipeline->entry();
    image.args = pipeline->args();
    return encode_pipeline(image);
  }

  Result<std::shared_ptr<const CompiledPipeline>> load(
      const ir::Program& program, const DispatchConfig& config,
      std::span<const std::uint8_t> bytes) override {
    if (auto refused = refusal(program)) return *refused;
    PipelineImage image = VYRE_TRY(decode_pipeline(bytes));
    const auto workgroup = effective_workgroup(program, config);
    auto reject = [](std::string why) {
      return Diagnostic::error(code::BadPipelineBytes,
                               "serialized OpenCL pipeline rejected: " + why,
                               "nothing to fix by hand: the pipeline cache drops the entry and "
                               "recompiles");
    };
    if (image.program != program.digest()) return reject("it was built for another program");
    if (image.workgroup != workgroup) return reject("it was built for another workgroup size");
    if (image.ulp_budget != config.ulp_budget) return reject("it was built for another ULP budget");
    if (!codegen::is_program_entry(image.entry, program)) {
      return reject("its kernel entry `" + image.entry + "` is not this program's");
    }
    if (!codegen::has_kernel_args(image.args, program)) {
      return reject("its kernel arguments do not match the program");
    }

    const unsigned char* binary = image.binary.data();
    const std::size_t length = image.binary.size();
    cl_int binary_status = CL_SUCCESS;
    cl_int err = CL_SUCCESS;
    ClProgram built(clCreateProgramWithBinary(context_.get(), 1, &entry_.device, &length, &binary,
                                              &binary_status, &err));
    if (err != CL_SUCCESS || binary_status != CL_SUCCESS) {
      return reject(fmt::format("the device refused the binary ({})",
                                cl_error_name(err != CL_SUCCESS ? err : binary_status)));
    }
    err = clBuildProgram(built.get(), 1, &entry_.device, target_.options.c_str(), nullptr, nullptr);
    if (err != CL_SUCCESS) {
      return reject(fmt::format("building it failed ({})", cl_error_name(err)));
    }
    auto pipeline =
        std::make_shared<OpenClPipeline>(*this, program, workgroup, std::move(built), image.entry,
                                         std::move(image.args), config.ulp_budget, nullptr);
    auto probe = pipeline->take_kernel();
    if (!probe) return reject("it has no kernel `" + image.entry + "`");
    pipeline->give_back(std::move(*probe));
    return std::shared_ptr<const CompiledPipeline>(std::move(pipeline));
  }

 protected:
  Result<std::unique_ptr<PendingDispatch>> launch_async(const CompiledPipeline& compiled,
                                                        Bindings& bindings,
                                                        const LaunchGeometry& geometry,
                                                        const DispatchConfig& config) override {
    // validate_dispatch checked the owner: the pipeline is one of ours.
    const auto* pipeline = static_cast<const OpenClPipeline*>(&compiled);
    const ir::ProgramData& p = pipeline->program().data();

    // Device buffers, initialised from the host (a write-only buffer too: elements the kernel
    // does not write keep their host value, as on the reference backend). OpenCL cannot make a
    // zero-byte buffer, so an empty one gets a small allocation and length 0.
    std::vector<ClMem> memory;
    memory.reserve(p.buffers.size());
    for (std::size_t i = 0; i < p.buffers.size(); ++i) {
      HostBuffer& host = bindings.buffers[i];
      cl_mem_flags flags = p.buffers[i].access == ir::Access::Read    ? CL_MEM_READ_ONLY
                           : p.buffers[i].access == ir::Access::Write ? CL_MEM_WRITE_ONLY
                                                                      : CL_MEM_READ_WRITE;
      const bool empty = host.size_bytes() == 0;
      if (!empty) flags |= CL_MEM_COPY_HOST_PTR;
      cl_int err = CL_SUCCESS;
      cl_mem mem = clCreateBuffer(context_.get(), flags, empty ? 16 : host.size_bytes(),
                                  empty ? nullptr : host.data(), &err);
      if (err != CL_SUCCESS) {
        return api_error(
            "clCreateBuffer", err,
            fmt::format("allocating buffer `{}` ({} bytes)", p.buffers[i].name, host.size_bytes()));
      }
      memory.emplace_back(mem);
    }

    ClKernel kernel = VYRE_TRY(pipeline->take_kernel());
    VYRE_TRY(set_arguments(kernel.get(), *pipeline, bindings, memory));

    std::size_t global[3];
    std::size_t local[3];
    for (int d = 0; d < 3; ++d) {
      local[d] = pipeline->workgroup()[d];
      global[d] = static_cast<std::size_t>(geometry.groups[d]) * local[d];
    }
    auto completion = std::make_shared<Completion>();
    cl_event kernel_event = nullptr;
    cl_event last_event = nullptr;
    {
      std::lock_guard lock(queue_mutex_);
      if (geometry.invocations() == 0) {
        // Nothing to run: a marker stands in for the kernel, so waiting still works.
        cl_int err = clEnqueueMarkerWithWaitList(queue_.get(), 0, nullptr, &kernel_event);
        if (err != CL_SUCCESS) return api_error("clEnqueueMarkerWithWaitList", err);
      } else {
        // As few dimensions as the launch has: a 1-D range is cheaper to schedule than a 3-D
        // one of the same size (the kernel's ids read 0 and sizes 1 in unused dimensions).
        cl_uint dims = 3;
        while (dims > 1 && global[dims - 1] == 1 && local[dims - 1] == 1) --dims;
        cl_int err = clEnqueueNDRangeKernel(queue_.get(), kernel.get(), dims, nullptr, global,
                                            local, 0, nullptr, &kernel_event);
        if (err != CL_SUCCESS) {
          return api_error("clEnqueueNDRangeKernel", err,
                           fmt::format("launching {} groups of ({}, {}, {})",
                                       geometry.groups[0] * geometry.groups[1] * geometry.groups[2],
                                       local[0], local[1], local[2]));
        }
      }
      pipeline->give_back(std::move(kernel));
      ClEvent kernel_done(kernel_event);
      // Only buffers the program may write come back; the queue is in order, so the last read
      // completes after the kernel and every read before it.
      last_event = kernel_event;
      clRetainEvent(last_event);
      for (std::size_t i = 0; i < p.buffers.size(); ++i) {
        HostBuffer& host = bindings.buffers[i];
        if (!ir::can_write(p.buffers[i].access) || host.size_bytes() == 0) continue;
        cl_event read_event = nullptr;
        cl_int err = clEnqueueReadBuffer(queue_.get(), memory[i].get(), CL_FALSE, 0,
                                         host.size_bytes(), host.data(), 0, nullptr, &read_event);
        if (err != CL_SUCCESS) {
          clReleaseEvent(last_event);
          clFinish(queue_.get());  // earlier reads target the caller's memory: let them land
          return api_error("clEnqueueReadBuffer", err,
                           fmt::format("reading back buffer `{}`", p.buffers[i].name));
        }
        clReleaseEvent(last_event);
        last_event = read_event;
      }
      clFlush(queue_.get());
      ClEvent all_done(last_event);
      auto* holder = new std::shared_ptr<Completion>(completion);
      cl_int err = clSetEventCallback(all_done.get(), CL_COMPLETE, on_complete, holder);
      if (err != CL_SUCCESS) {
        delete holder;
        clFinish(queue_.get());
        return api_error("clSetEventCallback", err);
      }
      return std::unique_ptr<PendingDispatch>(
          new OpenClPendingDispatch(std::move(kernel_done), std::move(all_done), std::move(memory),
                                    std::move(completion), config.label));
    }
  }

  // Device memory, streams and events: opencl_device.h.
  Result<std::shared_ptr<CachingAllocator>> device_allocator(std::uint32_t) override {
    return device_->allocator();
  }
  Result<std::shared_ptr<BackendStream>> default_stream(std::uint32_t) override {
    return device_->default_stream();
  }
  Result<std::shared_ptr<BackendStream>> create_stream(std::uint32_t) override {
    return device_->create_stream();
  }
  Result<std::shared_ptr<BackendEvent>> create_event(std::uint32_t, bool timing) override {
    return device_->create_event(timing);
  }
  Result<std::unique_ptr<PinnedMemory>> allocate_pinned(std::uint64_t bytes) override {
    return device_->allocate_pinned(bytes);
  }

 private:
  OpenClBackend() = default;

  // A program this device's compiler is known to get wrong (Capabilities::barriers_under_if):
  // refused, so it never runs here; routing takes it to another backend.
  std::optional<Diagnostic> refusal(const ir::Program& program) const {
    if (properties_.capabilities.barriers_under_if || !ir::has_barrier_under_if(*program)) {
      return std::nullopt;
    }
    return Diagnostic::error(
        code::BackendLacksFeature,
        fmt::format("backend `opencl` cannot run `{}`: {} miscompiles a barrier inside an `if` "
                    "(its kernels store past their bounds)",
                    program->name, entry_.platform_name),
        "run it on another backend (routing picks one when --backend is not given), or move "
        "the barrier out of the `if`");
  }

  static Status set_arguments(cl_kernel kernel, const OpenClPipeline& pipeline,
                              const Bindings& bindings, const std::vector<ClMem>& memory) {
    return set_kernel_args(
        kernel, pipeline.args(), [&](std::uint32_t i) -> Result<cl_mem> { return memory[i].get(); },
        [&](std::uint32_t i) { return bindings.buffers[i].count(); }, bindings.params,
        bindings.sizes);
  }

  DeviceEntry entry_;
  DeviceProperties properties_;
  ClContext context_;
  ClQueue queue_;
  std::mutex queue_mutex_;
  codegen::LoweringTable lowerings_;  // the generator's, plus the options' extra ones
  BuildTarget target_;                // context, device, build options, generator options
  // Declared last: destroyed first, while the context it allocates from still exists.
  std::unique_ptr<OpenClDevice> device_;
};

}  // namespace

Result<std::shared_ptr<Backend>> make_opencl_backend(const OpenClBackendOptions& options) {
  return OpenClBackend::create(options);
}

Status probe_opencl(const OpenClBackendOptions& options) {
  auto devices = VYRE_TRY(enumerate_devices());
  std::optional<std::string> selector = options.device;
  if (!selector) selector = env_value(kDeviceVariable);
  VYRE_TRY(select_device(devices, selector));
  return Ok{};
}

Result<std::vector<std::string>> list_opencl_devices() {
  auto devices = VYRE_TRY(enumerate_devices());
  std::vector<std::string> out;
  for (const DeviceEntry& e : devices) out.push_back(e.describe());
  return out;
}

BackendProvider opencl_backend_provider(int priority) {
  BackendProvider provider;
  provider.id = std::string(kBackendId);
  provider.priority = priority;
  provider.origin = "backends/opencl";
  provider.probe = [] { return probe_opencl(); };
  provider.factory = []() -> Result<std::shared_ptr<Backend>> { return make_opencl_backend(); };
  return provider;
}

}  // namespace vyre::opencl
