// A forward dataflow over the checked tree. Values are uniform (the same for every invocation
// of a workgroup) when built from literals, params, size symbols, len(), group ids and group
// counts/sizes, and uniform locals. A local becomes divergent when assigned a divergent value
// or assigned under divergent control. Control is divergent inside an if/loop with a divergent
// condition, inside a loop left early by a divergent break/continue/return, and everywhere after
// a divergent return. Loops make this a fixpoint: passes repeat until no fact changes (facts
// only ever flip from uniform to divergent, so this ends), then a last pass reports.
#include "ir/uniformity.h"

#include <unordered_map>

#include "vyre/diag/codes.h"

namespace vyre::ir {
namespace {

class Uniformity {
 public:
  explicit Uniformity(const ProgramData& p) : p_(p), divergent_local_(p.local_names.size()) {}

  void run(const std::string& file, std::vector<Diagnostic>& out) {
    for (int pass = 0; pass < 1000; ++pass) {
      changed_ = false;
      walk_pass(nullptr);
      if (!changed_) break;
    }
    file_ = &file;
    walk_pass(&out);
  }

 private:
  struct Cause {
    bool divergent = false;
    SourceLocation where;
    const char* what = "";
  };

  void walk_pass(std::vector<Diagnostic>* out) {
    out_ = out;
    after_return_ = Cause{};
    loops_.clear();
    walk(p_.body, Cause{});
  }

  bool divergent(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::Literal:
      case ExprKind::Param:
      case ExprKind::Size:
      case ExprKind::Len:
        return false;
      case ExprKind::Builtin: {
        auto b = static_cast<Builtin>(e.op);
        return b == Builtin::GlobalId || b == Builtin::LocalId;
      }
      case ExprKind::Local:
        return e.ref < divergent_local_.size() && divergent_local_[e.ref];
      case ExprKind::Load:
      case ExprKind::Atomic:
        return true;
      default:
        for (const ExprPtr& arg : e.args) {
          if (arg && divergent(*arg)) return true;
        }
        return false;
    }
  }

  void mark_local(std::uint32_t slot) {
    if (slot < divergent_local_.size() && !divergent_local_[slot]) {
      divergent_local_[slot] = true;
      changed_ = true;
    }
  }

  void mark_loop(const Stmt* loop) {
    bool& flag = divergent_loop_[loop];
    if (!flag) {
      flag = true;
      changed_ = true;
    }
  }

  static Cause either(const Cause& a, const Cause& b) { return a.divergent ? a : b; }

  void walk(const std::vector<Stmt>& block, const Cause& outer) {
    for (const Stmt& s : block) {
      Cause ctx = either(outer, after_return_);
      switch (s.kind) {
        case StmtKind::Let:
        case StmtKind::Var:
        case StmtKind::Assign:
          if (ctx.divergent || (!s.exprs.empty() && divergent(*s.exprs[0]))) mark_local(s.ref);
          break;
        case StmtKind::Store:
        case StmtKind::Eval:
          break;
        case StmtKind::If: {
          Cause inner = ctx;
          if (!inner.divergent && divergent(*s.exprs[0])) {
            inner = Cause{true, s.loc, "this if's condition depends on the invocation"};
          }
          walk(s.body, inner);
          walk(s.orelse, inner);
          break;
        }
        case StmtKind::For:
        case StmtKind::While: {
          Cause inner = ctx;
          bool cond_divergent = false;
          for (const ExprPtr& e : s.exprs) cond_divergent = cond_divergent || divergent(*e);
          if (!inner.divergent && cond_divergent) {
            inner = Cause{true, s.loc, "this loop's bounds depend on the invocation"};
          }
          if (!inner.divergent && divergent_loop_[&s]) {
            inner = Cause{true, s.loc, "this loop is left early by some invocations only"};
          }
          if (s.kind == StmtKind::For && inner.divergent) mark_local(s.ref);
          loops_.push_back(&s);
          walk(s.body, inner);
          loops_.pop_back();
          break;
        }
        case StmtKind::Break:
        case StmtKind::Continue:
          if (ctx.divergent && !loops_.empty()) mark_loop(loops_.back());
          break;
        case StmtKind::Return:
          if (ctx.divergent) {
            if (!after_return_.divergent) {
              after_return_ = Cause{true, s.loc, "some invocations returned early here"};
            }
            for (const Stmt* loop : loops_) mark_loop(loop);
          }
          break;
        case StmtKind::Barrier:
          if (out_ != nullptr && ctx.divergent) report(s, ctx);
          break;
      }
    }
  }

  void report(const Stmt& barrier, const Cause& cause) {
    Diagnostic d = Diagnostic::error(
        code::DivergentBarrier, "barrier under divergent control flow",
        "move the barrier out of the divergent region, or make the condition uniform (params, "
        "sizes, group ids and literals are uniform)");
    d.location = barrier.loc;
    d.file = *file_;
    d.path = "kernel " + p_.name;
    d.note(cause.what, cause.where);
    out_->push_back(std::move(d));
  }

  const ProgramData& p_;
  std::vector<bool> divergent_local_;
  std::unordered_map<const Stmt*, bool> divergent_loop_;
  std::vector<const Stmt*> loops_;
  Cause after_return_;
  bool changed_ = false;
  std::vector<Diagnostic>* out_ = nullptr;
  const std::string* file_ = nullptr;
};

}  // namespace

void check_barrier_uniformity(const ProgramData& program, const std::string& file,
                              std::vector<Diagnostic>& out) {
  Uniformity(program).run(file, out);
}

}  // namespace vyre::ir
