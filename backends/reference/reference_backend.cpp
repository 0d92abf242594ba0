#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "interpreter.h"
#include "kernel_info.h"
#include "reference_device.h"
#include "reference_pipeline.h"
#include "vyre/backends/reference.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/ops.h"

namespace vyre {
namespace {

using reference::KernelInfo;

// Bump when the interpreter's semantics change: it is the "compiler" of the cache key.
constexpr std::string_view kInterpreterRevision = "reference-interpreter 2";
constexpr std::uint8_t kPipelineMagic[8] = {'V', 'Y', 'R', 'E', 'F', 'P', 'L', '1'};

using reference::ReferencePipeline;

Result<std::shared_ptr<const CompiledPipeline>> make_pipeline(const Backend& owner,
                                                              const ir::Program& program,
                                                              const DispatchConfig& config) {
  auto workgroup = effective_workgroup(program, config);
  if (workgroup[0] == 0 || workgroup[1] == 0 || workgroup[2] == 0) {
    return Diagnostic::error(code::WorkgroupTooLarge, "workgroup size has a zero dimension",
                             "every workgroup dimension must be at least 1");
  }
  auto pipeline = std::make_shared<ReferencePipeline>(owner, program, workgroup);
  auto info = VYRE_TRY(reference::analyse_kernel(pipeline->program(), workgroup));
  pipeline->info = std::make_shared<const KernelInfo>(std::move(info));
  return std::shared_ptr<const CompiledPipeline>(std::move(pipeline));
}

// One dispatch in flight: copies of the bindings, the worker threads' shared state and the
// completion signal.
struct Job {
  ir::Program program;
  std::shared_ptr<const KernelInfo> info;
  std::vector<HostBuffer> buffers;
  reference::LaunchState launch;
  std::atomic<bool> cancel{false};
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  Status status;
  std::string label;

  explicit Job(ir::Program p) : program(std::move(p)) {}
};

void run_job(Job& job, unsigned threads) {
  const auto& groups = job.launch.groups;
  const std::uint64_t total = groups[0] * groups[1] * groups[2];
  const std::uint64_t per_batch = job.info->groups_per_batch;
  const std::uint64_t batches = (total + per_batch - 1) / per_batch;
  std::atomic<std::uint64_t> next{0};
  auto worker = [&] {
    reference::WorkgroupExecutor executor(job.launch);
    while (!job.cancel.load(std::memory_order_relaxed)) {
      std::uint64_t batch = next.fetch_add(1);
      if (batch >= batches) break;
      std::uint64_t first = batch * per_batch;
      executor.run(first, static_cast<std::uint32_t>(std::min(per_batch, total - first)));
    }
  };
  unsigned workers = static_cast<unsigned>(std::min<std::uint64_t>(threads, batches));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < workers; ++i) pool.emplace_back(worker);
  if (batches > 0) worker();
  for (auto& t : pool) t.join();
}

class ReferencePending : public PendingDispatch {
 public:
  ReferencePending(std::shared_ptr<Job> job, Bindings& bindings, unsigned threads)
      : job_(std::move(job)), bindings_(bindings) {
    thread_ = std::thread([job = job_, threads] {
      Status status;
      try {
        run_job(*job, threads);
        if (auto race = job->launch.races->take()) {
          status = std::move(*race);
        } else if (job->cancel.load()) {
          status = Diagnostic::error(code::DispatchFailed, "the dispatch was cancelled",
                                     "the handle was destroyed before the dispatch finished");
        }
      } catch (const std::exception& e) {  // allocation failure in a worker
        status = Diagnostic::error(code::DispatchFailed,
                                   std::string("reference interpreter failed: ") + e.what(),
                                   "run with smaller sizes or fewer threads");
      }
      std::lock_guard lock(job->mutex);
      job->status = std::move(status);
      job->done = true;
      job->finished.notify_all();
    });
  }

  ~ReferencePending() override {
    job_->cancel = true;
    if (thread_.joinable()) thread_.join();
  }

