// The state behind a RunHandle: what a run needs from its start to its read-back.
#pragma once

#include <chrono>
#include <optional>

#include "shadow.h"
#include "vyre/runtime/runtime.h"

namespace vyre {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double elapsed_ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
        .count();
  }
  // Milliseconds since the last lap (or construction), then starts a new lap.
  double lap_ms() {
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - start_).count();
    start_ = now;
    return ms;
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

struct RunHandle::State {
  State(ir::Program p, DispatchConfig c) : program(std::move(p)), config(std::move(c)) {}

  ir::Program program;
  DispatchConfig config;
  RunReport report;
  Stopwatch total_clock;
  Stopwatch dispatch_clock;
  std::shared_ptr<Backend> backend;
  std::shared_ptr<const CompiledPipeline> pipeline;
  Bindings bindings;  // the dispatch writes into these; stable while `pending` lives
  std::unique_ptr<PendingDispatch> pending;
  std::optional<ShadowRun> shadow;    // set when this dispatch is shadow-checked
  std::optional<Diagnostic> failure;  // final error (before or during the dispatch)
  std::optional<RunResult> result;    // set once completed and read back
  bool taken = false;
  // The cache whose DispatchMetrics counts this dispatch (set once it has started).
  std::shared_ptr<pipeline::PipelineCache> metrics;
  std::uint64_t bytes_to_device = 0;
  std::uint64_t bytes_from_device = 0;
};

}  // namespace vyre
