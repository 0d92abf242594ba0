// KernelBuilder and the expression helpers of builder.h. Everything here produces the unresolved
// tree check() expects (see the conventions at the top of check.cpp): names as ExprKind::Local,
// memory by name, integer literals as magnitudes with a separate unary minus.
#include "vyre/ir/builder.h"

#include <bit>
#include <cmath>
#include <stdexcept>

namespace vyre::ir::dsl {

namespace {

ExprPtr node(ExprKind kind) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  return e;
}

ExprPtr literal(LiteralForm form, Type type, std::uint64_t bits) {
  ExprPtr e = node(ExprKind::Literal);
  e->op = static_cast<std::uint8_t>(form);
  e->type = type;
  e->bits = bits;
  return e;
}

ExprPtr negate(ExprPtr operand) {
  ExprPtr e = node(ExprKind::Unary);
  e->op = static_cast<std::uint8_t>(UnaryOp::Neg);
  e->args.push_back(std::move(operand));
  return e;
}

// Integer literals carry their magnitude; a negative value is -(magnitude), as the parser
// spells it, and check() folds the minus back in.
Value integer_literal(LiteralForm form, Type type, std::int64_t value) {
  if (value >= 0) return Value(literal(form, type, static_cast<std::uint64_t>(value)));
  std::uint64_t magnitude = 0 - static_cast<std::uint64_t>(value);
  return Value(negate(literal(form, type, magnitude)));
}

ExprPtr memory_node(ExprKind kind, const Memory& memory) {
  ExprPtr e = node(kind);
  e->name = memory.name();
  return e;
}

Value with_args(ExprPtr e, std::initializer_list<const Value*> args) {
  for (const Value* arg : args) e->args.push_back(arg->clone());
  return Value(std::move(e));
}

ExprPtr named_node(std::string name) {
  ExprPtr e = node(ExprKind::Local);
  e->name = std::move(name);
  return e;
}

}  // namespace

// ---- Value --------------------------------------------------------------------------------------

Value::Value(ExprPtr expr) : expr_(std::move(expr)) {
  if (!expr_) throw std::invalid_argument("vyre::ir::dsl::Value needs an expression");
}
Value::Value(int value) : Value(integer_literal(LiteralForm::UntypedInt, Type::Unknown, value)) {}
Value::Value(double value) : Value(lit_float(value)) {}
Value::Value(unsigned value) : Value(lit_u32(value)) {}
Value::Value(float value) : Value(lit_f32(value)) {}
Value::Value(long value) : Value(lit_i64(value)) {}
Value::Value(long long value) : Value(lit_i64(value)) {}
Value::Value(unsigned long value) : Value(lit_u64(value)) {}
Value::Value(unsigned long long value) : Value(lit_u64(value)) {}
Value Value::make_bool(bool value) {
  return lit_bool(value);
}

Value Memory::operator[](const Value& index) const {
  return load(*this, index);
}

void Extent::throw_negative() {
  throw std::invalid_argument("element counts cannot be negative");
}

// ---- literals -----------------------------------------------------------------------------------

Value lit_bool(bool value) {
  return Value(literal(LiteralForm::Typed, Type::Bool, value ? 1 : 0));
}
Value lit_i32(std::int32_t value) {
  return integer_literal(LiteralForm::Typed, Type::I32, value);
}
Value lit_u32(std::uint32_t value) {
  return Value(literal(LiteralForm::Typed, Type::U32, value));
}
Value lit_i64(std::int64_t value) {
  return integer_literal(LiteralForm::Typed, Type::I64, value);
}
Value lit_u64(std::uint64_t value) {
  return Value(literal(LiteralForm::Typed, Type::U64, value));
}
Value lit_f32(float value) {
  return Value(literal(LiteralForm::Typed, Type::F32, std::bit_cast<std::uint32_t>(value)));
}
Value lit_f64(double value) {
  return Value(literal(LiteralForm::Typed, Type::F64, std::bit_cast<std::uint64_t>(value)));
}
Value lit_int(std::int64_t value) {
  return integer_literal(LiteralForm::UntypedInt, Type::Unknown, value);
}
Value lit_float(double value) {
  return Value(
      literal(LiteralForm::UntypedFloat, Type::Unknown, std::bit_cast<std::uint64_t>(value)));
}