  bool ready() override {
    std::lock_guard lock(job_->mutex);
    return job_->done;
  }

  Status wait(std::chrono::nanoseconds timeout) override {
    {
      std::unique_lock lock(job_->mutex);
      auto done = [&] { return job_->done; };
      if (timeout.count() <= 0) {
        job_->finished.wait(lock, done);
      } else if (!job_->finished.wait_for(lock, timeout, done)) {
        auto ms = std::chrono::duration<double, std::milli>(timeout).count();
        char text[32];
        std::snprintf(text, sizeof text, "%g", ms);
        return Diagnostic::error(code::DispatchTimeout,
                                 "dispatch of `" + job_->program->name +
                                     "` on the reference backend did not finish within " + text +
                                     " ms",
                                 "wait again to let it finish, or raise the timeout");
      }
    }
    if (!delivered_) {
      delivered_ = true;
      thread_.join();
      if (job_->status.ok()) {
        for (std::size_t i = 0; i < job_->buffers.size(); ++i) {
          if (ir::can_write(job_->program->buffers[i].access)) {
            bindings_.buffers[i] = std::move(job_->buffers[i]);
          }
        }
      }
    }
    return job_->status;
  }

 private:
  std::shared_ptr<Job> job_;
  Bindings& bindings_;
  std::thread thread_;
  bool delivered_ = false;
};

class ReferenceBackend : public Backend {
 public:
  explicit ReferenceBackend(ReferenceOptions options) : options_(options), device_(*this) {
    caps_.max_workgroup_size = {1024, 1024, 1024};
    caps_.max_workgroup_invocations = 1024;
    caps_.max_groups = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
    caps_.max_shared_bytes = 1 << 20;
    caps_.max_buffer_bytes = UINT64_MAX;
    caps_.element_types = {ir::Type::Bool, ir::Type::I32, ir::Type::U32, ir::Type::I64,
                           ir::Type::U64,  ir::Type::F32, ir::Type::F64};
    caps_.atomics32 = true;
    caps_.atomics64 = true;
    caps_.f64 = true;
    caps_.subgroup_size = 1;
    caps_.features = {"lockstep-workgroups", "ieee-denormals", "no-contraction"};
    fingerprint_.vendor = "vyre";
    fingerprint_.device = "cpu-interpreter";
    fingerprint_.driver = "vyre reference";
    fingerprint_.compiler = std::string(kInterpreterRevision);
    threads_ = options_.threads != 0 ? options_.threads
                                     : std::max(1u, std::thread::hardware_concurrency());
  }

  std::string_view id() const override { return kReferenceBackendId; }
  const Capabilities& capabilities() const override { return caps_; }
  const DeviceFingerprint& fingerprint() const override { return fingerprint_; }

  // The interpreter's lowering table is its math-op table (math_ops.h).
  std::vector<std::string> supported_ops() const override {
    std::vector<std::string> out;
    for (const ir::OpInfo& op : ir::OpRegistry::global().all()) {
      if (reference::math_op_by_name(op.name)) out.push_back(op.name);
    }
    return out;
  }

  Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program& program,
                                                          const DispatchConfig& config) override {
    return make_pipeline(*this, program, config);
  }

