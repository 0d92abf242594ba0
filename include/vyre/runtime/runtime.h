// Runtime: the facade that runs a program. One call does
//   route -> bind inputs (validate) -> obtain pipeline -> validate launch -> dispatch -> read back
// and returns the outputs with a RunReport that says which backend ran it and why, how the
// pipeline was obtained and how long each step took.
//
// Backends come from a BackendRegistry; embedders register the built-in ones first:
//   vyre::register_builtin_backends(vyre::BackendRegistry::global());
//   vyre::Runtime runtime;
//   auto result = runtime.run(program, inputs, config);
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/pipeline/cache_outcome.h"
#include "vyre/pipeline/pipeline_cache.h"
#include "vyre/registry/backend_registry.h"
#include "vyre/routing/router.h"
#include "vyre/runtime/inputs.h"
#include "vyre/runtime/prepared_kernel.h"

namespace vyre {

// Wall-clock milliseconds of each step of one run.
struct RunTimings {
  double route_ms = 0;
  double validate_ms = 0;  // binding inputs and checking the launch against the backend
  double obtain_ms = 0;    // pipeline: cache lookup, plus load or compile on a miss
  double dispatch_ms = 0;  // from the dispatch's start until its completion was observed
  double readback_ms = 0;
  double total_ms = 0;
  // The same run split by what the time went to (docs/RUNTIME.md). route_ms is startup_ms
  // (probing and constructing backends on first use) plus routing_ms (choosing among them).
  // allocation_ms .. download_ms are filled where they are measured apart (steps_measured): by
  // resident runs (`vyre run --iterations`), kernel_ms from the device's own timer. A run on
  // host buffers does them inside one backend dispatch (dispatch_ms), so they stay 0 and
  // steps_measured false. unattributed_ms is what remains of total_ms.
  bool steps_measured = false;
  double startup_ms = 0;
  double routing_ms = 0;
  double allocation_ms = 0;
  double upload_ms = 0;
  double kernel_ms = 0;
  double download_ms = 0;
  double unattributed_ms = 0;
};

struct RunReport {
  std::string program;
  std::string backend;                           // id of the backend that ran it
  std::string backend_why;                       // why routing chose it
  std::vector<routing::SkippedBackend> skipped;  // every other backend and why not
  // How the pipeline was obtained, for people: "memory hit", "disk hit (loaded in 1.2 ms)",
  // "miss (new program: never compiled into this cache ...): compiled in 812 ms" — and the
  // structured outcome (its metric names: program_changed, ...).
  std::string cache_outcome;
  std::optional<pipeline::CacheOutcome> cache;
  std::map<std::string, std::uint64_t> sizes;  // resolved size symbols
  LaunchGeometry geometry;
  RunTimings timings;
  // True when DispatchConfig::shadow_fraction sampled this run for a re-run on the reference
  // backend (the comparison happens when the run completes).
  bool shadow_checked = false;
};

struct RunResult {
  // Every buffer the program may write (write and read_write), by name.
  std::map<std::string, HostBuffer> outputs;
  RunReport report;
};

// What Runtime::precompile did for one program: the backend routing chose, and how the pipeline
// cache served it (memory or disk hit, or compiled, with outcome.batch_size programs together).
struct Precompiled {
  std::string backend;
  pipeline::CacheOutcome cache;
};

// A run in flight. Destroying an unfinished handle cancels the dispatch and waits for it.
class RunHandle {
 public:
  RunHandle();
  ~RunHandle();
  RunHandle(RunHandle&&) noexcept;
  RunHandle& operator=(RunHandle&&) noexcept;

  // True once the run has finished or failed (wait() then returns at once).
  bool ready();
  // Waits up to `timeout` (zero = forever). A timeout is a DispatchTimeout diagnostic and the
  // run goes on; wait again later. Any other error is final.
  Status wait(std::chrono::nanoseconds timeout = {});
  // Waits for completion, then moves the result out; a second call fails (RunNotFinished).
  Result<RunResult> get();
  // What is known so far (backend, timings of the steps already done).
  const RunReport& report() const;

