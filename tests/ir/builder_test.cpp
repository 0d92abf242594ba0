#include "vyre/ir/builder.h"

#include <gtest/gtest.h>

#include <bit>
#include <stdexcept>

#include "builder_samples.h"
#include "vyre/diag/codes.h"

namespace vyre::ir {
namespace {

using namespace vyre::ir::dsl;

std::uint8_t op_of(BinaryOp op) {
  return static_cast<std::uint8_t>(op);
}
std::uint8_t op_of(UnaryOp op) {
  return static_cast<std::uint8_t>(op);
}
std::uint8_t form(LiteralForm f) {
  return static_cast<std::uint8_t>(f);
}

TEST(Builder, SaxpyFromTheBriefChecksAndResolves) {
  KernelBuilder k("saxpy", {256});
  auto a = k.param("a", Type::F32);
  auto x = k.buffer("x", Access::Read, Type::F32, "n");
  auto y = k.buffer("y", Access::ReadWrite, Type::F32, "n");
  auto i = k.let("i", global_id_x());
  k.if_(i < len(y), [&] { k.store(y, i, a * x[i] + y[i]); });
  Result<Program> p = k.finish();
  ASSERT_TRUE(p.ok()) << p.error().message;

  const ProgramData& d = p->data();
  EXPECT_EQ(d.name, "saxpy");
  EXPECT_EQ(d.workgroup, (std::array<std::uint32_t, 3>{256, 1, 1}));
  ASSERT_EQ(d.buffers.size(), 2u);
  EXPECT_EQ(d.buffers[0].binding, 0u);
  EXPECT_EQ(d.buffers[1].binding, 1u);
  EXPECT_EQ(d.buffers[1].count, (SizeExpr{1, {"n"}}));
  EXPECT_EQ(d.size_symbols, std::vector<std::string>{"n"});
  ASSERT_EQ(d.body.size(), 2u);
  EXPECT_EQ(d.body[0].kind, StmtKind::Let);
  EXPECT_EQ(d.body[0].type, Type::U32);
  const Stmt& branch = d.body[1];
  ASSERT_EQ(branch.kind, StmtKind::If);
  ASSERT_EQ(branch.body.size(), 1u);
  const Stmt& store = branch.body[0];
  EXPECT_EQ(store.kind, StmtKind::Store);
  EXPECT_EQ(store.name, "y");
  EXPECT_EQ(store.ref, 1u);
  // a * x[i] + y[i]: Add(Mul(Param a, Load x), Load y), resolved and typed.
  const Expr& value = *store.exprs[1];
  EXPECT_EQ(value.kind, ExprKind::Binary);
  EXPECT_EQ(value.op, op_of(BinaryOp::Add));
  EXPECT_EQ(value.type, Type::F32);
  const Expr& product = *value.args[0];
  EXPECT_EQ(product.op, op_of(BinaryOp::Mul));
  EXPECT_EQ(product.args[0]->kind, ExprKind::Param);
  EXPECT_EQ(product.args[1]->kind, ExprKind::Load);
  EXPECT_EQ(product.args[1]->ref, 0u);
  EXPECT_EQ(value.args[1]->ref, 1u);
}

TEST(Builder, DraftLeavesNamesUnresolvedAndTypesUnknown) {
  KernelBuilder k("k");
  auto n = k.param("n", Type::U32);
  auto out = k.buffer("out", Access::Write, Type::U32, 16);
  k.store(out, 0u, n + 1);
  ProgramData d = k.draft();
  const Stmt& s = d.body.at(0);
  EXPECT_EQ(s.kind, StmtKind::Store);
  EXPECT_EQ(s.name, "out");
  EXPECT_EQ(s.ref, 0u);
  const Expr& sum = *s.exprs[1];
  EXPECT_EQ(sum.type, Type::Unknown);
  EXPECT_EQ(sum.args[0]->kind, ExprKind::Local);  // the checker turns it into a Param
  EXPECT_EQ(sum.args[0]->name, "n");
  EXPECT_EQ(sum.args[1]->op, form(LiteralForm::UntypedInt));
  EXPECT_TRUE(d.size_symbols.empty());
  EXPECT_TRUE(d.local_names.empty());
}

TEST(Builder, WorkgroupAndDispatch) {
  KernelBuilder k("k", {32, 2});
  EXPECT_EQ(k.draft().workgroup, (std::array<std::uint32_t, 3>{32, 2, 1}));
  k.workgroup(4, 4, 4);
  k.dispatch({"n", 10, SizeExpr{3, {"n", "m"}}});
  ProgramData d = k.draft();
  EXPECT_EQ(d.workgroup, (std::array<std::uint32_t, 3>{4, 4, 4}));
  ASSERT_EQ(d.dispatch.size(), 3u);
  EXPECT_EQ(d.dispatch[0], (SizeExpr{1, {"n"}}));
  EXPECT_EQ(d.dispatch[1], (SizeExpr{10, {}}));
  EXPECT_EQ(d.dispatch[2], (SizeExpr{3, {"n", "m"}}));
  EXPECT_THROW(Extent(-1), std::invalid_argument);
}

TEST(Builder, BindingsFollowTheHighestSoFar) {
  KernelBuilder k("k");
  k.buffer("a", Access::Read, Type::F32, 4);
  k.buffer("b", Access::Read, Type::F32, 4, 5);
  k.buffer("c", Access::ReadWrite, Type::F32, 4);
  k.buffer("d", Access::Read, Type::F32, 4, 2);
  k.buffer("e", Access::Read, Type::F32, 4);
  ProgramData d = k.draft();
  std::vector<std::uint32_t> bindings;
  for (const BufferDecl& b : d.buffers) bindings.push_back(b.binding);
  EXPECT_EQ(bindings, (std::vector<std::uint32_t>{0, 5, 6, 2, 7}));
}

TEST(Builder, TypedLiteralHelpers) {
  // Keeps every Value alive for the whole test, so the returned references stay valid.
  std::vector<Value> keep;
  auto lit = [&](Value v) -> const Expr& {
    keep.push_back(std::move(v));
    return keep.back().expr();
  };
  keep.reserve(32);
  EXPECT_EQ(lit(lit_u32(3)).type, Type::U32);
  EXPECT_EQ(lit(lit_u32(3)).bits, 3u);
  EXPECT_EQ(lit(lit_u32(3)).op, form(LiteralForm::Typed));
  EXPECT_EQ(lit(lit_bool(true)).bits, 1u);
  EXPECT_EQ(lit(lit_bool(true)).type, Type::Bool);
  EXPECT_EQ(lit(lit_f32(1.5f)).bits, std::bit_cast<std::uint32_t>(1.5f));
  EXPECT_EQ(lit(lit_f64(-2.5)).bits, std::bit_cast<std::uint64_t>(-2.5));
  EXPECT_EQ(lit(lit_u64(~0ULL)).bits, ~0ULL);
  EXPECT_EQ(lit(lit_i64(7)).type, Type::I64);
  // Negative integers are -(magnitude), the form check() folds.
  const Expr& minus = lit(lit_i32(-5));
  ASSERT_EQ(minus.kind, ExprKind::Unary);
  EXPECT_EQ(minus.op, op_of(UnaryOp::Neg));
  EXPECT_EQ(minus.args[0]->bits, 5u);
  EXPECT_EQ(minus.args[0]->type, Type::I32);
  EXPECT_EQ(lit(lit_i64(INT64_MIN)).args[0]->bits, 1ULL << 63);
}

TEST(Builder, CppConstantsBecomeLiterals) {
  auto check_literal = [](const Value& v, LiteralForm f, Type t) {
    EXPECT_EQ(v.expr().kind, ExprKind::Literal);
    EXPECT_EQ(v.expr().op, form(f));
    EXPECT_EQ(v.expr().type, t);
  };
  check_literal(Value(3), LiteralForm::UntypedInt, Type::Unknown);
  check_literal(Value(1.5), LiteralForm::UntypedFloat, Type::Unknown);
  check_literal(Value(3u), LiteralForm::Typed, Type::U32);
  check_literal(Value(1.5f), LiteralForm::Typed, Type::F32);
  check_literal(Value(std::int64_t{3}), LiteralForm::Typed, Type::I64);
  check_literal(Value(3LL), LiteralForm::Typed, Type::I64);
  check_literal(Value(std::uint64_t{3}), LiteralForm::Typed, Type::U64);
  check_literal(Value(3ULL), LiteralForm::Typed, Type::U64);
  check_literal(Value(false), LiteralForm::Typed, Type::Bool);
  check_literal(lit_int(9), LiteralForm::UntypedInt, Type::Unknown);
  EXPECT_EQ(lit_float(0.1).expr().bits, std::bit_cast<std::uint64_t>(0.1));
  EXPECT_EQ(Value(-4).expr().kind, ExprKind::Unary);
}

TEST(Builder, OperatorsBuildTheMatchingNodes) {
  auto a = named("a");
  auto b = named("b");
  struct Case {
    Value value;
    BinaryOp op;
  };
  std::vector<Case> cases = {
      {a + b, BinaryOp::Add},         {a - b, BinaryOp::Sub},
      {a * b, BinaryOp::Mul},         {a / b, BinaryOp::Div},
      {a % b, BinaryOp::Rem},         {a & b, BinaryOp::BitAnd},
      {a | b, BinaryOp::BitOr},       {a ^ b, BinaryOp::BitXor},
      {a << b, BinaryOp::Shl},        {a >> b, BinaryOp::Shr},
      {a == b, BinaryOp::Eq},         {a != b, BinaryOp::Ne},
      {a < b, BinaryOp::Lt},          {a <= b, BinaryOp::Le},
      {a > b, BinaryOp::Gt},          {a >= b, BinaryOp::Ge},
      {a && b, BinaryOp::LogicalAnd}, {a || b, BinaryOp::LogicalOr},
      {add(a, b), BinaryOp::Add},     {shr(a, b), BinaryOp::Shr},
      {ge(a, b), BinaryOp::Ge},       {logical_or(a, b), BinaryOp::LogicalOr},
  };
  for (const Case& c : cases) {
    const Expr& e = c.value.expr();
    EXPECT_EQ(e.kind, ExprKind::Binary);
    EXPECT_EQ(e.op, op_of(c.op)) << binary_op_symbol(c.op);
    ASSERT_EQ(e.args.size(), 2u);
    EXPECT_EQ(e.args[0]->name, "a");
    EXPECT_EQ(e.args[1]->name, "b");
  }
  EXPECT_EQ((-a).expr().op, op_of(UnaryOp::Neg));
  EXPECT_EQ((!a).expr().op, op_of(UnaryOp::Not));
  EXPECT_EQ((~a).expr().op, op_of(UnaryOp::BitNot));
  EXPECT_EQ(bit_not(a).expr().kind, ExprKind::Unary);
  // Mixed with C++ constants on either side.
  EXPECT_EQ((1 + a).expr().args[0]->op, form(LiteralForm::UntypedInt));
  EXPECT_EQ((a * 2.0).expr().args[1]->op, form(LiteralForm::UntypedFloat));
}

TEST(Builder, BuiltinsSelectCastCallsAndAtomics) {
  Value g = group_size_z();
  EXPECT_EQ(g.expr().kind, ExprKind::Builtin);
  EXPECT_EQ(g.expr().op, static_cast<std::uint8_t>(Builtin::GroupSize));
  EXPECT_EQ(g.expr().component, 2);
  EXPECT_EQ(local_id(1).expr().component, 1);
  EXPECT_THROW(builtin(Builtin::GlobalId, 3), std::invalid_argument);

  Value s = select(named("c"), 1, 2);
  EXPECT_EQ(s.expr().kind, ExprKind::Select);
  EXPECT_EQ(s.expr().args.size(), 3u);
  Value c = cast(Type::F64, named("i"));
  EXPECT_EQ(c.expr().kind, ExprKind::Cast);
  EXPECT_EQ(c.expr().type, Type::F64);

  Value f = fma(named("x"), named("y"), 1.0);
  EXPECT_EQ(f.expr().kind, ExprKind::Call);
  EXPECT_EQ(f.expr().name, "fma");
  EXPECT_EQ(f.expr().args.size(), 3u);
  EXPECT_EQ(call("popcount", {named("x")}).expr().args.size(), 1u);

  Memory m("counts", MemorySpace::Buffer, Type::U32);
  Value add = atomic_add(m, 3u, 1u);
  EXPECT_EQ(add.expr().kind, ExprKind::Atomic);
  EXPECT_EQ(add.expr().name, "counts");
  EXPECT_EQ(add.expr().op, static_cast<std::uint8_t>(AtomicOp::Add));
  EXPECT_EQ(add.expr().args.size(), 2u);
  Value cas = atomic_compare_exchange(m, 0u, 1u, 2u);
  EXPECT_EQ(cas.expr().op, static_cast<std::uint8_t>(AtomicOp::CompareExchange));
  EXPECT_EQ(cas.expr().args.size(), 3u);
  EXPECT_THROW(atomic(AtomicOp::CompareExchange, m, 0u, 1u), std::invalid_argument);
  EXPECT_EQ(m[2u].expr().kind, ExprKind::Load);
  EXPECT_EQ(len(m).expr().kind, ExprKind::Len);
}

TEST(Builder, IfElseIfElseNestsInOrelse) {
  KernelBuilder k("k");
  auto out = k.buffer("out", Access::Write, Type::U32, 4);
  auto i = k.let("i", global_id_x());
  k.if_(i == 0u, [&] { k.store(out, 0u, 10u); })
      .else_if(i == 1u, [&] { k.store(out, 1u, 11u); })
      .else_([&] { k.store(out, 2u, 12u); });
  k.if_(
      i == 5u, [&] { k.return_(); }, [&] { k.store(out, 3u, 13u); });
  ProgramData d = k.draft();
  ASSERT_EQ(d.body.size(), 3u);
  const Stmt& first = d.body[1];
  ASSERT_EQ(first.orelse.size(), 1u);
  const Stmt& second = first.orelse[0];
  EXPECT_EQ(second.kind, StmtKind::If);
  ASSERT_EQ(second.orelse.size(), 1u);
  EXPECT_EQ(second.orelse[0].kind, StmtKind::Store);
  EXPECT_EQ(d.body[2].body.at(0).kind, StmtKind::Return);
  EXPECT_EQ(d.body[2].orelse.at(0).kind, StmtKind::Store);
  Result<Program> p = k.finish();
  EXPECT_TRUE(p.ok()) << p.error().message;
}

TEST(Builder, LoopsKeepStepCapAndVariable) {
  KernelBuilder k("k");
  auto out = k.buffer("out", Access::Write, Type::U32, 64);
  k.for_("j", 0u, 64u, 8, [&](Value j) {
    EXPECT_EQ(j.expr().name, "j");
    k.if_(j == 16u, [&] { k.continue_(); });
    k.store(out, j, j);
  });
  auto w = k.var("w", 0u);
  k.while_(w < 10u, 32, [&] {
    k.assign(w, w + 1u);
    k.if_(w == 5u, [&] { k.break_(); });
  });
  ProgramData d = k.draft();
  EXPECT_EQ(d.body[0].kind, StmtKind::For);
  EXPECT_EQ(d.body[0].step, 8u);
  EXPECT_EQ(d.body[0].body.size(), 2u);
  EXPECT_EQ(d.body[2].kind, StmtKind::While);
  EXPECT_EQ(d.body[2].max_iterations, 32u);
  Result<Program> p = k.finish();
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->data().local_names, (std::vector<std::string>{"j", "w"}));
}

TEST(Builder, DeclaredTypesAndAssignment) {
  KernelBuilder k("k");
  auto out = k.buffer("out", Access::Write, Type::F64, 1);
  auto v = k.var("v", Type::F64, 1);  // untyped 1 takes the declared type
  k.assign(v, v * 2);
  k.assign("v", v + 0.5);
  k.let("c", Type::U64, 7);
  k.store(out, 0u, v);
  Result<Program> p = k.finish();
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(p->data().body[0].type_declared);
  EXPECT_EQ(p->data().local_types, (std::vector<Type>{Type::F64, Type::U64}));
  EXPECT_THROW(k.assign(lit_u32(1), 2), std::invalid_argument);
}

TEST(Builder, CheckerDiagnosticsComeBack) {
  {
    KernelBuilder k("k");
    auto x = k.buffer("x", Access::Read, Type::F32, "n");
    k.buffer("y", Access::Write, Type::F32, "n");
    k.store(x, 0u, 1.0f);
    Result<Program> p = k.finish();
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, code::StoreToReadOnly);
  }
  {
    KernelBuilder k("k");
    k.buffer("y", Access::Write, Type::U32, 1);
    k.while_(lit_bool(true), 0, [] {});
    EXPECT_EQ(k.finish().error().code, code::UnboundedLoop);
  }
  {
    KernelBuilder k("k");
    auto y = k.buffer("y", Access::Write, Type::U32, 1);
    k.store(y, 0u, named("nope"));
    EXPECT_EQ(k.finish().error().code, code::UndefinedName);
  }
  {
    KernelBuilder k("k");
    auto y = k.buffer("y", Access::Write, Type::F32, 1);
    k.store(y, 0u, call("no_such_op", 1.0f));
    EXPECT_EQ(k.finish().error().code, code::UnknownOp);
  }
  {
    KernelBuilder k("k");
    auto y = k.buffer("y", Access::Write, Type::U32, 1);
    k.if_(global_id_x() == 0u, [&] { k.barrier(); });
    k.store(y, 0u, 1u);
    EXPECT_EQ(k.finish().error().code, code::DivergentBarrier);
  }
}

