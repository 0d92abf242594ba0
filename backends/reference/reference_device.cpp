#include "reference_device.h"

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "interpreter.h"
#include "reference_pipeline.h"
#include "vyre/diag/codes.h"

namespace vyre::reference {
namespace {

using Clock = std::chrono::steady_clock;

class HostMemorySource final : public DeviceMemorySource {
 public:
  Result<MemoryBlock> allocate_block(std::uint64_t bytes) override {
    void* memory = std::aligned_alloc(64, bytes);
    if (memory == nullptr) {
      return Diagnostic::error(code::OutOfDeviceMemory,
                               fmt::format("the host has no {} bytes free", bytes),
                               "allocate less memory");
    }
    return MemoryBlock{reinterpret_cast<std::uintptr_t>(memory), bytes, memory};
  }
  void free_block(const MemoryBlock& block) noexcept override { std::free(block.host); }
};

std::uint8_t* address(const DeviceBufferView& view) {
  return static_cast<std::uint8_t*>(view.allocation->block().host) + view.offset_bytes;
}

// A point in a stream's order: recording bumps `recorded`; the stream's worker sets
// `completed` (and the time) when it reaches the point.
class ReferenceEvent final : public BackendEvent,
                             public std::enable_shared_from_this<ReferenceEvent> {
 public:
  explicit ReferenceEvent(bool timing) : timing_(timing) {}

  std::uint64_t begin_record() {
    std::lock_guard lock(mutex_);
    return ++recorded_;
  }
  std::uint64_t last_recorded() {
    std::lock_guard lock(mutex_);
    return recorded_;
  }
  void complete(std::uint64_t generation) {
    {
      std::lock_guard lock(mutex_);
      if (generation > completed_) {
        completed_ = generation;
        stamp_ = Clock::now();
      }
    }
    done_.notify_all();
  }
  // Waits (forever) until the point `generation` is reached: a device-side wait.
  void await(std::uint64_t generation) {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return completed_ >= generation; });
  }

  bool ready() override {
    std::lock_guard lock(mutex_);
    return completed_ >= recorded_;
  }
  Status wait(std::chrono::nanoseconds timeout) override {
    std::unique_lock lock(mutex_);
    auto done = [&] { return completed_ >= recorded_; };
    if (timeout.count() <= 0) {
      done_.wait(lock, done);
    } else if (!done_.wait_for(lock, timeout, done)) {
      return Diagnostic::error(
          code::StreamTimeout,
          fmt::format("event on the reference device not reached within {} ms",
                      std::chrono::duration<double, std::milli>(timeout).count()),
          "wait again: the work keeps running");
    }
    return Ok{};
  }
  Result<double> elapsed_ms_since(const BackendEvent& other) override {
    const auto& start = static_cast<const ReferenceEvent&>(other);
    std::scoped_lock lock(mutex_, start.mutex_);
    if (!timing_ || !start.timing_ || completed_ == 0 || start.completed_ == 0 ||
        completed_ < recorded_ || start.completed_ < start.recorded_) {
      return Diagnostic::error(code::EventNotTimed,
                               "elapsed time between events that are not both timed, recorded "
                               "and complete",
                               "create both with timing on, record them, and wait for the later");
    }
    return std::chrono::duration<double, std::milli>(stamp_ - start.stamp_).count();
  }

 private:
  bool timing_;
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::uint64_t recorded_ = 0;
  std::uint64_t completed_ = 0;
  Clock::time_point stamp_{};
};

// One worker thread running the stream's commands in order. A failed command is reported by
// the next synchronize() (as DeviceLost); the stream stays usable afterwards.
class ReferenceStream final : public BackendStream {
 public:
  ReferenceStream() : worker_([this] { work(); }) {}
  ~ReferenceStream() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  Status upload(const DeviceBufferView& dst, std::span<const std::uint8_t> src) override {
    enqueue([dst, src, keep = dst.allocation->shared_from_this()]() -> Status {
      std::memcpy(address(dst), src.data(), src.size());
      return Ok{};
    });
    return Ok{};
  }
  Status download(const DeviceBufferView& src, std::span<std::uint8_t> dst) override {
    enqueue([src, dst, keep = src.allocation->shared_from_this()]() -> Status {
      std::memcpy(dst.data(), address(src), dst.size());
      return Ok{};
    });
    return Ok{};
  }
  Status copy(const DeviceBufferView& src, const DeviceBufferView& dst) override {
    enqueue([src, dst, a = src.allocation->shared_from_this(),
             b = dst.allocation->shared_from_this()]() -> Status {
      std::memmove(address(dst), address(src), dst.size_bytes());
      return Ok{};
    });
    return Ok{};
  }
  Status fill(const DeviceBufferView& dst, std::uint64_t pattern) override {
    enqueue([dst, pattern, keep = dst.allocation->shared_from_this()]() -> Status {
      const unsigned unit = ir::size_bytes(dst.element);
      std::uint8_t* out = address(dst);
      for (std::uint64_t i = 0; i < dst.count; ++i) std::memcpy(out + i * unit, &pattern, unit);
      return Ok{};
    });
    return Ok{};
  }

