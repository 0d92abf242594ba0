// Differential running: one program on several backends, the first being the oracle
// (normally "reference"); and minimising a program that makes them disagree.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vyre/progen/compare.h"
#include "vyre/progen/generator.h"
#include "vyre/runtime/runtime.h"

namespace vyre::progen {

RunInputs to_run_inputs(const std::vector<GeneratedInput>& inputs);

enum class Verdict { Agreed, Disagreed, Skipped };

struct DiffResult {
  Verdict verdict = Verdict::Agreed;
  std::string backend;  // the backend that disagreed (or could not run it)
  std::string detail;   // the first mismatch, or the error
};

// Runs `program` on every backend in `backends` (the first is the oracle) and compares the
// outputs with the oracle's. A backend that fails where the oracle succeeded disagrees; one that
// is unavailable or lacks a feature is skipped.
DiffResult run_differential(Runtime& runtime, const ir::Program& program, const RunInputs& inputs,
                            const std::vector<std::string>& backends, std::uint64_t ulp = 0);

// One program and its inputs, for run_differential_batch.
struct Case {
  ir::Program program;
  RunInputs inputs;
};

// run_differential for many programs, verdicts index-aligned with `cases`: first precompiles
// every program on each backend but the oracle (Runtime::precompile, so one OpenCL build serves
// the whole batch instead of one build per program), then runs each case as run_differential
// does. A program whose precompile failed meets the same error again when it runs, and is judged
// as run_differential judges it.
std::vector<DiffResult> run_differential_batch(Runtime& runtime, std::span<const Case> cases,
                                               const std::vector<std::string>& backends,
                                               std::uint64_t ulp = 0);

// The pipeline cache a differential run uses: memory only, so thousands of one-off random
// programs neither fill the user's disk cache nor pay for serializing pipelines never stored,
// and large enough for a few batches of `batch` programs on `backends` backends, so a
// precompiled batch is still there when its programs run.
Result<std::shared_ptr<pipeline::PipelineCache>> open_fuzz_cache(std::size_t batch,
                                                                 std::size_t backends);

// True while the candidate still shows the disagreement being minimised.
using StillFails = std::function<bool(const ir::Program&, const RunInputs&)>;

struct Minimised {
  ir::Program program;
  RunInputs inputs;
  std::uint32_t attempts = 0;  // predicate evaluations spent
};

// Delta debugging: removes statements, hoists branch and loop bodies, replaces subexpressions by
// zero literals or by their own operands, and zeroes params and input buffers, keeping each
// change that still passes check() and still fails; repeats until nothing more shrinks or
// `max_attempts` evaluations are spent.
Minimised minimise(const ir::Program& program, const RunInputs& inputs, const StillFails& fails,
                   std::uint32_t max_attempts = 400);

// Counts the statements and expression nodes of a program (a size measure for tests).
std::size_t program_size(const ir::ProgramData& program);

}  // namespace vyre::progen
