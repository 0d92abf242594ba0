// The checker: every validation diagnostic from a real program, with its position; and the
// typing rules (untyped literals, folding of negative literals, name resolution).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "vyre/diag/codes.h"
#include "vyre/ir/builder.h"
#include "vyre/ir/text.h"

namespace vyre::ir {
namespace {

// Wraps declarations and statements in a kernel header; they start on line 2.
std::string kernel(const std::string& decls_and_body) {
  return "kernel k workgroup(64) {\n" + decls_and_body + "\n}\n";
}

struct Failure {
  std::string code;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string message;
  std::string help;
};

Failure fails(const std::string& text) {
  auto program = parse_program(text);
  if (program) {
    ADD_FAILURE() << "expected a diagnostic for:\n" << text;
    return {};
  }
  const Diagnostic& d = program.error();
  EXPECT_FALSE(d.help.empty()) << d.code << " has no help line";
  return {d.code, d.location.line, d.location.column, d.message, d.help};
}

Program passes(const std::string& text) {
  auto program = parse_program(text);
  if (!program) {
    ADD_FAILURE() << program.error().code << " " << program.error().message << " at "
                  << program.error().location.line << ":" << program.error().location.column << "\n"
                  << text;
    std::abort();
  }
  return std::move(program).value();
}

TEST(Check, UndefinedName) {
  auto f = fails(kernel("buffer y: write u32[n]\ny[0] = q"));
  EXPECT_EQ(f.code, code::UndefinedName);
  EXPECT_EQ(f.line, 3u);
  EXPECT_NE(f.message.find("`q`"), std::string::npos);
}

TEST(Check, DuplicateNameHasNoShadowing) {
  auto f = fails(kernel("buffer y: write u32[n]\nlet a = 1u\nif true {\n let a = 2u\n y[0] = a }"));
  EXPECT_EQ(f.code, code::DuplicateName);
  EXPECT_EQ(f.line, 5u);
}

TEST(Check, DuplicateNameBetweenDeclarations) {
  auto f = fails(kernel("param y: u32\nbuffer y: write u32[n]"));
  EXPECT_EQ(f.code, code::DuplicateName);
}

TEST(Check, SiblingScopesMayReuseNames) {
  passes(kernel(
      "buffer y: write u32[n]\nif true { let a = 1u\ny[0] = a } else { let a = 2u\ny[0] = a }"));
}

TEST(Check, DuplicateBinding) {
  auto f = fails(kernel("buffer x: read u32[n] binding(0)\nbuffer y: write u32[n] binding(0)"));
  EXPECT_EQ(f.code, code::DuplicateBinding);
  EXPECT_EQ(f.line, 3u);
}

TEST(Check, TypeMismatchNeedsExplicitConversion) {
  auto f = fails(kernel("buffer y: write f32[n]\nlet i = global_id.x\ny[i] = i"));
  EXPECT_EQ(f.code, code::TypeMismatch);
  EXPECT_NE(f.help.find("f32("), std::string::npos);
  passes(kernel("buffer y: write f32[n]\nlet i = global_id.x\ny[i] = f32(i)"));
}

TEST(Check, StoreToReadOnly) {
  auto f = fails(kernel("buffer x: read u32[n]\nbuffer y: write u32[n]\nx[0] = 1u"));
  EXPECT_EQ(f.code, code::StoreToReadOnly);
  EXPECT_EQ(f.line, 4u);
  EXPECT_EQ(f.column, 1u);
}

TEST(Check, LoadFromWriteOnly) {
  auto f = fails(kernel("buffer y: write u32[n]\ny[0] = y[1]"));
  EXPECT_EQ(f.code, code::LoadFromWriteOnly);
}

TEST(Check, AtomicsNeedIntegerReadWriteMemory) {
  EXPECT_EQ(fails(kernel("buffer h: read_write f32[n]\natomic_add(h[0], 1.0)")).code,
            code::BadAtomic);
  EXPECT_EQ(
      fails(kernel("buffer h: read u32[n]\nbuffer o: write u32[n]\natomic_add(h[0], 1u)")).code,
      code::StoreToReadOnly);
  EXPECT_EQ(fails(kernel("buffer h: read_write u32[n]\natomic_add(h[0], 1i)")).code,
            code::BadAtomic);
  passes(
      kernel("buffer h: read_write u32[n]\nshared s: u32[64]\natomic_add(h[0], 1)\n"
             "let old = atomic_compare_exchange(s[0], 0, 5)\nh[1] = old"));
}

TEST(Check, BarrierUnderDivergentIf) {
  auto f = fails(kernel("buffer y: write u32[n]\nif global_id.x < 5u {\n  barrier()\n}"));
  EXPECT_EQ(f.code, code::DivergentBarrier);
  EXPECT_EQ(f.line, 4u);
}

TEST(Check, BarrierAfterDivergentReturn) {
  auto f = fails(kernel("buffer y: write u32[n]\nif local_id.x == 3u { return }\nbarrier()"));
  EXPECT_EQ(f.code, code::DivergentBarrier);
}

TEST(Check, BarrierInLoopWithDivergentBreak) {
  auto f = fails(kernel(
      "buffer y: read_write u32[n]\nfor k in 0u..8u {\n  barrier()\n  if y[k] == 0u { break }\n}"));
  EXPECT_EQ(f.code, code::DivergentBarrier);
}

TEST(Check, BarrierOnLoopCarriedDivergentVar) {
  // `s` becomes divergent only through the assignment after the barrier; the fixpoint sees it.
  auto f =
      fails(kernel("buffer y: write u32[n]\nvar s = 4u\nwhile s > 0u max 8 {\n  barrier()\n"
                   "  s = s - global_id.x\n}"));
  EXPECT_EQ(f.code, code::DivergentBarrier);
}

TEST(Check, UniformBarriersPass) {
  passes(
      kernel("buffer y: write u32[n]\nshared t: u32[64]\nparam steps: u32\n"
             "var s = group_size.x / 2u\nwhile s > 0u max 32 {\n"
             "  if local_id.x < s { t[local_id.x] = t[local_id.x] + t[local_id.x + s] }\n"
             "  barrier()\n  s = s / 2u\n}\nfor r in 0u..steps { barrier() }\n"
             "if group_id.x == 0u { barrier() }"));
}

TEST(Check, SharedMemoryOverLimit) {
  auto f = fails(kernel("buffer y: write u32[n]\nshared big: f32[20000]"));
  EXPECT_EQ(f.code, code::SharedMemoryTooLarge);
  CheckOptions small;
  small.max_shared_bytes = 128;
  auto p = parse_program(kernel("buffer y: write u32[n]\nshared t: f32[64]"), small);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, code::SharedMemoryTooLarge);
}

TEST(Check, LoopsNeedBounds) {
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\nwhile true { y[0] = 1u }")).code,
            code::UnboundedLoop);
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\nfor i in 0u..4u step 0 { y[i] = 1u }")).code,
            code::UnboundedLoop);
}

