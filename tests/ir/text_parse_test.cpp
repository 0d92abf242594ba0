// The parser's trees (parse_unchecked): declarations, statements, precedence, literal forms and
// builtins, compared against hand-built ProgramData.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include "vyre/ir/text.h"

namespace vyre::ir {
namespace {

ExprPtr make(ExprKind kind, std::string name = {}) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->name = std::move(name);
  return e;
}
ExprPtr local(std::string name) {
  return make(ExprKind::Local, std::move(name));
}
ExprPtr untyped_int(std::uint64_t v) {
  auto e = make(ExprKind::Literal);
  e->op = static_cast<std::uint8_t>(LiteralForm::UntypedInt);
  e->bits = v;
  return e;
}
ExprPtr untyped_float(double v) {
  auto e = make(ExprKind::Literal);
  e->op = static_cast<std::uint8_t>(LiteralForm::UntypedFloat);
  e->bits = std::bit_cast<std::uint64_t>(v);
  return e;
}
ExprPtr typed(Type type, std::uint64_t bits) {
  auto e = make(ExprKind::Literal);
  e->op = static_cast<std::uint8_t>(LiteralForm::Typed);
  e->type = type;
  e->bits = bits;
  return e;
}
ExprPtr binary(BinaryOp op, ExprPtr a, ExprPtr b) {
  auto e = make(ExprKind::Binary);
  e->op = static_cast<std::uint8_t>(op);
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}
ExprPtr unary(UnaryOp op, ExprPtr a) {
  auto e = make(ExprKind::Unary);
  e->op = static_cast<std::uint8_t>(op);
  e->args.push_back(std::move(a));
  return e;
}
ExprPtr load(std::string memory, ExprPtr index) {
  auto e = make(ExprKind::Load, std::move(memory));
  e->args.push_back(std::move(index));
  return e;
}
ExprPtr builtin(Builtin b, std::uint8_t component) {
  auto e = make(ExprKind::Builtin);
  e->op = static_cast<std::uint8_t>(b);
  e->component = component;
  return e;
}
Stmt stmt(StmtKind kind, std::string name = {}) {
  Stmt s;
  s.kind = kind;
  s.name = std::move(name);
  return s;
}
template <class... E>
Stmt stmt(StmtKind kind, std::string name, E&&... exprs) {
  Stmt s = stmt(kind, std::move(name));
  (s.exprs.push_back(std::forward<E>(exprs)), ...);
  return s;
}

ProgramData parse_ok(std::string_view text) {
  auto result = parse_unchecked(text);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message) << "\n" << text;
  if (!result.ok()) return {};
  return std::move(result).value();
}

// Parses `expr` as the value of `let v = ...` in a minimal kernel.
ExprPtr parse_expr(std::string_view expr) {
  ProgramData p = parse_ok("kernel k workgroup(1) {\n let v = " + std::string(expr) + "\n}");
  if (p.body.size() != 1 || p.body[0].exprs.size() != 1) return nullptr;
  return std::move(p.body[0].exprs[0]);
}

void expect_expr(std::string_view text, const ExprPtr& expected) {
  ExprPtr got = parse_expr(text);
  ASSERT_TRUE(got) << text;
  EXPECT_TRUE(*got == *expected) << text << "\nprinted back as: "
                                 << print_program(parse_ok("kernel k workgroup(1) {\n let v = " +
                                                           std::string(text) + "\n}"));
}

