#include "named_constants.h"

#include <string>
#include <vector>

#include "vyre/progen/random.h"

namespace vyre::progen {
namespace {

using ir::Expr;
using ir::ExprKind;
using ir::ExprPtr;
using ir::Stmt;

// A float literal with its sign bit set: the text spells it as `-` applied to a literal.
bool negative_float(const Expr& e) {
  return (e.type == ir::Type::F32 && (e.bits >> 31) != 0) ||
         (e.type == ir::Type::F64 && (e.bits >> 63) != 0);
}

// Typed literals a const may stand for. One under a unary minus stays: its magnitude may only
// fit negated (2147483648i under `-`), and a const holds a value, not a magnitude. Negative
// floats stay too: as a const they would read back as a negated literal, another tree.
void collect(Expr& e, bool under_minus, std::vector<Expr*>& out) {
  if (e.kind == ExprKind::Literal && !under_minus &&
      e.op == static_cast<std::uint8_t>(ir::LiteralForm::Typed) && e.type != ir::Type::Unknown &&
      !negative_float(e)) {
    out.push_back(&e);
  }
  const bool minus =
      e.kind == ExprKind::Unary && static_cast<ir::UnaryOp>(e.op) == ir::UnaryOp::Neg;
  for (ExprPtr& arg : e.args) {
    if (arg) collect(*arg, minus, out);
  }
}

void collect(std::vector<Stmt>& body, std::vector<Expr*>& out) {
  for (Stmt& s : body) {
    for (ExprPtr& e : s.exprs) {
      if (e) collect(*e, false, out);
    }
    collect(s.body, out);
    collect(s.orelse, out);
  }
}

}  // namespace

void name_constants(ir::ProgramData& draft, std::uint64_t seed) {
  Random rng(seed ^ 0x636f6e7374616e74ULL);  // "constant": a stream of its own
  std::vector<Expr*> literals;
  collect(draft.body, literals);
  if (literals.empty()) return;
  const std::uint64_t wanted = rng.below(4);  // none in about a quarter of the programs
  for (std::uint64_t k = 0; k < wanted && !literals.empty(); ++k) {
    const Expr* chosen = literals[rng.below(literals.size())];
    ir::ConstDecl decl;
    decl.name = "K" + std::to_string(draft.constants.size());
    decl.type = chosen->type;
    auto value = std::make_unique<Expr>();
    value->kind = ExprKind::Literal;
    value->op = chosen->op;
    value->type = chosen->type;
    value->bits = chosen->bits;
    decl.value = std::move(value);
    const ir::Type type = chosen->type;
    const std::uint64_t bits = chosen->bits;
    // Each literal of that type and value becomes the const's name, or stays, at random.
    for (Expr* e : literals) {
      if (e->kind != ExprKind::Literal || e->type != type || e->bits != bits) continue;
      if (!rng.chance(2, 3)) continue;
      e->kind = ExprKind::Local;
      e->name = decl.name;
      e->op = 0;
      e->bits = 0;
      e->type = ir::Type::Unknown;
    }
    draft.constants.push_back(std::move(decl));
    std::erase_if(literals, [](const Expr* e) { return e->kind != ExprKind::Literal; });
  }
}

}  // namespace vyre::progen