TEST(Check, AssignToImmutable) {
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\nlet a = 1u\na = 2u")).code,
            code::AssignToImmutable);
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\nparam p: u32\np = 2u")).code,
            code::AssignToImmutable);
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\nfor i in 0u..2u { i = 1u }")).code,
            code::AssignToImmutable);
}

TEST(Check, BreakOutsideLoop) {
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\nbreak")).code, code::BreakOutsideLoop);
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\nif true { continue }")).code,
            code::BreakOutsideLoop);
}

TEST(Check, UnknownOp) {
  auto f = fails(kernel("buffer y: write f32[n]\ny[0] = frobnicate(1.0)"));
  EXPECT_EQ(f.code, code::UnknownOp);
}

TEST(Check, BadCallArityAndTypes) {
  EXPECT_EQ(fails(kernel("buffer y: write f32[n]\ny[0] = sqrt(1.0, 2.0)")).code,
            code::BadCallArity);
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\ny[0] = sqrt(4u)")).code, code::BadCallArity);
  EXPECT_EQ(fails(kernel("buffer y: write f32[n]\ny[0] = popcount(1.0)")).code, code::BadCallArity);
  passes(
      kernel("buffer y: write f32[n]\nbuffer z: write u32[n]\n"
             "y[0] = fma(2.0, 3.0f32, 1)\nz[0] = popcount(7u) + clz(1u) + min(3u, 4)"));
}

