// The backend contract: what every substrate (reference CPU interpreter, OpenCL, CUDA)
// implements. The runtime and the pipeline cache only ever talk to backends through this.
//
// Lifecycle of one dispatch: compile (or load serialized bytes from the cache) -> a
// CompiledPipeline; then dispatch_async it with Bindings and a LaunchGeometry. The contract
// validates every dispatch once, here (vyre/backend/dispatch_validation.h), before the backend's
// own launch_async runs: backends trust what reaches them.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/backend/capabilities.h"
#include "vyre/backend/dispatch_config.h"
#include "vyre/backend/fingerprint.h"
#include "vyre/backend/host_buffer.h"
#include "vyre/backend/pinned_memory.h"
#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre {

class Backend;
class BackendEvent;
class BackendGraph;
class BackendStream;
class CachingAllocator;
class GraphRecording;
struct MemoryBlock;

// Launch shape, resolved by the runtime: the workgroup size compiled into the pipeline and the
// number of workgroups per dimension.
struct LaunchGeometry {
  std::array<std::uint32_t, 3> workgroup{1, 1, 1};
  std::array<std::uint64_t, 3> groups{1, 1, 1};
  std::uint64_t invocations() const;  // product of workgroup * groups
};

// The data of one dispatch, indexed like the program's declarations. Buffers the program may
// write are updated in place when the dispatch completes. Size symbols are by size-symbol index.
struct Bindings {
  std::vector<HostBuffer> buffers;
  std::vector<Scalar> params;
  std::vector<std::uint64_t> sizes;
};

// A backend's compiled form of one (program, policy). Immutable and shareable between threads.
class CompiledPipeline {
 public:
  CompiledPipeline(const Backend& owner, ir::Program program,
                   std::array<std::uint32_t, 3> workgroup);
  virtual ~CompiledPipeline() = default;
  const ir::Program& program() const { return program_; }
  // The workgroup size compiled in (the program's, or the config's override).
  const std::array<std::uint32_t, 3>& workgroup() const { return workgroup_; }
  // Backend::instance() of the backend that compiled or loaded it: only that one dispatches it.
  std::uint64_t owner() const { return owner_; }

 private:
  ir::Program program_;
  std::array<std::uint32_t, 3> workgroup_;
  std::uint64_t owner_;
};

// An in-flight dispatch. wait() may be called again after a timeout.
class PendingDispatch {
 public:
  virtual ~PendingDispatch() = default;
  virtual bool ready() = 0;
  // Waits up to `timeout` (zero = forever). On completion copies outputs into the Bindings the
  // dispatch was started with. A timeout is an error diagnostic; the dispatch keeps running.
  virtual Status wait(std::chrono::nanoseconds timeout) = 0;
};

class Backend {
 public:
  Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;
  virtual ~Backend() = default;

  // A number no other backend instance of this process has: the owner of its pipelines.
  std::uint64_t instance() const { return instance_; }

  virtual std::string_view id() const = 0;
  virtual const Capabilities& capabilities() const = 0;
  virtual const DeviceFingerprint& fingerprint() const = 0;

  // Why this backend can no longer run anything in this process (its device was lost for good,
  // e.g. a CUDA error the driver keeps until the process exits), or nullopt while it is usable.
  // Routing skips a backend with a health problem and names the diagnostic.
  virtual std::optional<Diagnostic> health() const { return std::nullopt; }

  // Ops of the op registry this backend lowers, answered from the backend's own lowering table.
  virtual std::vector<std::string> supported_ops() const = 0;