  Status launch(const CompiledPipeline& compiled, const DeviceBindings& bindings,
                const LaunchGeometry& geometry) override {
    const auto* pipeline = dynamic_cast<const ReferencePipeline*>(&compiled);
    if (pipeline == nullptr) {
      return Diagnostic::error(code::BadBindings,
                               "the pipeline was not compiled by the reference backend",
                               "compile the program with the backend that runs it");
    }
    if (geometry.workgroup != pipeline->workgroup()) {
      return Diagnostic::error(code::BadBindings,
                               "launch workgroup size differs from the compiled one",
                               "use the pipeline's workgroup() in the launch geometry");
    }
    auto launch = std::make_shared<LaunchState>();
    launch->program = &*pipeline->program();
    launch->info = pipeline->info.get();
    launch->workgroup = geometry.workgroup;
    launch->groups = geometry.groups;
    std::vector<std::shared_ptr<DeviceAllocation>> keep;
    keep.reserve(bindings.buffers.size());
    for (const DeviceBufferView& view : bindings.buffers) {
      launch->buffers.push_back(MemoryView{address(view), view.count, view.element});
      keep.push_back(view.allocation->shared_from_this());
    }
    for (const Scalar& s : bindings.params) launch->params.push_back(s.bits);
    launch->sizes = bindings.sizes;
    launch->cancel = &cancel_;
    enqueue([this, launch, info = pipeline->info, keep = std::move(keep)]() -> Status {
      const Clock::time_point start = Clock::now();
      try {
        run_workgroups(*launch);
      } catch (const std::exception& e) {
        return Diagnostic::error(code::DeviceLost,
                                 fmt::format("the reference interpreter failed running `{}`: {}",
                                             launch->program->name, e.what()),
                                 "run with smaller sizes; other streams are not affected");
      }
      if (timing_.load(std::memory_order_relaxed)) {
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        std::lock_guard lock(mutex_);
        times_.push_back(ms);
      }
      return Ok{};
    });
    return Ok{};
  }

  Status record(BackendEvent& event) override {
    auto target = static_cast<ReferenceEvent&>(event).shared_from_this();
    const std::uint64_t generation = target->begin_record();
    enqueue([target, generation]() -> Status {
      target->complete(generation);
      return Ok{};
    });
    return Ok{};
  }
  Status wait_for(BackendEvent& event) override {
    auto target = static_cast<ReferenceEvent&>(event).shared_from_this();
    const std::uint64_t generation = target->last_recorded();
    enqueue([target, generation]() -> Status {
      target->await(generation);
      return Ok{};
    });
    return Ok{};
  }

  Status synchronize(std::chrono::nanoseconds timeout) override {
    std::unique_lock lock(mutex_);
    auto idle = [&] { return queue_.empty() && !busy_; };
    if (timeout.count() <= 0) {
      idle_.wait(lock, idle);
    } else if (!idle_.wait_for(lock, timeout, idle)) {
      return Diagnostic::error(
          code::StreamTimeout,
          fmt::format("reference stream still busy after {} ms ({} commands queued)",
                      std::chrono::duration<double, std::milli>(timeout).count(), queue_.size()),
          "wait again, or raise the timeout: the work keeps running");
    }
    if (failure_) {
      Diagnostic failure = std::move(*failure_);
      failure_.reset();
      return failure;
    }
    return Ok{};
  }
  bool idle() override {
    std::lock_guard lock(mutex_);
    return queue_.empty() && !busy_;
  }

  void set_kernel_timing(bool on) override { timing_.store(on, std::memory_order_relaxed); }
  Result<std::vector<double>> take_kernel_times() override {
    std::lock_guard lock(mutex_);
    return std::exchange(times_, {});
  }

 private:
  static void run_workgroups(const LaunchState& launch) {
    const auto& groups = launch.groups;
    const std::uint64_t total = groups[0] * groups[1] * groups[2];
    if (total == 0) return;
    const std::uint64_t per_batch = launch.info->groups_per_batch;
    WorkgroupExecutor executor(launch);
    for (std::uint64_t first = 0; first < total; first += per_batch) {
      executor.run(first, static_cast<std::uint32_t>(std::min(per_batch, total - first)));
    }
  }

  void enqueue(std::function<Status()> command) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(command));
    }
    wake_.notify_one();
  }

  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      std::function<Status()> command = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      Status status = command();
      command = nullptr;  // drop the command's buffer references before reporting idle
      lock.lock();
      busy_ = false;
      if (!status.ok() && !failure_) failure_ = std::move(status).error();
      if (queue_.empty()) idle_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<Status()>> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::optional<Diagnostic> failure_;
  std::atomic<bool> timing_{false};
  std::atomic<bool> cancel_{false};
  std::vector<double> times_;
  std::thread worker_;  // last: starts after every other member exists
};

}  // namespace

ReferenceDevice::ReferenceDevice(const Backend& backend)
    : allocator_(CachingAllocator::create(std::make_unique<HostMemorySource>(),
                                          DeviceKey{&backend, 0},
                                          std::string(backend.id()) + ":0")) {}

std::shared_ptr<BackendStream> ReferenceDevice::default_stream() {
  std::lock_guard lock(mutex_);
  if (!default_stream_) default_stream_ = std::make_shared<ReferenceStream>();
  return default_stream_;
}

std::shared_ptr<BackendStream> ReferenceDevice::create_stream() {
  return std::make_shared<ReferenceStream>();
}

std::shared_ptr<BackendEvent> ReferenceDevice::create_event(bool timing) {
  return std::make_shared<ReferenceEvent>(timing);
}

}  // namespace vyre::reference