TEST(Check, BadBufferDecl) {
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\nshared s: u32[0]")).code, code::BadBufferDecl);
}

TEST(Check, IndexingANonMemory) {
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\nlet a = 1u\ny[0] = a[0]")).code,
            code::NotAMemory);
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\nparam p: u32\ny[0] = len(p)")).code,
            code::NotAMemory);
}

TEST(Check, KernelWithoutOutputs) {
  EXPECT_EQ(fails(kernel("buffer x: read u32[n]\nlet a = x[0]")).code, code::EmptyKernel);
  passes(
      "kernel k workgroup(1) dispatch(16) {\n  buffer h: read_write u32[1]\n"
      "  atomic_add(h[0], 1u)\n}\n");
}

TEST(Check, WorkgroupTooLarge) {
  auto p = parse_program("kernel k workgroup(64, 64) {\n  buffer y: write u32[n]\n}\n");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, code::BadWorkgroupSize);
}

TEST(Check, LiteralRangeIsCheckedAgainstTheInferredType) {
  EXPECT_EQ(fails(kernel("buffer y: write u32[n]\ny[0] = 4294967296")).code, code::BadNumber);
  EXPECT_EQ(fails(kernel("buffer y: write i32[n]\ny[0] = 2147483648")).code, code::BadNumber);
  passes(kernel("buffer y: write i32[n]\ny[0] = -2147483648"));
  passes(kernel("buffer y: write u64[n]\ny[0] = 18446744073709551615"));
}

TEST(Check, UntypedLiteralsTakeTheirTypeFromContext) {
  Program p = passes(kernel("buffer y: write f64[n]\nlet i = global_id.x\ny[i] = 1 + f64(i) * 2"));
  const Stmt& store = p->body.back();
  ASSERT_EQ(store.kind, StmtKind::Store);
  EXPECT_EQ(store.exprs[1]->type, Type::F64);
  EXPECT_EQ(store.exprs[1]->args[0]->type, Type::F64);  // the literal 1 became f64
  EXPECT_EQ(store.exprs[0]->type, Type::U32);
}

TEST(Check, NegativeLiteralsFoldIntoTheLiteral) {
  Program p = passes(kernel("buffer y: write i32[n]\ny[0] = -5"));
  const Expr& value = *p->body.back().exprs[1];
  EXPECT_EQ(value.kind, ExprKind::Literal);
  EXPECT_EQ(value.type, Type::I32);
  EXPECT_EQ(value.bits, 0xFFFFFFFBull);
  Program q = passes(kernel("buffer y: write f32[n]\ny[0] = -0.0"));
  EXPECT_EQ(q->body.back().exprs[1]->bits, 0x80000000ull);
}

TEST(Check, NamesResolveToTheirKinds) {
  Program p =
      passes(kernel("param a: f32\nbuffer x: read f32[n]\nbuffer y: write f32[n]\n"
                    "shared t: f32[64]\nlet i = global_id.x\n"
                    "t[local_id.x] = a * x[i] + f32(n)\ny[i] = t[local_id.x]"));
  ASSERT_EQ(p->size_symbols.size(), 1u);
  EXPECT_EQ(p->size_symbols[0], "n");
  ASSERT_EQ(p->local_names.size(), 1u);
  const Stmt& shared_store = p->body[1];
  EXPECT_EQ(shared_store.space, MemorySpace::Shared);
  const Expr& sum = *shared_store.exprs[1];
  const Expr& product = *sum.args[0];
  EXPECT_EQ(product.args[0]->kind, ExprKind::Param);
  EXPECT_EQ(product.args[1]->kind, ExprKind::Load);
  EXPECT_EQ(product.args[1]->ref, 0u);
  EXPECT_EQ(sum.args[1]->args[0]->kind, ExprKind::Size);
}

TEST(Check, ReportsEveryErrorNotJustTheFirst) {
  auto p = parse_program(kernel("buffer y: write u32[n]\ny[0] = q\ny[1] = r\ny[2] = 1.0"));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().all().size(), 3u);
}