  // Compiles from scratch (the runtime has already missed the pipeline cache).
  virtual Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program& program,
                                                                  const DispatchConfig& config) = 0;
  // Compiles several programs for one config; the results are index-aligned with `programs`
  // and each is what compile() would return for that program (its own diagnostic on failure).
  // A backend whose compiler has a high fixed cost per invocation (OpenCL on PoCL: ~0.5 s a
  // build) overrides this to compile them together; the default calls compile() for each.
  virtual std::vector<Result<std::shared_ptr<const CompiledPipeline>>> compile_many(
      std::span<const ir::Program* const> programs, const DispatchConfig& config);

  // Bytes the pipeline cache stores, and the inverse. load() must reject bytes it cannot use
  // with a diagnostic (the cache then recompiles), never crash.
  virtual Result<std::vector<std::uint8_t>> serialize(const CompiledPipeline& pipeline) const = 0;
  virtual Result<std::shared_ptr<const CompiledPipeline>> load(
      const ir::Program& program, const DispatchConfig& config,
      std::span<const std::uint8_t> bytes) = 0;

  // Starts a dispatch, after validating it (validate_dispatch: the pipeline is this instance's,
  // the bindings match its program, the geometry its workgroup and this backend's limits).
  // `bindings` must outlive the returned PendingDispatch's wait().
  Result<std::unique_ptr<PendingDispatch>> dispatch_async(const CompiledPipeline& pipeline,
                                                          Bindings& bindings,
                                                          const LaunchGeometry& geometry,
                                                          const DispatchConfig& config);

  // dispatch_async + wait(config.timeout).
  Status dispatch(const CompiledPipeline& pipeline, Bindings& bindings,
                  const LaunchGeometry& geometry, const DispatchConfig& config);

  // ---- Device memory, streams, events and recorded graphs (docs/RUNTIME.md) ----------------
  // Device, DeviceBuffer, Stream, Event and Graph (device.h ... graph.h) validate and then call
  // these. `device` is an index below device_count(). The defaults say the backend keeps no
  // memory on a device (DeviceMemoryUnsupported, VY4200); Runtime::run needs none of this.

  // Devices of this backend in this process (cuda:0, cuda:1, ...), and a name for each.
  virtual std::uint32_t device_count() const { return 1; }
  virtual std::string device_name(std::uint32_t device) const;
  // The device's caching allocator, one per device for the backend's lifetime.
  virtual Result<std::shared_ptr<CachingAllocator>> device_allocator(std::uint32_t device);
  // The device's default stream (one, shared) and a new independent stream.
  virtual Result<std::shared_ptr<BackendStream>> default_stream(std::uint32_t device);
  virtual Result<std::shared_ptr<BackendStream>> create_stream(std::uint32_t device);
  // An event; with `timing` it can measure device time (BackendEvent::elapsed_ms_since).
  virtual Result<std::shared_ptr<BackendEvent>> create_event(std::uint32_t device, bool timing);
  // An executable graph of the recording. The default replays the command list through the
  // stream (make_replay_graph); CUDA instantiates a CUDA graph.
  virtual Result<std::unique_ptr<BackendGraph>> instantiate_graph(const GraphRecording& recording);
  // Host memory for fast transfers (pinned on CUDA); the default is plain aligned memory.
  virtual Result<std::unique_ptr<PinnedMemory>> allocate_pinned(std::uint64_t bytes);
  // Memory another library allocated on `device` (a DLPack producer's tensor: host memory for
  // reference, a CUdeviceptr for cuda) as a block of this backend, without a copy;
  // forget_block undoes what adopt_block made, never freeing the memory itself
  // (Device::adopt). The default: the backend cannot adopt memory (DeviceMemoryUnsupported).
  virtual Result<MemoryBlock> adopt_block(std::uint32_t device, void* address, std::uint64_t bytes);
  virtual void forget_block(const MemoryBlock& block) noexcept;
  // The address another library uses for a block of this backend (the inverse of adopt_block:
  // a CUdeviceptr for cuda, the host pointer for reference); nullopt where memory has none
  // (an OpenCL cl_mem). The default: nullopt.
  virtual std::optional<std::uintptr_t> block_address(const MemoryBlock& block) const;

 protected:
  // The backend's own dispatch entry point, reached only through dispatch_async with a
  // dispatch that passed validation.
  virtual Result<std::unique_ptr<PendingDispatch>> launch_async(const CompiledPipeline& pipeline,
                                                                Bindings& bindings,
                                                                const LaunchGeometry& geometry,
                                                                const DispatchConfig& config) = 0;

 private:
  std::uint64_t instance_;
};

// The workgroup size a (program, config) compiles to.
std::array<std::uint32_t, 3> effective_workgroup(const ir::Program& program,
                                                 const DispatchConfig& config);

}  // namespace vyre
