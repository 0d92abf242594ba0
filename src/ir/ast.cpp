// Deep copies, structural equality and operator spellings of the Program IR's nodes.
#include "vyre/ir/ast.h"

#include <array>

namespace vyre::ir {

std::string_view builtin_name(Builtin b) {
  static constexpr std::array<std::string_view, 5> kNames = {"global_id", "local_id", "group_id",
                                                             "num_groups", "group_size"};
  auto index = static_cast<std::size_t>(b);
  return index < kNames.size() ? kNames[index] : std::string_view("unknown_builtin");
}

std::string_view unary_op_symbol(UnaryOp op) {
  static constexpr std::array<std::string_view, 3> kSymbols = {"-", "!", "~"};
  auto index = static_cast<std::size_t>(op);
  return index < kSymbols.size() ? kSymbols[index] : std::string_view("?");
}

std::string_view binary_op_symbol(BinaryOp op) {
  static constexpr std::array<std::string_view, 18> kSymbols = {
      "+",  "-",  "*",  "/", "%",  "&", "|",  "^",  "<<",
      ">>", "==", "!=", "<", "<=", ">", ">=", "&&", "||"};
  auto index = static_cast<std::size_t>(op);
  return index < kSymbols.size() ? kSymbols[index] : std::string_view("?");
}

std::string_view atomic_op_name(AtomicOp op) {
  static constexpr std::array<std::string_view, 8> kNames = {
      "atomic_add", "atomic_min", "atomic_max",      "atomic_and",
      "atomic_or",  "atomic_xor", "atomic_exchange", "atomic_compare_exchange"};
  auto index = static_cast<std::size_t>(op);
  return index < kNames.size() ? kNames[index] : std::string_view("atomic_unknown");
}

namespace {

std::vector<ExprPtr> clone_all(const std::vector<ExprPtr>& exprs) {
  std::vector<ExprPtr> out;
  out.reserve(exprs.size());
  for (const ExprPtr& e : exprs) out.push_back(e ? e->clone() : nullptr);
  return out;
}

std::vector<Stmt> clone_all(const std::vector<Stmt>& stmts) {
  std::vector<Stmt> out;
  out.reserve(stmts.size());
  for (const Stmt& s : stmts) out.push_back(s.clone());
  return out;
}

bool equal_all(const std::vector<ExprPtr>& a, const std::vector<ExprPtr>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i] || !b[i]) {
      if (a[i] || b[i]) return false;
    } else if (!(*a[i] == *b[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

ExprPtr Expr::clone() const {
  auto out = std::make_unique<Expr>();
  out->kind = kind;
  out->type = type;
  out->op = op;
  out->component = component;
  out->space = space;
  out->ref = ref;
  out->bits = bits;
  out->name = name;
  out->args = clone_all(args);
  out->loc = loc;
  return out;
}

bool operator==(const Expr& a, const Expr& b) {
  return a.kind == b.kind && a.type == b.type && a.op == b.op && a.component == b.component &&
         a.space == b.space && a.ref == b.ref && a.bits == b.bits && a.name == b.name &&
         equal_all(a.args, b.args);
}

Stmt Stmt::clone() const {
  Stmt out;
  out.kind = kind;
  out.name = name;
  out.ref = ref;
  out.space = space;
  out.type = type;
  out.type_declared = type_declared;
  out.step = step;
  out.max_iterations = max_iterations;
  out.exprs = clone_all(exprs);
  out.body = clone_all(body);
  out.orelse = clone_all(orelse);
  out.loc = loc;
  return out;
}

bool operator==(const Stmt& a, const Stmt& b) {
  return a.kind == b.kind && a.name == b.name && a.ref == b.ref && a.space == b.space &&
         a.type == b.type && a.type_declared == b.type_declared && a.step == b.step &&
         a.max_iterations == b.max_iterations && equal_all(a.exprs, b.exprs) && a.body == b.body &&
         a.orelse == b.orelse;
}

ConstDecl ConstDecl::clone() const {
  return ConstDecl{name, value ? value->clone() : nullptr, type, loc};
}

bool operator==(const ConstDecl& a, const ConstDecl& b) {
  const bool values = a.value && b.value ? *a.value == *b.value : a.value == b.value;
  return a.name == b.name && a.type == b.type && values;
}

ProgramData ProgramData::clone() const {
  ProgramData out;
  out.name = name;
  out.workgroup = workgroup;
  out.dispatch = dispatch;
  out.params = params;
  out.buffers = buffers;
  out.shared = shared;
  for (const ConstDecl& c : constants) out.constants.push_back(c.clone());
  out.size_symbols = size_symbols;
  out.body = clone_all(body);
  out.local_names = local_names;
  out.local_types = local_types;
  out.loc = loc;
  return out;
}

bool operator==(const ProgramData& a, const ProgramData& b) {
  return a.name == b.name && a.workgroup == b.workgroup && a.dispatch == b.dispatch &&
         a.params == b.params && a.buffers == b.buffers && a.shared == b.shared &&
         a.constants == b.constants && a.size_symbols == b.size_symbols && a.body == b.body &&
         a.local_names == b.local_names && a.local_types == b.local_types;
}

}  // namespace vyre::ir
