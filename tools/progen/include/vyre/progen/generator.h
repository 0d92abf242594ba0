// The random program generator: typed, always-valid kernels of bounded size, and their inputs,
// from a seed. The same seed gives the same program and inputs on every platform.
//
// A generated kernel is race-free by construction, so every correct backend computes the same
// outputs: invocation i stores only to element i of its outputs (or out of bounds, which is
// dropped); loads read only `read` buffers; atomics go to one read_write buffer (32- or 64-bit
// elements) whose element j only ever sees one commutative op (add, min, max, and, or, xor) or,
// for exchange and compare-exchange, one fixed operand, and their results are unused.
//
// Workgroup shared arrays (one slot per invocation of the workgroup) follow a phase discipline:
// between two barriers an array is either written, each invocation at its own slot
// shared[local_id.x] only, or read at any slot, never both; a slot is read only once every
// invocation has written it (or, for its own slot, once this invocation has). Barriers are placed
// only where check() accepts them: at top level, or in ifs and for loops whose conditions and
// bounds are uniform (params, sizes, group ids, literals), never after a possible early return,
// and never in a loop that some invocations leave early.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre::progen {

struct GeneratorOptions {
  std::uint32_t max_statements = 14;  // top-level statements
  std::uint32_t max_depth = 3;        // nesting of if / for / while
  std::uint32_t max_expr_depth = 4;
  std::uint32_t max_elements = 48;  // n, the length of every input buffer (0 included)
  bool transcendentals = false;     // exp, log, sin, ... (compared within a ULP budget)
  bool f64 = true;
  bool atomics = true;
  // u64/i64 accumulators besides u32/i32 (OpenCL needs cl_khr_int64_base_atomics and
  // cl_khr_int64_extended_atomics; a device without them skips such programs).
  bool int64_atomics = true;
  // Workgroup shared arrays with barriers (about half of the programs).
  bool shared_memory = true;
  // Some literals spelled as typed consts (const K0: u32 = 7u), from a random stream of their
  // own: the same program, digest and outputs either way (src/named_constants.h).
  bool named_constants = true;
};

// One input: a read buffer's contents or a param's value (bits zero-extended in `bytes`).
struct GeneratedInput {
  std::string name;
  ir::Type type = ir::Type::U32;
  bool param = false;
  std::vector<std::uint8_t> bytes;
};

struct GeneratedCase {
  std::uint64_t seed = 0;
  ir::ProgramData draft;  // unchecked; check(draft) always succeeds
  std::vector<GeneratedInput> inputs;
};

GeneratedCase generate(std::uint64_t seed, const GeneratorOptions& options = {});

// generate() then check(); a failure is a generator bug.
Result<ir::Program> generate_program(std::uint64_t seed, const GeneratorOptions& options = {});

}  // namespace vyre::progen
