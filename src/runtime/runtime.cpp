#include "vyre/runtime/runtime.h"

#include "run_state.h"
#include "vyre/diag/codes.h"
#include "vyre/runtime/launch.h"

namespace vyre {

Runtime::Runtime(BackendRegistry& registry) : registry_(registry) {}

Result<routing::Route> Runtime::route(const ir::Program& program,
                                      const DispatchConfig& config) const {
  return routing::choose_backend(registry_, program, config);
}

Result<std::shared_ptr<const CompiledPipeline>> Runtime::obtain_pipeline(
    Backend& backend, const ir::Program& program, const DispatchConfig& config, RunReport& report) {
  report.cache_outcome = "compiled (no pipeline cache)";
  return backend.compile(program, config);
}

Status Runtime::start(RunHandle::State& state, RunInputs inputs) {
  RunReport& report = state.report;
  const ir::Program& program = state.program;
  const DispatchConfig& config = state.config;
  report.program = program->name;

  Stopwatch step;
  routing::Route route = VYRE_TRY(routing::choose_backend(registry_, program, config));
  report.backend = route.backend_id;
  report.backend_why = route.why;
  report.skipped = route.skipped;
  state.backend = route.backend;
  report.timings.route_ms = step.lap_ms();

  state.bindings = VYRE_TRY(bind_inputs(program, std::move(inputs), config));
  for (std::size_t i = 0; i < program->size_symbols.size(); ++i) {
    report.sizes[program->size_symbols[i]] = state.bindings.sizes[i];
  }
  report.timings.validate_ms = step.lap_ms();

  state.pipeline = VYRE_TRY(obtain_pipeline(*state.backend, program, config, report));
  report.timings.obtain_ms = step.lap_ms();

  report.geometry =
      VYRE_TRY(derive_geometry(program, state.pipeline->workgroup(), state.bindings.sizes, config));
  VYRE_TRY(validate_launch(program, report.geometry, state.bindings, *state.backend));
  report.timings.validate_ms += step.lap_ms();

  state.pending = VYRE_TRY(
      state.backend->dispatch_async(*state.pipeline, state.bindings, report.geometry, config));
  state.dispatch_clock = Stopwatch();
  return Ok{};
}

RunHandle Runtime::run_async(const ir::Program& program, RunInputs inputs,
                             const DispatchConfig& config) {
  auto state = std::make_unique<RunHandle::State>(program, config);
  Status started = start(*state, std::move(inputs));
  if (!started.ok()) {
    Diagnostic failure = std::move(started).error();
    if (!config.label.empty()) failure.note("run label: " + config.label);
    state->failure = std::move(failure);
  }
  return RunHandle(std::move(state));
}

Result<RunResult> Runtime::run(const ir::Program& program, RunInputs inputs,
                               const DispatchConfig& config) {
  RunHandle handle = run_async(program, std::move(inputs), config);
  VYRE_TRY(handle.wait(config.timeout));
  return handle.get();
}

}  // namespace vyre