TEST(TextParse, SaxpyTree) {
  ProgramData p = parse_ok(R"(
// the BRIEF's example
kernel saxpy workgroup(256) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
})");
  ProgramData want;
  want.name = "saxpy";
  want.workgroup = {256, 1, 1};
  want.params.push_back(ParamDecl{"a", Type::F32, {}});
  want.buffers.push_back(BufferDecl{"x", 0, Access::Read, Type::F32, SizeExpr{1, {"n"}}, {}});
  want.buffers.push_back(BufferDecl{"y", 1, Access::ReadWrite, Type::F32, SizeExpr{1, {"n"}}, {}});
  want.body.push_back(stmt(StmtKind::Let, "i", builtin(Builtin::GlobalId, 0)));
  Stmt branch = stmt(StmtKind::If, "", binary(BinaryOp::Lt, local("i"), make(ExprKind::Len, "y")));
  branch.body.push_back(
      stmt(StmtKind::Store, "y", local("i"),
           binary(BinaryOp::Add, binary(BinaryOp::Mul, local("a"), load("x", local("i"))),
                  load("y", local("i")))));
  want.body.push_back(std::move(branch));
  EXPECT_TRUE(p == want) << print_program(p);
  EXPECT_EQ(p.loc, (SourceLocation{3, 1}));
  EXPECT_EQ(p.params[0].loc, (SourceLocation{4, 9}));
  EXPECT_EQ(p.body[0].loc, (SourceLocation{7, 3}));
  EXPECT_EQ(p.body[0].exprs[0]->loc, (SourceLocation{7, 11}));
  EXPECT_EQ(p.body[1].body[0].loc, (SourceLocation{8, 19}));
  EXPECT_EQ(p.body[1].body[0].exprs[1]->loc, (SourceLocation{8, 35}));  // the `+`
}

TEST(TextParse, HeaderForms) {
  ProgramData p = parse_ok("kernel k workgroup(16, 8, 2) dispatch(n, 4*m*k, 1024) {}");
  EXPECT_EQ(p.workgroup, (std::array<std::uint32_t, 3>{16, 8, 2}));
  ASSERT_EQ(p.dispatch.size(), 3u);
  EXPECT_EQ(p.dispatch[0], (SizeExpr{1, {"n"}}));
  EXPECT_EQ(p.dispatch[1], (SizeExpr{4, {"m", "k"}}));
  EXPECT_EQ(p.dispatch[2], (SizeExpr{1024, {}}));
  EXPECT_TRUE(p.body.empty());

  p = parse_ok("kernel k workgroup(16,16) {}");
  EXPECT_EQ(p.workgroup, (std::array<std::uint32_t, 3>{16, 16, 1}));
  EXPECT_TRUE(p.dispatch.empty());
}

TEST(TextParse, DeclarationsAndDefaultBindings) {
  ProgramData p = parse_ok(R"(kernel k workgroup(64) {
  buffer a: read u32[2*n*2]
  param s: i64
  buffer b: write f64[m] binding(7)
  buffer c: read_write bool[16]
  shared t: f32[16*17]
  shared u: u64[4]
})");
  ASSERT_EQ(p.buffers.size(), 3u);
  EXPECT_EQ(p.buffers[0], (BufferDecl{"a", 0, Access::Read, Type::U32, SizeExpr{4, {"n"}}, {}}));
  EXPECT_EQ(p.buffers[1], (BufferDecl{"b", 7, Access::Write, Type::F64, SizeExpr{1, {"m"}}, {}}));
  EXPECT_EQ(p.buffers[2],
            (BufferDecl{"c", 2, Access::ReadWrite, Type::Bool, SizeExpr{16, {}}, {}}));
  ASSERT_EQ(p.params.size(), 1u);
  EXPECT_EQ(p.params[0], (ParamDecl{"s", Type::I64, {}}));
  ASSERT_EQ(p.shared.size(), 2u);
  EXPECT_EQ(p.shared[0], (SharedDecl{"t", Type::F32, 272, {}}));
  EXPECT_EQ(p.shared[1], (SharedDecl{"u", Type::U64, 4, {}}));
  EXPECT_EQ(p.buffers[1].loc, (SourceLocation{4, 10}));
}

