// `vyre run FILE --iterations N [--swap A,B]`: N dispatches on buffers that stay on the device,
// with one upload before and one download after, exchanging buffers A and B after each dispatch
// (ping-pong stencils). Reports each dispatch's device time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/runtime/runtime.h"

namespace vyre::cli {

struct IterationStats {
  std::uint32_t iterations = 0;
  std::vector<double> kernel_ms;  // device time of each dispatch
  double median_ms = 0;
  double p90_ms = 0;
  double kernel_total_ms = 0;
  double loop_wall_ms = 0;  // from the first launch until the last finished
};

struct IterationRun {
  RunResult result;  // outputs by name (after the last swap) and the report
  IterationStats stats;
};

// `swap` is "" or "A,B" naming two buffers of one element type and count. Outputs are every
// writable buffer and both swapped buffers, read from whatever each name is bound to after the
// last swap (with --swap src,dst the newest state is `src`).
Result<IterationRun> run_iterations(Runtime& runtime, const ir::Program& program, RunInputs inputs,
                                    const DispatchConfig& config, std::uint32_t iterations,
                                    const std::string& swap);

// "iterations: 1000 on resident buffers; device time per dispatch: median 0.512 ms, p90 ...".
void print_iteration_stats(const IterationStats& stats);

}  // namespace vyre::cli