TEST(Builder, FinishIsRepeatableAndDeterministic) {
  Program a = samples::everything();
  Program b = samples::everything();
  EXPECT_EQ(a, b);
  KernelBuilder k("k");
  auto y = k.buffer("y", Access::Write, Type::U32, 1);
  k.store(y, 0u, 1u);
  Result<Program> first = k.finish();
  Result<Program> second = k.finish();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
}

TEST(Builder, EverySampleChecks) {
  for (const Program& p : samples::all_samples()) {
    EXPECT_FALSE(p->body.empty()) << p->name;
  }
  // Size symbols used as values resolve to Size expressions.
  Program m = samples::matmul();
  EXPECT_EQ(m->size_symbols, (std::vector<std::string>{"m", "k", "n"}));
}

TEST(Builder, NegativeLiteralsFoldWhenChecked) {
  KernelBuilder k("k");
  auto out = k.buffer("out", Access::Write, Type::I32, 2);
  k.store(out, 0u, lit_i32(-5));
  k.store(out, 1u, -7);
  Result<Program> p = k.finish();
  ASSERT_TRUE(p.ok()) << p.error().message;
  const Expr& first = *p.value()->body[0].exprs[1];
  EXPECT_EQ(first.kind, ExprKind::Literal);
  EXPECT_EQ(first.bits, 0xFFFFFFFBu);
  const Expr& second = *p.value()->body[1].exprs[1];
  EXPECT_EQ(second.kind, ExprKind::Literal);
  EXPECT_EQ(second.type, Type::I32);
  EXPECT_EQ(second.bits, 0xFFFFFFF9u);
}

}  // namespace
}  // namespace vyre::ir