TEST(TextParse, Precedence) {
  using B = BinaryOp;
  expect_expr("a + b * c", binary(B::Add, local("a"), binary(B::Mul, local("b"), local("c"))));
  expect_expr("a - b - c", binary(B::Sub, binary(B::Sub, local("a"), local("b")), local("c")));
  expect_expr("a - (b - c)", binary(B::Sub, local("a"), binary(B::Sub, local("b"), local("c"))));
  expect_expr("a || b && c",
              binary(B::LogicalOr, local("a"), binary(B::LogicalAnd, local("b"), local("c"))));
  expect_expr("a == b < c", binary(B::Eq, local("a"), binary(B::Lt, local("b"), local("c"))));
  expect_expr("a < b | c", binary(B::Lt, local("a"), binary(B::BitOr, local("b"), local("c"))));
  expect_expr("a | b ^ c", binary(B::BitOr, local("a"), binary(B::BitXor, local("b"), local("c"))));
  expect_expr("a ^ b & c",
              binary(B::BitXor, local("a"), binary(B::BitAnd, local("b"), local("c"))));
  expect_expr("a & b << c", binary(B::BitAnd, local("a"), binary(B::Shl, local("b"), local("c"))));
  expect_expr("a >> b + c", binary(B::Shr, local("a"), binary(B::Add, local("b"), local("c"))));
  expect_expr("a + b % c", binary(B::Add, local("a"), binary(B::Rem, local("b"), local("c"))));
  expect_expr("a / b * c", binary(B::Mul, binary(B::Div, local("a"), local("b")), local("c")));
  expect_expr("-a * b", binary(B::Mul, unary(UnaryOp::Neg, local("a")), local("b")));
  expect_expr("!a != ~b",
              binary(B::Ne, unary(UnaryOp::Not, local("a")), unary(UnaryOp::BitNot, local("b"))));
  expect_expr("- -a", unary(UnaryOp::Neg, unary(UnaryOp::Neg, local("a"))));
  expect_expr("-x[i]", unary(UnaryOp::Neg, load("x", local("i"))));
  expect_expr("a >= b && c <= d || e > f",
              binary(B::LogicalOr,
                     binary(B::LogicalAnd, binary(B::Ge, local("a"), local("b")),
                            binary(B::Le, local("c"), local("d"))),
                     binary(B::Gt, local("e"), local("f"))));
  // Inside brackets an operator may start a line; the expression continues.
  expect_expr("(a\n + b)", binary(B::Add, local("a"), local("b")));
}

TEST(TextParse, LiteralForms) {
  expect_expr("42", untyped_int(42));
  expect_expr("0x2A", untyped_int(42));
  expect_expr("18446744073709551615", untyped_int(UINT64_MAX));
  expect_expr("7u", typed(Type::U32, 7));
  expect_expr("7u32", typed(Type::U32, 7));
  expect_expr("7i", typed(Type::I32, 7));
  expect_expr("0xffffffffu", typed(Type::U32, 0xffffffffu));
  expect_expr("2147483647i", typed(Type::I32, 2147483647));
  expect_expr("-2147483648i", unary(UnaryOp::Neg, typed(Type::I32, 2147483648u)));
  expect_expr("-9223372036854775808i64", unary(UnaryOp::Neg, typed(Type::I64, 1ull << 63)));
  expect_expr("5u64", typed(Type::U64, 5));
  expect_expr("5i64", typed(Type::I64, 5));
  expect_expr("1.5", untyped_float(1.5));
  expect_expr("1e-3", untyped_float(1e-3));
  expect_expr("2.5E+2", untyped_float(250.0));
  expect_expr("1.5f32", typed(Type::F32, std::bit_cast<std::uint32_t>(1.5f)));
  expect_expr("0.1f", typed(Type::F32, std::bit_cast<std::uint32_t>(0.1f)));
  expect_expr("2f32", typed(Type::F32, std::bit_cast<std::uint32_t>(2.0f)));
  expect_expr("0.1f64", typed(Type::F64, std::bit_cast<std::uint64_t>(0.1)));
  expect_expr("1e-45f32", typed(Type::F32, 1));
  expect_expr("f32.inf", typed(Type::F32, 0x7f800000u));
  expect_expr("f32.nan", typed(Type::F32, 0x7fc00000u));
  expect_expr("f64.inf", typed(Type::F64, 0x7ff0000000000000ull));
  expect_expr("f64.nan", typed(Type::F64, 0x7ff8000000000000ull));
  expect_expr("f32.bits(0x7fc00001)", typed(Type::F32, 0x7fc00001u));
  expect_expr("f64.bits(0x8000000000000000)", typed(Type::F64, 0x8000000000000000ull));
  expect_expr("true", typed(Type::Bool, 1));
  expect_expr("false", typed(Type::Bool, 0));
  expect_expr("-1.5", unary(UnaryOp::Neg, untyped_float(1.5)));
}

