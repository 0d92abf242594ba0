#include "vyre/runtime/runtime.h"

#include <fmt/format.h>

#include "run_state.h"
#include "vyre/diag/codes.h"
#include "vyre/runtime/launch.h"

namespace vyre {

Runtime::Runtime(BackendRegistry& registry, std::shared_ptr<pipeline::PipelineCache> cache)
    : registry_(registry), cache_(std::move(cache)) {}

Result<std::shared_ptr<pipeline::PipelineCache>> default_pipeline_cache() {
  static const Result<std::shared_ptr<pipeline::PipelineCache>> cache =
      []() -> Result<std::shared_ptr<pipeline::PipelineCache>> {
    auto options = VYRE_TRY(pipeline::PipelineCacheOptions::from_environment());
    return pipeline::PipelineCache::open(std::move(options));
  }();
  return cache;
}

Result<std::shared_ptr<pipeline::PipelineCache>> Runtime::pipeline_cache() {
  if (cache_) return cache_;
  return default_pipeline_cache();
}

std::string describe_cache_outcome(const pipeline::CacheOutcome& outcome) {
  switch (outcome.tier) {
    case pipeline::CacheTier::Memory:
      return fmt::format("memory hit ({:.1f} us)", outcome.lookup_ms * 1000.0);
    case pipeline::CacheTier::Disk:
      // Named by the store that served it: "disk", "pack", "redis" (the shared tier).
      return fmt::format("{} hit (lookup {:.3f} ms, loaded in {:.3f} ms)",
                         outcome.store.empty() ? std::string("disk") : outcome.store,
                         outcome.lookup_ms, outcome.load_ms);
    case pipeline::CacheTier::Compiled:
      break;
  }
  // Words for people (the metric name stays in CacheOutcome::miss and the JSON): the
  // explanation, which names the reason, or else the reason's label.
  std::string reason = !outcome.miss_explanation.empty() ? outcome.miss_explanation
                       : outcome.miss ? std::string(pipeline::miss_label(*outcome.miss))
                                      : std::string("not cached");
  return outcome.batch_size > 1
             ? fmt::format("miss ({}): compiled in a batch of {} ({:.1f} ms each)", reason,
                           outcome.batch_size, outcome.compile_ms)
             : fmt::format("miss ({}): compiled in {:.1f} ms", reason, outcome.compile_ms);
}

Result<routing::Route> Runtime::route(const ir::Program& program,
                                      const DispatchConfig& config) const {
  return routing::choose_backend(registry_, program, config);
}

Result<std::shared_ptr<const CompiledPipeline>> Runtime::obtain_pipeline(
    Backend& backend, const ir::Program& program, const DispatchConfig& config, RunReport& report) {
  auto cache = VYRE_TRY(pipeline_cache());
  pipeline::CacheOutcome outcome;
  auto pipeline = VYRE_TRY(cache->obtain(backend, program, config, &outcome));
  report.cache_outcome = describe_cache_outcome(outcome);
  report.cache = std::move(outcome);
  return pipeline;
}

Status Runtime::start(RunHandle::State& state, RunInputs inputs) {
  RunReport& report = state.report;
  const ir::Program& program = state.program;
  const DispatchConfig& config = state.config;
  report.program = program->name;

  Stopwatch step;
  const double startup_before = BackendRegistry::startup_ms_on_this_thread();
  routing::Route route = VYRE_TRY(routing::choose_backend(registry_, program, config));
  routing::log_route(program, route);
  report.timings.startup_ms = BackendRegistry::startup_ms_on_this_thread() - startup_before;
  report.backend = route.backend_id;
  report.backend_why = route.why;
  report.skipped = route.skipped;
  state.backend = route.backend;
  report.timings.route_ms = step.lap_ms();
  report.timings.routing_ms = report.timings.route_ms - report.timings.startup_ms;

  state.bindings = VYRE_TRY(bind_inputs(program, std::move(inputs), config));
  for (std::size_t i = 0; i < program->size_symbols.size(); ++i) {
    report.sizes[program->size_symbols[i]] = state.bindings.sizes[i];
  }
  report.timings.validate_ms = step.lap_ms();

  // The launch is checked before the pipeline is obtained: one the device cannot run never
  // costs a compile. dispatch_async checks it again against the pipeline itself.
  report.geometry = VYRE_TRY(
      derive_geometry(program, effective_workgroup(program, config), state.bindings.sizes, config));
  VYRE_TRY(validate_launch(program, report.geometry, state.bindings, *state.backend));
  report.timings.validate_ms += step.lap_ms();

  state.pipeline = VYRE_TRY(obtain_pipeline(*state.backend, program, config, report));
  report.timings.obtain_ms = step.lap_ms();

  const std::uint64_t dispatch_index = dispatches_->fetch_add(1, std::memory_order_relaxed);
  if (route.backend_id != "reference" && shadow_sampled(config.shadow_fraction, dispatch_index)) {
    ShadowRun shadow;
    shadow.reference = VYRE_TRY(registry_.acquire("reference"));
    RunReport reference_report;
    shadow.pipeline =
        VYRE_TRY(obtain_pipeline(*shadow.reference, program, config, reference_report));
    shadow.inputs = state.bindings;  // before the dispatch updates them in place
    state.shadow = std::move(shadow);
    report.shadow_checked = true;
  }

  auto cache = VYRE_TRY(pipeline_cache());
  auto pending =
      state.backend->dispatch_async(*state.pipeline, state.bindings, report.geometry, config);
  if (!pending.ok()) {
    cache->dispatch_metrics().record_failure(route.backend_id);
    return std::move(pending).error();
  }
  state.pending = std::move(pending).value();
  state.dispatch_clock = Stopwatch();
  state.metrics = std::move(cache);
  for (std::size_t i = 0; i < program->buffers.size(); ++i) {
    const std::uint64_t bytes = state.bindings.buffers[i].size_bytes();
    if (ir::can_read(program->buffers[i].access)) state.bytes_to_device += bytes;
    if (ir::can_write(program->buffers[i].access)) state.bytes_from_device += bytes;
  }
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
