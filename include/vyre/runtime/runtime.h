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

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "vyre/backend/backend.h"
#include "vyre/registry/backend_registry.h"
#include "vyre/routing/router.h"
#include "vyre/runtime/inputs.h"

namespace vyre {

// Wall-clock milliseconds of each step of one run.
struct RunTimings {
  double route_ms = 0;
  double validate_ms = 0;  // binding inputs and checking the launch against the backend
  double obtain_ms = 0;    // pipeline: compile today, cache lookup once the cache is wired in
  double dispatch_ms = 0;  // from the dispatch's start until its completion was observed
  double readback_ms = 0;
  double total_ms = 0;
};

struct RunReport {
  std::string program;
  std::string backend;                           // id of the backend that ran it
  std::string backend_why;                       // why routing chose it
  std::vector<routing::SkippedBackend> skipped;  // every other backend and why not
  // How the pipeline was obtained, for people: "compiled (no pipeline cache)" today; the
  // pipeline cache reports "memory hit", "disk hit", "compiled: <miss reason>".
  std::string cache_outcome;
  std::map<std::string, std::uint64_t> sizes;  // resolved size symbols
  LaunchGeometry geometry;
  RunTimings timings;
};

struct RunResult {
  // Every buffer the program may write (write and read_write), by name.
  std::map<std::string, HostBuffer> outputs;
  RunReport report;
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
  explicit Runtime(BackendRegistry& registry = BackendRegistry::global());

  // Runs to completion (or config.timeout, which is then a DispatchTimeout error).
  Result<RunResult> run(const ir::Program& program, RunInputs inputs,
                        const DispatchConfig& config = {});
  // Routes, validates, obtains the pipeline and starts the dispatch, then returns; errors up to
  // the dispatch's start are reported by the handle.
  RunHandle run_async(const ir::Program& program, RunInputs inputs,
                      const DispatchConfig& config = {});

  // The routing decision run() would make.
  Result<routing::Route> route(const ir::Program& program, const DispatchConfig& config) const;

 private:
  // The one place a compiled pipeline comes from (the pipeline cache plugs in here).
  Result<std::shared_ptr<const CompiledPipeline>> obtain_pipeline(Backend& backend,
                                                                  const ir::Program& program,
                                                                  const DispatchConfig& config,
                                                                  RunReport& report);
  Status start(RunHandle::State& state, RunInputs inputs);

  BackendRegistry& registry_;
};

}  // namespace vyre