TEST(TextParse, CallsCastsAtomicsBuiltins) {
  auto call = make(ExprKind::Call, "fma");
  call->args.push_back(local("a"));
  call->args.push_back(local("b"));
  call->args.push_back(untyped_float(1.0));
  expect_expr("fma(a, b, 1.0)", call);

  auto no_args = make(ExprKind::Call, "f");
  expect_expr("f()", no_args);

  auto cast = make(ExprKind::Cast);
  cast->type = Type::F32;
  cast->args.push_back(local("i"));
  expect_expr("f32(i)", cast);

  auto sel = make(ExprKind::Select);
  sel->args.push_back(local("c"));
  sel->args.push_back(untyped_int(1));
  sel->args.push_back(untyped_int(2));
  expect_expr("select(c, 1, 2)", sel);

  auto add = make(ExprKind::Atomic, "hist");
  add->op = static_cast<std::uint8_t>(AtomicOp::Add);
  add->args.push_back(local("b"));
  add->args.push_back(typed(Type::U32, 1));
  expect_expr("atomic_add(hist[b], 1u)", add);

  auto cas = make(ExprKind::Atomic, "lock");
  cas->op = static_cast<std::uint8_t>(AtomicOp::CompareExchange);
  cas->args.push_back(untyped_int(0));
  cas->args.push_back(untyped_int(0));
  cas->args.push_back(untyped_int(1));
  expect_expr("atomic_compare_exchange(lock[0], 0, 1)", cas);

  const std::pair<const char*, AtomicOp> kAtomics[] = {
      {"atomic_min", AtomicOp::Min}, {"atomic_max", AtomicOp::Max},
      {"atomic_and", AtomicOp::And}, {"atomic_or", AtomicOp::Or},
      {"atomic_xor", AtomicOp::Xor}, {"atomic_exchange", AtomicOp::Exchange}};
  for (auto [name, op] : kAtomics) {
    auto e = make(ExprKind::Atomic, "m");
    e->op = static_cast<std::uint8_t>(op);
    e->args.push_back(local("i"));
    e->args.push_back(local("v"));
    expect_expr(std::string(name) + "(m[i], v)", e);
  }

  const std::pair<const char*, Builtin> kBuiltins[] = {{"global_id", Builtin::GlobalId},
                                                       {"local_id", Builtin::LocalId},
                                                       {"group_id", Builtin::GroupId},
                                                       {"num_groups", Builtin::NumGroups},
                                                       {"group_size", Builtin::GroupSize}};
  for (auto [name, b] : kBuiltins) {
    for (std::uint8_t c = 0; c < 3; ++c) {
      expect_expr(std::string(name) + "." + "xyz"[c], builtin(b, c));
    }
  }
  expect_expr("len(buf)", make(ExprKind::Len, "buf"));
}