  // The interpreter needs nothing but the program, so the bytes only identify it: magic,
  // program digest, workgroup size.
  Result<std::vector<std::uint8_t>> serialize(const CompiledPipeline& pipeline) const override {
    std::vector<std::uint8_t> bytes(std::begin(kPipelineMagic), std::end(kPipelineMagic));
    const Digest& digest = pipeline.program().digest();
    bytes.insert(bytes.end(), digest.begin(), digest.end());
    for (std::uint32_t w : pipeline.workgroup()) {
      for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(w >> (8 * i)));
    }
    return bytes;
  }

  Result<std::shared_ptr<const CompiledPipeline>> load(
      const ir::Program& program, const DispatchConfig& config,
      std::span<const std::uint8_t> bytes) override {
    auto reject = [](std::string why) {
      return Diagnostic::error(code::BadPipelineBytes, "reference pipeline bytes rejected: " + why,
                               "the cache entry is stale or damaged; it will be recompiled");
    };
    constexpr std::size_t kSize = sizeof kPipelineMagic + 32 + 12;
    if (bytes.size() != kSize) return reject("expected " + std::to_string(kSize) + " bytes");
    if (std::memcmp(bytes.data(), kPipelineMagic, sizeof kPipelineMagic) != 0) {
      return reject("bad magic");
    }
    const Digest& digest = program.digest();
    if (std::memcmp(bytes.data() + sizeof kPipelineMagic, digest.data(), digest.size()) != 0) {
      return reject("built for a different program");
    }
    auto workgroup = effective_workgroup(program, config);
    for (int d = 0; d < 3; ++d) {
      std::uint32_t w = 0;
      for (int i = 0; i < 4; ++i) {
        w |= std::uint32_t{bytes[sizeof kPipelineMagic + 32 + 4 * d + i]} << (8 * i);
      }
      if (w != workgroup[d]) return reject("built for a different workgroup size");
    }
    return make_pipeline(*this, program, config);
  }

 protected:
  Result<std::unique_ptr<PendingDispatch>> launch_async(const CompiledPipeline& pipeline,
                                                        Bindings& bindings,
                                                        const LaunchGeometry& geometry,
                                                        const DispatchConfig& config) override {
    // validate_dispatch checked the owner: the pipeline is one of ours.
    const auto* ours = static_cast<const ReferencePipeline*>(&pipeline);
    auto job = std::make_shared<Job>(ours->program());
    job->info = ours->info;
    job->buffers = bindings.buffers;
    job->label = config.label;
    job->launch.program = &*job->program;
    job->launch.info = job->info.get();
    job->launch.workgroup = geometry.workgroup;
    job->launch.groups = geometry.groups;
    for (std::size_t i = 0; i < job->buffers.size(); ++i) {
      HostBuffer& b = job->buffers[i];
      job->launch.buffers.push_back(reference::MemoryView{b.data(), b.count(), b.element()});
    }
    for (const Scalar& s : bindings.params) job->launch.params.push_back(s.bits);
    job->launch.sizes = bindings.sizes;
    job->launch.cancel = &job->cancel;
    if (options_.detect_races) job->launch.detect_races = *options_.detect_races;
    return std::unique_ptr<PendingDispatch>(
        std::make_unique<ReferencePending>(std::move(job), bindings, threads_));
  }

  // Device memory is host memory; each stream is one worker thread (reference_device.h).
  Result<std::shared_ptr<CachingAllocator>> device_allocator(std::uint32_t) override {
    return device_.allocator();
  }
  Result<std::shared_ptr<BackendStream>> default_stream(std::uint32_t) override {
    return device_.default_stream();
  }
  Result<std::shared_ptr<BackendStream>> create_stream(std::uint32_t) override {
    return device_.create_stream();
  }
  Result<std::shared_ptr<BackendEvent>> create_event(std::uint32_t, bool timing) override {
    return device_.create_event(timing);
  }
  // Adopted memory is host memory already (a NumPy or CPU DLPack tensor): used as it is.
  Result<MemoryBlock> adopt_block(std::uint32_t, void* address, std::uint64_t bytes) override {
    return MemoryBlock{reinterpret_cast<std::uintptr_t>(address), bytes, address};
  }
  std::optional<std::uintptr_t> block_address(const MemoryBlock& block) const override {
    return reinterpret_cast<std::uintptr_t>(block.host);
  }

 private:
  ReferenceOptions options_;
  reference::ReferenceDevice device_;
  Capabilities caps_;
  DeviceFingerprint fingerprint_;
  unsigned threads_ = 1;
};

}  // namespace

std::shared_ptr<Backend> make_reference_backend(ReferenceOptions options) {
  return std::make_shared<ReferenceBackend>(options);
}

}  // namespace vyre
