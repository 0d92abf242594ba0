#include "iterate.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "vyre/backend/device_buffer.h"
#include "vyre/backend/stream.h"
#include "vyre/diag/codes.h"

namespace vyre::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size()) + 0.999999);
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

Diagnostic bad_swap(std::string what) {
  return Diagnostic::error(code::BadRunArgument, std::move(what),
                           "write --swap A,B naming two buffers of the kernel with the same "
                           "element type and count");
}

}  // namespace

Result<IterationRun> run_iterations(Runtime& runtime, const ir::Program& program, RunInputs inputs,
                                    const DispatchConfig& config, std::uint32_t iterations,
                                    const std::string& swap) {
  const ir::ProgramData& p = *program;
  IterationRun run;
  RunReport& report = run.result.report;
  RunTimings& t = report.timings;
  report.program = p.name;
  const Clock::time_point total_start = Clock::now();

  PreparedKernel kernel = VYRE_TRY(runtime.prepare(program, config));
  const PreparedReport& prepared = kernel.report();
  report.backend = prepared.backend;
  report.backend_why = prepared.backend_why;
  report.cache_outcome = prepared.cache_outcome;
  t.startup_ms = prepared.startup_ms;
  t.routing_ms = prepared.routing_ms;
  t.route_ms = prepared.startup_ms + prepared.routing_ms;
  t.obtain_ms = prepared.obtain_ms;
  const Device& device = kernel.device();

  Clock::time_point step = Clock::now();
  Bindings host = VYRE_TRY(bind_inputs(program, std::move(inputs), config));
  for (std::size_t i = 0; i < p.size_symbols.size(); ++i) {
    report.sizes[p.size_symbols[i]] = host.sizes[i];
  }
  t.validate_ms = ms_since(step);

  std::optional<std::pair<ArgSlot, ArgSlot>> swapped;
  if (!swap.empty()) {
    const std::size_t comma = swap.find(',');
    if (comma == std::string::npos) return bad_swap("--swap `" + swap + "` is not A,B");
    auto a = kernel.slot(swap.substr(0, comma));
    auto b = kernel.slot(swap.substr(comma + 1));
    if (!a.ok()) return a.error();
    if (!b.ok()) return b.error();
    if (a->kind != ArgSlot::Kind::Buffer || b->kind != ArgSlot::Kind::Buffer ||
        a->index == b->index) {
      return bad_swap("--swap " + swap + ": both must be buffers, and different ones");
    }
    const HostBuffer& ha = host.buffers[a->index];
    const HostBuffer& hb = host.buffers[b->index];
    if (ha.element() != hb.element() || ha.count() != hb.count()) {
      return bad_swap(fmt::format("--swap {}: {}[{}] and {}[{}] differ", swap,
                                  ir::type_name(ha.element()), ha.count(),
                                  ir::type_name(hb.element()), hb.count()));
    }
    swapped = std::pair{*a, *b};
  }

  // Allocation, then one upload of every buffer.
  step = Clock::now();
  Stream stream = VYRE_TRY(device.create_stream());
  std::vector<DeviceBuffer> buffers;
  for (const HostBuffer& b : host.buffers) {
    buffers.push_back(VYRE_TRY(device.allocate(b.element(), b.count())));
  }
  t.allocation_ms = ms_since(step);
  step = Clock::now();
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    VYRE_TRY(stream.upload(buffers[i], std::span<const std::uint8_t>(
                                           host.buffers[i].data(), host.buffers[i].size_bytes())));
  }
  VYRE_TRY(stream.synchronize(config.timeout));
  t.upload_ms = ms_since(step);

  LaunchArgs args = kernel.args();
  for (std::uint32_t i = 0; i < buffers.size(); ++i) {
    args.set(ArgSlot{ArgSlot::Kind::Buffer, i}, buffers[i]);
  }
  for (std::uint32_t i = 0; i < host.params.size(); ++i) {
    args.set(ArgSlot{ArgSlot::Kind::Param, i}, host.params[i]);
  }

  stream.set_kernel_timing(true);
  step = Clock::now();
  for (std::uint32_t n = 0; n < iterations; ++n) {
    VYRE_TRY(kernel.launch(args, stream));
    if (swapped) args.swap(swapped->first, swapped->second);
  }
  VYRE_TRY(stream.synchronize(config.timeout));
  run.stats.loop_wall_ms = ms_since(step);
  run.stats.iterations = iterations;
  run.stats.kernel_ms = VYRE_TRY(stream.take_kernel_times());
  for (double ms : run.stats.kernel_ms) run.stats.kernel_total_ms += ms;
  std::vector<double> sorted = run.stats.kernel_ms;
  std::sort(sorted.begin(), sorted.end());
  run.stats.median_ms = percentile(sorted, 0.5);
  run.stats.p90_ms = percentile(sorted, 0.9);
  t.kernel_ms = run.stats.kernel_total_ms;
  t.dispatch_ms = run.stats.loop_wall_ms;

  // One download of each output, from whatever its name is bound to now.
  step = Clock::now();
  for (std::uint32_t i = 0; i < p.buffers.size(); ++i) {
    const bool is_swapped = swapped && (swapped->first.index == i || swapped->second.index == i);
    if (!ir::can_write(p.buffers[i].access) && !is_swapped) continue;
    run.result.outputs[p.buffers[i].name] = VYRE_TRY(args.buffers()[i].download());
  }
  t.download_ms = ms_since(step);
  t.readback_ms = t.download_ms;
  t.total_ms = ms_since(total_start);
  // The loop's wall time beyond the device's kernel time is launch overhead; it is the part of
  // the total no step accounts for, together with whatever the steps above did not measure.
  const double attributed = t.startup_ms + t.routing_ms + t.validate_ms + t.obtain_ms +
                            t.allocation_ms + t.upload_ms + t.kernel_ms + t.download_ms;
  t.unattributed_ms = std::max(0.0, t.total_ms - attributed);
  t.steps_measured = true;
  return run;
}

void print_iteration_stats(const IterationStats& s) {
  std::printf(
      "iterations: %u on resident buffers; device time per dispatch: median %.4f ms, p90 %.4f "
      "ms; kernels %.3f ms in total, loop wall %.3f ms (%.3fx the kernel time)\n",
      s.iterations, s.median_ms, s.p90_ms, s.kernel_total_ms, s.loop_wall_ms,
      s.kernel_total_ms > 0 ? s.loop_wall_ms / s.kernel_total_ms : 0.0);
}

}  // namespace vyre::cli