TEST(TextParse, Statements) {
  ProgramData p = parse_ok(R"(kernel k workgroup(1) {
  let a: u32 = 1; var b = 2
  b = 3
  m[0] = 4
  if a { } else if b { break } else { continue }
  for i in 0..10 step 2 { return }
  while c max 100 { barrier() }
  while c {}
  atomic_add(m[0], 1)
})");
  ASSERT_EQ(p.body.size(), 9u);
  Stmt let = stmt(StmtKind::Let, "a", untyped_int(1));
  let.type = Type::U32;
  let.type_declared = true;
  EXPECT_TRUE(p.body[0] == let);
  EXPECT_TRUE(p.body[1] == stmt(StmtKind::Var, "b", untyped_int(2)));
  EXPECT_TRUE(p.body[2] == stmt(StmtKind::Assign, "b", untyped_int(3)));
  EXPECT_TRUE(p.body[3] == stmt(StmtKind::Store, "m", untyped_int(0), untyped_int(4)));

  Stmt inner = stmt(StmtKind::If, "", local("b"));
  inner.body.push_back(stmt(StmtKind::Break));
  inner.orelse.push_back(stmt(StmtKind::Continue));
  Stmt outer = stmt(StmtKind::If, "", local("a"));
  outer.orelse.push_back(std::move(inner));
  EXPECT_TRUE(p.body[4] == outer);

  Stmt loop = stmt(StmtKind::For, "i", untyped_int(0), untyped_int(10));
  loop.step = 2;
  loop.body.push_back(stmt(StmtKind::Return));
  EXPECT_TRUE(p.body[5] == loop);

  Stmt capped = stmt(StmtKind::While, "", local("c"));
  capped.max_iterations = 100;
  capped.body.push_back(stmt(StmtKind::Barrier));
  EXPECT_TRUE(p.body[6] == capped);

  EXPECT_TRUE(p.body[7] == stmt(StmtKind::While, "", local("c")));  // no cap: max_iterations 0
  EXPECT_EQ(p.body[7].max_iterations, 0u);
  EXPECT_EQ(p.body[8].kind, StmtKind::Eval);
  EXPECT_EQ(p.body[8].exprs[0]->kind, ExprKind::Atomic);
}

TEST(TextParse, LineBreaksEndStatements) {
  // `-b` on its own line is a new (expression) statement, not a continuation.
  ProgramData p = parse_ok("kernel k workgroup(1) {\n  x = a\n  -b\n}");
  ASSERT_EQ(p.body.size(), 2u);
  EXPECT_TRUE(p.body[0] == stmt(StmtKind::Assign, "x", local("a")));
  EXPECT_TRUE(p.body[1] == stmt(StmtKind::Eval, "", unary(UnaryOp::Neg, local("b"))));
  // An operator at the end of a line continues the expression on the next.
  p = parse_ok("kernel k workgroup(1) {\n  x = a +\n    b\n}");
  ASSERT_EQ(p.body.size(), 1u);
  EXPECT_TRUE(p.body[0] ==
              stmt(StmtKind::Assign, "x", binary(BinaryOp::Add, local("a"), local("b"))));
  // else may start a new line.
  p = parse_ok("kernel k workgroup(1) {\n  if a {\n  }\n  else {\n    return\n  }\n}");
  ASSERT_EQ(p.body.size(), 1u);
  EXPECT_EQ(p.body[0].orelse.size(), 1u);
}

TEST(TextParse, CommentsAndContextualWords) {
  ProgramData p = parse_ok(R"(/* header
comment */ kernel k /* inline */ workgroup(1) { // trailing
  let max = 1      // `max`, `step`, `in`, `read` are only keywords in their place
  let step = max
  let read = step
  while read < max max 3 { }
  for in in 0..step step 1 {}
})");
  ASSERT_EQ(p.body.size(), 5u);
  EXPECT_EQ(p.body[3].max_iterations, 3u);
  EXPECT_EQ(p.body[4].name, "in");
}

TEST(TextParse, DeepButLegalNesting) {
  std::string expr(200, '(');
  expr += "x";
  expr += std::string(200, ')');
  EXPECT_TRUE(parse_expr(expr) != nullptr);
  std::string sum = "x";
  for (int i = 0; i < 200; ++i) sum += " + x";
  EXPECT_TRUE(parse_expr(sum) != nullptr);

  // 200 nested ifs and a 200-link else-if chain are within the 256-level limit.
  std::string nested = "kernel k workgroup(1) {\n";
  for (int i = 0; i < 200; ++i) nested += "if c {\n";
  nested += std::string(200, '}') + "\n}";
  EXPECT_TRUE(parse_unchecked(nested).ok());
  std::string chain = "kernel k workgroup(1) {\n  if c {}";
  for (int i = 0; i < 200; ++i) chain += " else if c {}";
  EXPECT_TRUE(parse_unchecked(chain + "\n}").ok());
}

}  // namespace
}  // namespace vyre::ir