// ---- names and builtins -------------------------------------------------------------------------

Value named(std::string name) {
  return Value(named_node(std::move(name)));
}

Value builtin(Builtin which, unsigned component) {
  if (component > 2) throw std::invalid_argument("builtin component must be 0, 1 or 2 (x, y, z)");
  ExprPtr e = node(ExprKind::Builtin);
  e->op = static_cast<std::uint8_t>(which);
  e->component = static_cast<std::uint8_t>(component);
  return Value(std::move(e));
}
Value global_id(unsigned component) {
  return builtin(Builtin::GlobalId, component);
}
Value local_id(unsigned component) {
  return builtin(Builtin::LocalId, component);
}
Value group_id(unsigned component) {
  return builtin(Builtin::GroupId, component);
}
Value num_groups(unsigned component) {
  return builtin(Builtin::NumGroups, component);
}
Value group_size(unsigned component) {
  return builtin(Builtin::GroupSize, component);
}
Value global_id_x() {
  return global_id(0);
}
Value global_id_y() {
  return global_id(1);
}
Value global_id_z() {
  return global_id(2);
}
Value local_id_x() {
  return local_id(0);
}
Value local_id_y() {
  return local_id(1);
}
Value local_id_z() {
  return local_id(2);
}
Value group_id_x() {
  return group_id(0);
}
Value group_id_y() {
  return group_id(1);
}
Value group_id_z() {
  return group_id(2);
}
Value num_groups_x() {
  return num_groups(0);
}
Value num_groups_y() {
  return num_groups(1);
}
Value num_groups_z() {
  return num_groups(2);
}
Value group_size_x() {
  return group_size(0);
}
Value group_size_y() {
  return group_size(1);
}
Value group_size_z() {
  return group_size(2);
}

// ---- memory -------------------------------------------------------------------------------------

Value load(const Memory& memory, const Value& index) {
  return with_args(memory_node(ExprKind::Load, memory), {&index});
}
Value len(const Memory& memory) {
  return Value(memory_node(ExprKind::Len, memory));
}

// ---- operators ----------------------------------------------------------------------------------

Value unary(UnaryOp op, const Value& a) {
  ExprPtr e = node(ExprKind::Unary);
  e->op = static_cast<std::uint8_t>(op);
  return with_args(std::move(e), {&a});
}
Value binary(BinaryOp op, const Value& a, const Value& b) {
  ExprPtr e = node(ExprKind::Binary);
  e->op = static_cast<std::uint8_t>(op);
  return with_args(std::move(e), {&a, &b});
}
Value neg(const Value& a) {
  return unary(UnaryOp::Neg, a);
}
Value logical_not(const Value& a) {
  return unary(UnaryOp::Not, a);
}
Value bit_not(const Value& a) {
  return unary(UnaryOp::BitNot, a);
}
Value add(const Value& a, const Value& b) {
  return binary(BinaryOp::Add, a, b);
}
Value sub(const Value& a, const Value& b) {
  return binary(BinaryOp::Sub, a, b);
}
Value mul(const Value& a, const Value& b) {
  return binary(BinaryOp::Mul, a, b);
}
Value div(const Value& a, const Value& b) {
  return binary(BinaryOp::Div, a, b);
}
Value rem(const Value& a, const Value& b) {
  return binary(BinaryOp::Rem, a, b);
}
Value bit_and(const Value& a, const Value& b) {
  return binary(BinaryOp::BitAnd, a, b);
}
Value bit_or(const Value& a, const Value& b) {
  return binary(BinaryOp::BitOr, a, b);
}
Value bit_xor(const Value& a, const Value& b) {
  return binary(BinaryOp::BitXor, a, b);
}
Value shl(const Value& a, const Value& b) {
  return binary(BinaryOp::Shl, a, b);
}
Value shr(const Value& a, const Value& b) {
  return binary(BinaryOp::Shr, a, b);
}
Value eq(const Value& a, const Value& b) {
  return binary(BinaryOp::Eq, a, b);
}
Value ne(const Value& a, const Value& b) {
  return binary(BinaryOp::Ne, a, b);
}
Value lt(const Value& a, const Value& b) {
  return binary(BinaryOp::Lt, a, b);
}
Value le(const Value& a, const Value& b) {
  return binary(BinaryOp::Le, a, b);
}
Value gt(const Value& a, const Value& b) {
  return binary(BinaryOp::Gt, a, b);
}
Value ge(const Value& a, const Value& b) {
  return binary(BinaryOp::Ge, a, b);
}
Value logical_and(const Value& a, const Value& b) {
  return binary(BinaryOp::LogicalAnd, a, b);
}
Value logical_or(const Value& a, const Value& b) {
  return binary(BinaryOp::LogicalOr, a, b);
}

