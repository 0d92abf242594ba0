#include "vyre/ir/loop_status.h"

#include <fmt/format.h>

#include "vyre/diag/codes.h"

namespace vyre::ir {
namespace {

void collect(const std::vector<Stmt>& body, std::vector<const Stmt*>& out) {
  for (const Stmt& s : body) {
    if (s.kind == StmtKind::While) out.push_back(&s);
    collect(s.body, out);
    collect(s.orelse, out);
  }
}

}  // namespace

std::optional<std::uint32_t> loop_status_buffer(const ProgramData& program) {
  for (std::uint32_t i = 0; i < program.buffers.size(); ++i) {
    if (is_loop_status_buffer(program.buffers[i])) return i;
  }
  return std::nullopt;
}

std::vector<const Stmt*> capped_loops(const ProgramData& program) {
  std::vector<const Stmt*> out;
  collect(program.body, out);
  return out;
}

std::optional<Diagnostic> loop_cap_diagnostic(const ProgramData& program, std::uint32_t status) {
  if (status == 0) return std::nullopt;
  const std::vector<const Stmt*> loops = capped_loops(program);
  if (status > loops.size()) {
    return Diagnostic::error(code::LoopCapReached,
                             fmt::format("kernel `{}` reported capped loop {}, but it has {} while "
                                         "loop(s)",
                                         program.name, status, loops.size()),
                             "the loop status buffer was overwritten; this is a bug in the "
                             "backend's generated code");
  }
  const Stmt& loop = *loops[status - 1];
  std::string where = loop.loc.line != 0 ? fmt::format(" at {}:{}", loop.loc.line, loop.loc.column)
                                         : fmt::format(" (while loop {} of the kernel)", status);
  return Diagnostic::error(
             code::LoopCapReached,
             fmt::format(
                 "the while loop{} of kernel `{}` reached its cap of {} iterations with its "
                 "condition still true: the results would be cut short",
                 where, program.name, loop.max_iterations),
             fmt::format("raise the cap (`max {}` is what the loop allows now), or make the "
                         "condition end the loop sooner",
                         loop.max_iterations))
      .at(loop.loc);
}

}  // namespace vyre::ir
