#include "loop_status_check.h"
#include "run_state.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/loop_status.h"

namespace vyre {

RunHandle::RunHandle() = default;
RunHandle::RunHandle(std::unique_ptr<State> state) : state_(std::move(state)) {}
RunHandle::~RunHandle() = default;
RunHandle::RunHandle(RunHandle&&) noexcept = default;
RunHandle& RunHandle::operator=(RunHandle&&) noexcept = default;

bool RunHandle::ready() {
  if (!state_) return true;
  if (state_->failure || state_->result || state_->taken) return true;
  return state_->pending == nullptr || state_->pending->ready();
}

Status RunHandle::wait(std::chrono::nanoseconds timeout) {
  if (!state_) {
    return Diagnostic::error(code::RunNotFinished, "this run handle holds no run",
                             "use the handle returned by Runtime::run_async");
  }
  State& s = *state_;
  if (s.failure) return *s.failure;
  if (s.result || s.taken) return Ok{};
  Status done = s.pending->wait(timeout);
  if (!done.ok()) {
    if (done.error().code == code::DispatchTimeout) return done;
    if (s.metrics) s.metrics->dispatch_metrics().record_failure(s.report.backend);
    s.failure = done.error();
    return done;
  }
  s.report.timings.dispatch_ms = s.dispatch_clock.elapsed_ms();
  if (s.metrics) {
    s.metrics->dispatch_metrics().record(
        s.report.backend, s.bytes_to_device, s.bytes_from_device,
        static_cast<std::uint64_t>(s.report.timings.dispatch_ms * 1000.0));
    s.metrics.reset();
  }
  if (Status capped = check_loop_status(s.program, s.bindings); !capped.ok()) {
    s.pending.reset();
    s.shadow.reset();
    s.failure = capped.error();
    return capped;
  }
  if (s.shadow) {
    Status checked = check_against_reference(*s.shadow, s.program, s.bindings, s.report.geometry,
                                             s.config, s.report.backend);
    s.shadow.reset();
    if (!checked.ok()) {
      s.pending.reset();
      s.failure = checked.error();
      return checked;
    }
  }

  Stopwatch readback;
  RunResult result;
  const auto& decls = s.program->buffers;
  for (std::size_t i = 0; i < decls.size(); ++i) {
    if (ir::can_write(decls[i].access) && !ir::is_loop_status_buffer(decls[i])) {
      result.outputs.emplace(decls[i].name, std::move(s.bindings.buffers[i]));
    }
  }
  s.pending.reset();
  s.report.timings.readback_ms = readback.elapsed_ms();
  s.report.timings.total_ms = s.total_clock.elapsed_ms();
  result.report = s.report;
  s.result = std::move(result);
  return Ok{};
}

Result<RunResult> RunHandle::get() {
  VYRE_TRY(wait());
  if (state_->taken) {
    return Diagnostic::error(code::RunNotFinished, "the run's result was already taken",
                             "RunHandle::get() moves the outputs out once; keep them from the "
                             "first call");
  }
  state_->taken = true;
  RunResult out = std::move(*state_->result);
  state_->result.reset();
  return out;
}

const RunReport& RunHandle::report() const {
  static const RunReport kEmpty;
  return state_ ? state_->report : kEmpty;
}

}  // namespace vyre