Value select(const Value& condition, const Value& if_true, const Value& if_false) {
  return with_args(node(ExprKind::Select), {&condition, &if_true, &if_false});
}

Value cast(Type to, const Value& value) {
  ExprPtr e = node(ExprKind::Cast);
  e->type = to;
  return with_args(std::move(e), {&value});
}

// ---- atomics ------------------------------------------------------------------------------------

Value atomic(AtomicOp op, const Memory& memory, const Value& index, const Value& operand) {
  if (op == AtomicOp::CompareExchange) {
    throw std::invalid_argument("use atomic_compare_exchange(memory, index, expected, desired)");
  }
  ExprPtr e = memory_node(ExprKind::Atomic, memory);
  e->op = static_cast<std::uint8_t>(op);
  return with_args(std::move(e), {&index, &operand});
}
Value atomic_add(const Memory& m, const Value& i, const Value& v) {
  return atomic(AtomicOp::Add, m, i, v);
}
Value atomic_min(const Memory& m, const Value& i, const Value& v) {
  return atomic(AtomicOp::Min, m, i, v);
}
Value atomic_max(const Memory& m, const Value& i, const Value& v) {
  return atomic(AtomicOp::Max, m, i, v);
}
Value atomic_and(const Memory& m, const Value& i, const Value& v) {
  return atomic(AtomicOp::And, m, i, v);
}
Value atomic_or(const Memory& m, const Value& i, const Value& v) {
  return atomic(AtomicOp::Or, m, i, v);
}
Value atomic_xor(const Memory& m, const Value& i, const Value& v) {
  return atomic(AtomicOp::Xor, m, i, v);
}
Value atomic_exchange(const Memory& m, const Value& i, const Value& v) {
  return atomic(AtomicOp::Exchange, m, i, v);
}
Value atomic_compare_exchange(const Memory& memory, const Value& index, const Value& expected,
                              const Value& desired) {
  ExprPtr e = memory_node(ExprKind::Atomic, memory);
  e->op = static_cast<std::uint8_t>(AtomicOp::CompareExchange);
  return with_args(std::move(e), {&index, &expected, &desired});
}

// ---- calls --------------------------------------------------------------------------------------

