#include "vyre/ir/barriers.h"

namespace vyre::ir {
namespace {

bool any_barrier_under_if(const std::vector<Stmt>& body, bool under_if) {
  for (const Stmt& s : body) {
    if (s.kind == StmtKind::Barrier && under_if) return true;
    const bool branch = under_if || s.kind == StmtKind::If;
    if (any_barrier_under_if(s.body, branch) || any_barrier_under_if(s.orelse, branch)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool has_barrier_under_if(const ProgramData& program) {
  return any_barrier_under_if(program.body, false);
}

}  // namespace vyre::ir