TEST(Check, CastsBetweenAllTypes) {
  passes(
      kernel("buffer y: write bool[n]\nbuffer z: write i64[n]\n"
             "y[0] = bool(3u)\nz[0] = i64(f64(-1.5)) + i64(true) + i64(u32(-1))"));
}

}  // namespace
}  // namespace vyre::ir

namespace vyre::ir {
namespace {

// The builder and decoder are not depth-limited by the parser; the checker bounds nesting so
// every recursive consumer (encoder, backends' codegen, interpreter) is safe.
TEST(Check, NestingIsBounded) {
  ProgramData draft;
  draft.name = "deep";
  draft.buffers.push_back(BufferDecl{"y", 0, Access::Write, Type::U32, SizeExpr{1, {"n"}}, {}});
  ExprPtr value = std::make_unique<Expr>();
  value->kind = ExprKind::Literal;
  value->op = static_cast<std::uint8_t>(LiteralForm::UntypedInt);
  value->bits = 1;
  for (int i = 0; i < 300; ++i) {
    auto sum = std::make_unique<Expr>();
    sum->kind = ExprKind::Binary;
    sum->op = static_cast<std::uint8_t>(BinaryOp::Add);
    sum->args.push_back(std::move(value));
    auto one = std::make_unique<Expr>();
    one->kind = ExprKind::Literal;
    one->op = static_cast<std::uint8_t>(LiteralForm::UntypedInt);
    one->bits = 1;
    sum->args.push_back(std::move(one));
    value = std::move(sum);
  }
  Stmt store;
  store.kind = StmtKind::Store;
  store.name = "y";
  auto index = std::make_unique<Expr>();
  index->kind = ExprKind::Literal;
  index->op = static_cast<std::uint8_t>(LiteralForm::UntypedInt);
  store.exprs.push_back(std::move(index));
  store.exprs.push_back(std::move(value));
  draft.body.push_back(std::move(store));
  auto p = check(std::move(draft));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, code::TooDeeplyNested);
}

// The text syntax always names a cast's target, but the builder and hand-made drafts can leave
// it Unknown (or out of range); the checker rejects such a cast instead of typing it.
TEST(Check, BadCastFromTheBuilder) {
  using namespace vyre::ir::dsl;
  KernelBuilder k("untyped_cast", {64});
  auto y = k.buffer("y", Access::Write, Type::U32, "n");
  auto i = k.let("i", global_id_x());
  k.store(y, i, cast(Type::Unknown, i));
  Result<Program> p = k.finish();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, code::BadCast);
  EXPECT_NE(p.error().message.find("cast without a target type"), std::string::npos)
      << p.error().message;
  EXPECT_NE(p.error().help.find("f32(i)"), std::string::npos) << p.error().help;
}

TEST(Check, BadCastInADraft) {
  for (Type target : {Type::Unknown, static_cast<Type>(kTypeCount + 3)}) {
    ProgramData draft;
    draft.name = "bad_cast";
    draft.buffers.push_back(BufferDecl{"y", 0, Access::Write, Type::F32, SizeExpr{1, {"n"}}, {}});
    auto operand = std::make_unique<Expr>();
    operand->kind = ExprKind::Literal;
    operand->op = static_cast<std::uint8_t>(LiteralForm::UntypedInt);
    operand->bits = 7;
    auto cast = std::make_unique<Expr>();
    cast->kind = ExprKind::Cast;
    cast->type = target;
    cast->loc = {4, 9};
    cast->args.push_back(std::move(operand));
    auto index = std::make_unique<Expr>();
    index->kind = ExprKind::Literal;
    index->op = static_cast<std::uint8_t>(LiteralForm::UntypedInt);
    Stmt store;
    store.kind = StmtKind::Store;
    store.name = "y";
    store.exprs.push_back(std::move(index));
    store.exprs.push_back(std::move(cast));
    draft.body.push_back(std::move(store));
    auto p = check(std::move(draft));
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, code::BadCast);
    EXPECT_EQ(p.error().location.line, 4u);
    EXPECT_EQ(p.error().location.column, 9u);
    EXPECT_NE(p.error().message.find("target type"), std::string::npos) << p.error().message;
    EXPECT_FALSE(p.error().help.empty());
  }
}

}  // namespace
}  // namespace vyre::ir
