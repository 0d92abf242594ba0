#include "vyre/ir/ast.h"

#include <gtest/gtest.h>

#include "vyre/ir/types.h"

namespace vyre::ir {
namespace {

TEST(Types, NamesRoundTrip) {
  for (int i = 0; i < kTypeCount; ++i) {
    auto t = static_cast<Type>(i);
    EXPECT_EQ(type_from_name(type_name(t)), t);
  }
  EXPECT_EQ(type_name(Type::F32), "f32");
  EXPECT_EQ(type_from_name("float"), std::nullopt);
  EXPECT_EQ(type_from_name("unknown"), std::nullopt);
}

TEST(Types, Classification) {
  EXPECT_TRUE(is_integer(Type::U64));
  EXPECT_FALSE(is_integer(Type::Bool));
  EXPECT_TRUE(is_signed_integer(Type::I32));
  EXPECT_FALSE(is_signed_integer(Type::U32));
  EXPECT_TRUE(is_float(Type::F64));
  EXPECT_TRUE(is_numeric(Type::F32));
  EXPECT_FALSE(is_numeric(Type::Bool));
  EXPECT_FALSE(is_numeric(Type::Unknown));
  EXPECT_EQ(bit_width(Type::Bool), 8u);
  EXPECT_EQ(size_bytes(Type::Bool), 1u);
  EXPECT_EQ(size_bytes(Type::U32), 4u);
  EXPECT_EQ(size_bytes(Type::F64), 8u);
  EXPECT_EQ(bit_width(Type::I64), 64u);
}

TEST(Types, AccessAndSizes) {
  EXPECT_EQ(access_name(Access::ReadWrite), "read_write");
  EXPECT_EQ(access_name(Access::Write), "write");
  EXPECT_EQ(to_string(SizeExpr{1, {"n"}}), "n");
  EXPECT_EQ(to_string(SizeExpr{1, {"m", "k"}}), "m*k");
  EXPECT_EQ(to_string(SizeExpr{1024, {}}), "1024");
  EXPECT_EQ(to_string(SizeExpr{4, {"n"}}), "4*n");
  EXPECT_EQ(to_string(SizeExpr{1, {}}), "1");
}

TEST(Ast, Spellings) {
  EXPECT_EQ(builtin_name(Builtin::GlobalId), "global_id");
  EXPECT_EQ(builtin_name(Builtin::GroupSize), "group_size");
  EXPECT_EQ(unary_op_symbol(UnaryOp::BitNot), "~");
  EXPECT_EQ(binary_op_symbol(BinaryOp::Shl), "<<");
  EXPECT_EQ(binary_op_symbol(BinaryOp::LogicalOr), "||");
  EXPECT_EQ(atomic_op_name(AtomicOp::CompareExchange), "atomic_compare_exchange");
}

ExprPtr leaf(std::string name) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Local;
  e->name = std::move(name);
  return e;
}

TEST(Ast, CloneIsDeepAndEqualityIgnoresLocations) {
  auto sum = std::make_unique<Expr>();
  sum->kind = ExprKind::Binary;
  sum->args.push_back(leaf("a"));
  sum->args.push_back(leaf("b"));
  sum->loc = {3, 4};
  ExprPtr copy = sum->clone();
  EXPECT_EQ(*copy, *sum);
  EXPECT_EQ(copy->loc, sum->loc);
  EXPECT_NE(copy->args[0].get(), sum->args[0].get());
  copy->loc = {9, 9};
  EXPECT_EQ(*copy, *sum);
  copy->args[1]->name = "c";
  EXPECT_FALSE(*copy == *sum);
  copy = sum->clone();
  copy->args[1]->ref = 1;
  EXPECT_FALSE(*copy == *sum);
}

TEST(Ast, ProgramCloneAndEquality) {
  ProgramData p;
  p.name = "k";
  p.buffers.push_back(BufferDecl{"x", 0, Access::Read, Type::F32, SizeExpr{1, {"n"}}, {}});
  Stmt branch;
  branch.kind = StmtKind::If;
  branch.exprs.push_back(leaf("c"));
  Stmt inner;
  inner.kind = StmtKind::Return;
  branch.orelse.push_back(std::move(inner));
  p.body.push_back(std::move(branch));
  ProgramData q = p.clone();
  EXPECT_EQ(q, p);
  q.body[0].orelse[0].kind = StmtKind::Barrier;
  EXPECT_FALSE(q == p);
  q = p.clone();
  q.buffers[0].access = Access::ReadWrite;
  EXPECT_FALSE(q == p);
  q = p.clone();
  q.workgroup[2] = 2;
  EXPECT_FALSE(q == p);
  q = p.clone();
  q.loc = {1, 1};
  EXPECT_EQ(q, p);
}

}  // namespace
}  // namespace vyre::ir
