// Runtime::device and Runtime::prepare: choosing a device explicitly, and resolving a kernel's
// route, pipeline and binding layout once for many launches.
#include <fmt/format.h>

#include "prepared_state.h"
#include "run_state.h"
#include "vyre/backend/dispatch_validation.h"
#include "vyre/diag/codes.h"
#include "vyre/runtime/launch.h"
#include "vyre/runtime/runtime.h"

namespace vyre {

Result<Device> Runtime::device(std::string_view spec) {
  DeviceSpec parsed = VYRE_TRY(parse_device_spec(spec));
  if (!registry_.has(parsed.backend)) {
    std::string known;
    for (const auto& status : registry_.registered()) {
      known += (known.empty() ? "" : ", ") + status.id;
    }
    return Diagnostic::error(code::UnknownDevice,
                             fmt::format("no backend `{}` for device `{}`", parsed.backend, spec),
                             fmt::format("registered backends: {}", known));
  }
  auto backend = VYRE_TRY(registry_.acquire(parsed.backend));
  return Device::open(std::move(backend), parsed.index);
}

Result<PreparedKernel> Runtime::prepare(const ir::Program& program, const DispatchConfig& config) {
  Stopwatch step;
  const double startup_before = BackendRegistry::startup_ms_on_this_thread();
  routing::Route route = VYRE_TRY(routing::choose_backend(registry_, program, config));
  routing::log_route(program, route);
  const double startup = BackendRegistry::startup_ms_on_this_thread() - startup_before;
  const double routing = step.lap_ms() - startup;
  Device device = VYRE_TRY(Device::open(route.backend, 0));
  auto prepared = VYRE_TRY(prepare(program, device, config));
  PreparedReport& report = prepared.state_->report;
  report.backend_why = route.why;
  report.startup_ms += startup;
  report.routing_ms += routing;
  return prepared;
}

Result<PreparedKernel> Runtime::prepare(const ir::Program& program, const Device& device,
                                        const DispatchConfig& config) {
  Stopwatch step;
  PreparedReport report;
  report.backend = std::string(device.backend().id());
  report.device = device.id();
  // The explicit device's backend must be able to run the program, as routing would check.
  DispatchConfig explicit_config = config;
  explicit_config.allowed_backends = {report.backend};
  explicit_config.preferred_backends.clear();
  const double startup_before = BackendRegistry::startup_ms_on_this_thread();
  routing::Route route = VYRE_TRY(routing::choose_backend(registry_, program, explicit_config));
  routing::log_route(program, route);
  report.startup_ms = BackendRegistry::startup_ms_on_this_thread() - startup_before;
  report.backend_why = route.why;
  if (route.backend.get() != &device.backend()) {
    return Diagnostic::error(
        code::WrongDevice,
        fmt::format("device {} does not belong to this runtime's registry", device.id()),
        "open the device through the same Runtime (Runtime::device)");
  }
  report.routing_ms = step.lap_ms() - report.startup_ms;

  auto cache = VYRE_TRY(pipeline_cache());
  pipeline::CacheOutcome outcome;
  auto pipeline = VYRE_TRY(cache->obtain(device.backend(), program, config, &outcome));
  report.cache_outcome = describe_cache_outcome(outcome);
  report.obtain_ms = step.lap_ms();

  auto state = VYRE_TRY(resolve_prepared_state(program, device, std::move(pipeline), config));
  // Limits that do not depend on the launch's sizes are checked once, here.
  LaunchGeometry probe;
  probe.workgroup = state->pipeline->workgroup();
  VYRE_TRY(
      check_launch_limits(program, probe, device.backend().capabilities(), device.backend().id()));
  state->max_groups = device.backend().capabilities().max_groups;
  state->report = std::move(report);
  return PreparedKernel(std::move(state));
}

}  // namespace vyre
