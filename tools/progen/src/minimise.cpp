#include <algorithm>
#include <functional>

#include "vyre/ir/text.h"
#include "vyre/progen/differential.h"

namespace vyre::progen {
namespace {

using ir::Expr;
using ir::ExprPtr;
using ir::Stmt;
using ir::StmtKind;

// Visits every statement list position in pre-order; `apply(block, index)` returns true when it
// changed something (then the walk stops).
bool visit_stmts(std::vector<Stmt>& block, std::size_t& k,
                 const std::function<bool(std::vector<Stmt>&, std::size_t)>& apply) {
  for (std::size_t i = 0; i < block.size(); ++i) {
    if (k-- == 0) return apply(block, i);
    if (visit_stmts(block[i].body, k, apply) || visit_stmts(block[i].orelse, k, apply)) return true;
  }
  return false;
}

bool visit_expr(ExprPtr& e, std::size_t& k, const std::function<bool(ExprPtr&)>& apply) {
  if (k-- == 0) return apply(e);
  for (auto& a : e->args) {
    if (visit_expr(a, k, apply)) return true;
  }
  return false;
}

bool visit_exprs(std::vector<Stmt>& block, std::size_t& k,
                 const std::function<bool(ExprPtr&)>& apply) {
  for (Stmt& s : block) {
    for (auto& e : s.exprs) {
      if (visit_expr(e, k, apply)) return true;
    }
    if (visit_exprs(s.body, k, apply) || visit_exprs(s.orelse, k, apply)) return true;
  }
  return false;
}

std::size_t count_exprs(const Expr& e) {
  std::size_t n = 1;
  for (const auto& a : e.args) n += count_exprs(*a);
  return n;
}

std::size_t count(const std::vector<Stmt>& block, bool exprs) {
  std::size_t n = 0;
  for (const Stmt& s : block) {
    n += exprs ? 0 : 1;
    if (exprs) {
      for (const auto& e : s.exprs) n += count_exprs(*e);
    }
    n += count(s.body, exprs) + count(s.orelse, exprs);
  }
  return n;
}

ExprPtr zero_of(ir::Type type) {
  auto e = std::make_unique<Expr>();
  e->kind = ir::ExprKind::Literal;
  e->type = type;
  e->op = static_cast<std::uint8_t>(ir::LiteralForm::Typed);
  return e;
}

bool contains_barrier(const Stmt& s) {
  if (s.kind == StmtKind::Barrier) return true;
  return std::any_of(s.body.begin(), s.body.end(), contains_barrier) ||
         std::any_of(s.orelse.begin(), s.orelse.end(), contains_barrier);
}

class Minimiser {
 public:
  Minimiser(const ir::Program& p, RunInputs in, const StillFails& fails, std::uint32_t budget)
      : best_(p), inputs_(std::move(in)), fails_(fails), budget_(budget) {}

  Minimised run() {
    bool progress = true;
    while (progress && attempts_ < budget_) {
      progress = shrink_statements() || shrink_expressions() || shrink_inputs();
    }
    return {best_, inputs_, attempts_};
  }

 private:
  bool try_program(ir::ProgramData draft) {
    if (attempts_ >= budget_) return false;
    // Through the text form: a checked tree's literals are folded bit patterns, which check()
    // would read as magnitudes; printing and parsing round-trips exactly (docs/IR.md 11).
    auto checked = ir::parse_program(ir::print_program(draft));
    if (!checked.ok()) return false;
    ++attempts_;
    if (!fails_(*checked, inputs_)) return false;
    best_ = *checked;
    return true;
  }

  bool shrink_statements() {
    const std::size_t n = count(best_->body, false);
    for (std::size_t target = 0; target < n; ++target) {
      for (int action = 0; action < 3; ++action) {
        ir::ProgramData draft = best_->clone();
        std::size_t k = target;
        bool changed =
            visit_stmts(draft.body, k, [action](std::vector<Stmt>& block, std::size_t i) {
              Stmt& s = block[i];
              // Barriers stay: dropping one would let the reproducer race on shared memory and
              // disagree for a reason of its own.
              if (action == 0) {  // remove
                if (contains_barrier(s)) return false;
                block.erase(block.begin() + static_cast<std::ptrdiff_t>(i));
                return true;
              }
              std::vector<Stmt>* keep = action == 1 ? &s.body : &s.orelse;
              if (s.kind != StmtKind::If && !(action == 1 && s.kind == StmtKind::While))
                return false;
              const std::vector<Stmt>& dropped = action == 1 ? s.orelse : s.body;
              if (std::any_of(dropped.begin(), dropped.end(), contains_barrier)) return false;
              std::vector<Stmt> hoisted = std::move(*keep);
              block.erase(block.begin() + static_cast<std::ptrdiff_t>(i));
              block.insert(block.begin() + static_cast<std::ptrdiff_t>(i),
                           std::make_move_iterator(hoisted.begin()),
                           std::make_move_iterator(hoisted.end()));
              return true;
            });
        if (changed && try_program(std::move(draft))) return true;
      }
    }
    return false;
  }

  bool shrink_expressions() {
    const std::size_t n = count(best_->body, true);
    for (std::size_t target = 0; target < n; ++target) {
      for (int action = 0; action < 4; ++action) {
        ir::ProgramData draft = best_->clone();
        std::size_t k = target;
        bool changed = visit_exprs(draft.body, k, [action](ExprPtr& e) {
          if (action == 0) {
            if (e->kind == ir::ExprKind::Literal || e->type == ir::Type::Unknown ||
                e->kind == ir::ExprKind::Atomic) {
              return false;
            }
            e = zero_of(e->type);
            return true;
          }
          const std::size_t arg = static_cast<std::size_t>(action - 1);
          if (arg >= e->args.size() || e->kind == ir::ExprKind::Load ||
              e->kind == ir::ExprKind::Atomic || e->args[arg]->type != e->type) {
            return false;
          }
          ExprPtr child = std::move(e->args[arg]);
          e = std::move(child);
          return true;
        });
        if (changed && try_program(std::move(draft))) return true;
      }
    }
    return false;
  }

  bool try_inputs(RunInputs candidate) {
    if (attempts_ >= budget_) return false;
    ++attempts_;
    if (!fails_(best_, candidate)) return false;
    inputs_ = std::move(candidate);
    return true;
  }

  bool shrink_inputs() {
    for (auto& [name, value] : inputs_.params) {
      if (value.bits == 0) continue;
      RunInputs c = inputs_;
      c.params[name].bits = 0;
      if (try_inputs(std::move(c))) return true;
    }
    for (auto& [name, buffer] : inputs_.buffers) {
      bool zero = true;
      for (auto b : buffer.bytes()) zero = zero && b == 0;
      if (zero) continue;
      RunInputs c = inputs_;
      std::fill(c.buffers[name].bytes().begin(), c.buffers[name].bytes().end(), 0);
      if (try_inputs(std::move(c))) return true;
    }
    return false;
  }

  ir::Program best_;
  RunInputs inputs_;
  const StillFails& fails_;
  std::uint32_t budget_;
  std::uint32_t attempts_ = 0;
};

}  // namespace

Minimised minimise(const ir::Program& program, const RunInputs& inputs, const StillFails& fails,
                   std::uint32_t max_attempts) {
  return Minimiser(program, inputs, fails, max_attempts).run();
}

std::size_t program_size(const ir::ProgramData& program) {
  return count(program.body, false) + count(program.body, true);
}

}  // namespace vyre::progen