Value call(std::string op, std::vector<Value> args) {
  ExprPtr e = node(ExprKind::Call);
  e->name = std::move(op);
  for (const Value& arg : args) e->args.push_back(arg.clone());
  return Value(std::move(e));
}
Value sqrt(const Value& x) {
  return call("sqrt", x);
}
Value exp(const Value& x) {
  return call("exp", x);
}
Value exp2(const Value& x) {
  return call("exp2", x);
}
Value log(const Value& x) {
  return call("log", x);
}
Value log2(const Value& x) {
  return call("log2", x);
}
Value sin(const Value& x) {
  return call("sin", x);
}
Value cos(const Value& x) {
  return call("cos", x);
}
Value tan(const Value& x) {
  return call("tan", x);
}
Value pow(const Value& x, const Value& y) {
  return call("pow", x, y);
}
Value fma(const Value& x, const Value& y, const Value& z) {
  return call("fma", x, y, z);
}
Value floor(const Value& x) {
  return call("floor", x);
}
Value ceil(const Value& x) {
  return call("ceil", x);
}
Value trunc(const Value& x) {
  return call("trunc", x);
}
Value round(const Value& x) {
  return call("round", x);
}
Value abs(const Value& x) {
  return call("abs", x);
}
Value min(const Value& x, const Value& y) {
  return call("min", x, y);
}
Value max(const Value& x, const Value& y) {
  return call("max", x, y);
}
Value clamp(const Value& x, const Value& lo, const Value& hi) {
  return call("clamp", x, lo, hi);
}
Value popcount(const Value& x) {
  return call("popcount", x);
}
Value clz(const Value& x) {
  return call("clz", x);
}
Value ctz(const Value& x) {
  return call("ctz", x);
}

// ---- IfChain ------------------------------------------------------------------------------------

IfChain IfChain::else_if(const Value& condition, const std::function<void()>& then) {
  Stmt& parent = (*block_)[index_];
  if (!parent.orelse.empty()) throw std::logic_error("this if already has an else branch");
  Stmt branch;
  branch.kind = StmtKind::If;
  branch.exprs.push_back(condition.clone());
  builder_->build_block(branch.body, then);
  parent.orelse.push_back(std::move(branch));
  return IfChain(builder_, &parent.orelse, 0);
}

void IfChain::else_(const std::function<void()>& otherwise) {
  Stmt& parent = (*block_)[index_];
  if (!parent.orelse.empty()) throw std::logic_error("this if already has an else branch");
  builder_->build_block(parent.orelse, otherwise);
}

// ---- KernelBuilder ------------------------------------------------------------------------------

KernelBuilder::KernelBuilder(std::string name, Workgroup workgroup) : current_(&data_.body) {
  data_.name = std::move(name);
  data_.workgroup = {workgroup.x, workgroup.y, workgroup.z};
}

KernelBuilder& KernelBuilder::workgroup(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  data_.workgroup = {x, y, z};
  return *this;
}

KernelBuilder& KernelBuilder::dispatch(std::initializer_list<Extent> dims) {
  data_.dispatch.clear();
  for (const Extent& dim : dims) data_.dispatch.push_back(dim.size());
  return *this;
}

Value KernelBuilder::param(std::string name, Type type) {
  data_.params.push_back(ParamDecl{name, type, {}});
  return named(std::move(name));
}

Memory KernelBuilder::buffer(std::string name, Access access, Type element, Extent count,
                             std::optional<std::uint32_t> binding) {
  std::uint32_t slot = binding.value_or(next_binding_);
  next_binding_ = std::max(next_binding_, slot + 1);
  data_.buffers.push_back(BufferDecl{name, slot, access, element, count.size(), {}});
  return Memory(std::move(name), MemorySpace::Buffer, element);
}

Memory KernelBuilder::shared(std::string name, Type element, std::uint64_t count) {
  data_.shared.push_back(SharedDecl{name, element, count, {}});
  return Memory(std::move(name), MemorySpace::Shared, element);
}

Value KernelBuilder::size(std::string name) {
  return named(std::move(name));
}

Stmt& KernelBuilder::append(Stmt stmt) {
  current_->push_back(std::move(stmt));
  return current_->back();
}

void KernelBuilder::build_block(std::vector<Stmt>& into, const std::function<void()>& fill) {
  std::vector<Stmt>* outer = current_;
  current_ = &into;
  try {
    if (fill) fill();
  } catch (...) {
    current_ = outer;
    throw;
  }
  current_ = outer;
}

