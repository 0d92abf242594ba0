// Capped-loop reporting (docs/IR.md section 8): a `while c max N` loop whose condition still
// holds after N iterations ends there, and the dispatch reports it instead of returning a
// silently partial result. check() numbers the program's while loops 1, 2, ... in source order
// (Stmt::ref) and gives every program that has one a hidden status buffer, the last binding:
// each backend's generated code does `atomic_max(status[0], loop id)` when a loop hits its cap,
// and the runtime reads it back after the dispatch and turns it into a diagnostic naming the loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "vyre/diag/diagnostic.h"
#include "vyre/ir/ast.h"

namespace vyre::ir {

// The status buffer's name: it has a `.`, which no name in the text format has, so it never
// collides with a user's buffer; the printer leaves it out.
inline constexpr std::string_view kLoopStatusBuffer = "vyre.loop_status";

// The largest cap a while loop may state (VY2102): beyond it a "bounded" loop is a hang.
inline constexpr std::uint64_t kMaxLoopCap = 4294967295ULL;

inline bool is_loop_status_buffer(const BufferDecl& buffer) {
  return buffer.name == kLoopStatusBuffer;
}

// Index of the status buffer in program.buffers, if the program has one.
std::optional<std::uint32_t> loop_status_buffer(const ProgramData& program);

// The while loops in id order (pre-order: a statement, then its body, then its else-body);
// loop id k is element k - 1.
std::vector<const Stmt*> capped_loops(const ProgramData& program);

// The error for a dispatch whose status value is `status` (a loop id; 0 = none): LoopCapReached
// naming the loop's line:column and cap. Ok when status is 0.
std::optional<Diagnostic> loop_cap_diagnostic(const ProgramData& program, std::uint32_t status);

}  // namespace vyre::ir