 private:
  friend class Runtime;
  struct State;
  explicit RunHandle(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class Runtime {
 public:
  // Every compile goes through `cache`; when null, through the process-wide cache opened from
  // the environment (VYRE_CACHE_DIR, VYRE_JIT, ... see environment.h) on first use.
  explicit Runtime(BackendRegistry& registry = BackendRegistry::global(),
                   std::shared_ptr<pipeline::PipelineCache> cache = nullptr);

  // Runs to completion (or config.timeout, which is then a DispatchTimeout error).
  Result<RunResult> run(const ir::Program& program, RunInputs inputs,
                        const DispatchConfig& config = {});
  // Routes, validates, obtains the pipeline and starts the dispatch, then returns; errors up to
  // the dispatch's start are reported by the handle.
  RunHandle run_async(const ir::Program& program, RunInputs inputs,
                      const DispatchConfig& config = {});

  // Routes each program as run() would (config.allowed_backends and preferences as usual) and
  // obtains its pipeline, sending each backend's cache misses to one PipelineCache::obtain_many
  // (one OpenCL build for many programs, say). A later run() of the same program and config is
  // then a memory hit. Index-aligned with `programs`; a program that cannot be routed or
  // compiled gets its diagnostic and the others still compile. Shadow checks are not prepared.
  std::vector<Result<Precompiled>> precompile(std::span<const ir::Program* const> programs,
                                              const DispatchConfig& config = {});

  // The pipeline cache this runtime uses (opening the process-wide one if needed). Fails only
  // when a VYRE_* cache variable is malformed.
  Result<std::shared_ptr<pipeline::PipelineCache>> pipeline_cache();

  // The routing decision run() would make.
  Result<routing::Route> route(const ir::Program& program, const DispatchConfig& config) const;

  // ---- Resident work: devices and prepared kernels (prepared_kernel.h, docs/RUNTIME.md) -----
  // A device by spec ("opencl:0", "cuda:1", "reference"); UnknownDevice (VY4208) when the
  // backend is not registered or has no such device, or the backend's own start-up error.
  Result<Device> device(std::string_view spec);
  // Routes as run() would (config.allowed_backends, preferences), on the chosen backend's
  // device 0, then obtains the pipeline and resolves the binding layout.
  Result<PreparedKernel> prepare(const ir::Program& program, const DispatchConfig& config = {});
  // The same on an explicit device (its backend must be able to run the program).
  Result<PreparedKernel> prepare(const ir::Program& program, const Device& device,
                                 const DispatchConfig& config = {});

 private:
  // The one place a compiled pipeline comes from (the pipeline cache plugs in here).
  Result<std::shared_ptr<const CompiledPipeline>> obtain_pipeline(Backend& backend,
                                                                  const ir::Program& program,
                                                                  const DispatchConfig& config,
                                                                  RunReport& report);
  Status start(RunHandle::State& state, RunInputs inputs);

  BackendRegistry& registry_;
  std::shared_ptr<pipeline::PipelineCache> cache_;
  // Dispatches started so far; shadow sampling counts these (see DispatchConfig).
  std::shared_ptr<std::atomic<std::uint64_t>> dispatches_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
};

// The process-wide pipeline cache, opened once from the environment; a malformed VYRE_* value
// is returned as its diagnostic on every call.
Result<std::shared_ptr<pipeline::PipelineCache>> default_pipeline_cache();

// "memory hit", "disk hit (loaded in 1.31 ms)", "miss (empty cache: the cache holds no entries
// yet): compiled in 240 ms", "miss (not yet compiled for opencl (cached for reference)):
// compiled in a batch of 64 (9.2 ms each)".
std::string describe_cache_outcome(const pipeline::CacheOutcome& outcome);

}  // namespace vyre