Value KernelBuilder::declare(StmtKind kind, std::string name, std::optional<Type> type,
                             const Value& init) {
  Stmt s;
  s.kind = kind;
  s.name = name;
  if (type) {
    s.type = *type;
    s.type_declared = true;
  }
  s.exprs.push_back(init.clone());
  append(std::move(s));
  return named(std::move(name));
}

Value KernelBuilder::let(std::string name, const Value& init) {
  return declare(StmtKind::Let, std::move(name), std::nullopt, init);
}
Value KernelBuilder::let(std::string name, Type type, const Value& init) {
  return declare(StmtKind::Let, std::move(name), type, init);
}
Value KernelBuilder::var(std::string name, const Value& init) {
  return declare(StmtKind::Var, std::move(name), std::nullopt, init);
}
Value KernelBuilder::var(std::string name, Type type, const Value& init) {
  return declare(StmtKind::Var, std::move(name), type, init);
}

void KernelBuilder::assign(const Value& local, const Value& value) {
  if (local.expr().kind != ExprKind::Local || local.expr().name.empty()) {
    throw std::invalid_argument("assign() needs a named value, such as the result of var()");
  }
  assign(local.expr().name, value);
}

void KernelBuilder::assign(std::string name, const Value& value) {
  Stmt s;
  s.kind = StmtKind::Assign;
  s.name = std::move(name);
  s.exprs.push_back(value.clone());
  append(std::move(s));
}

void KernelBuilder::store(const Memory& memory, const Value& index, const Value& value) {
  Stmt s;
  s.kind = StmtKind::Store;
  s.name = memory.name();
  s.exprs.push_back(index.clone());
  s.exprs.push_back(value.clone());
  append(std::move(s));
}

IfChain KernelBuilder::if_(const Value& condition, const std::function<void()>& then) {
  Stmt s;
  s.kind = StmtKind::If;
  s.exprs.push_back(condition.clone());
  build_block(s.body, then);
  append(std::move(s));
  return IfChain(this, current_, current_->size() - 1);
}

IfChain KernelBuilder::if_(const Value& condition, const std::function<void()>& then,
                           const std::function<void()>& otherwise) {
  IfChain chain = if_(condition, then);
  chain.else_(otherwise);
  return chain;
}

void KernelBuilder::for_(std::string name, const Value& start, const Value& end,
                         const std::function<void(Value)>& body) {
  for_(std::move(name), start, end, 1, body);
}

void KernelBuilder::for_(std::string name, const Value& start, const Value& end, std::uint64_t step,
                         const std::function<void(Value)>& body) {
  Stmt s;
  s.kind = StmtKind::For;
  s.name = name;
  s.step = step;
  s.exprs.push_back(start.clone());
  s.exprs.push_back(end.clone());
  Value variable = named(std::move(name));
  build_block(s.body, [&] {
    if (body) body(variable);
  });
  append(std::move(s));
}

void KernelBuilder::while_(const Value& condition, std::uint64_t max_iterations,
                           const std::function<void()>& body) {
  Stmt s;
  s.kind = StmtKind::While;
  s.max_iterations = max_iterations;
  s.exprs.push_back(condition.clone());
  build_block(s.body, body);
  append(std::move(s));
}

namespace {
Stmt bare(StmtKind kind) {
  Stmt s;
  s.kind = kind;
  return s;
}
}  // namespace

void KernelBuilder::break_() {
  append(bare(StmtKind::Break));
}
void KernelBuilder::continue_() {
  append(bare(StmtKind::Continue));
}
void KernelBuilder::barrier() {
  append(bare(StmtKind::Barrier));
}
void KernelBuilder::return_() {
  append(bare(StmtKind::Return));
}

void KernelBuilder::eval(const Value& value) {
  Stmt s = bare(StmtKind::Eval);
  s.exprs.push_back(value.clone());
  append(std::move(s));
}

ProgramData KernelBuilder::draft() const {
  return data_.clone();
}

Result<Program> KernelBuilder::finish(const CheckOptions& options) const {
  return check(draft(), options);
}

}  // namespace vyre::ir::dsl
