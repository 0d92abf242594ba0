// The language's four traps (docs/IR.md, issue 20), planted in random programs from the generator:
// each generated program is valid and race-free, so one planted mistake must be reported with its
// own code wherever it lands among the generator's statements, types and shared-memory phases.
//  - an expression statement without effect is VY2101 (check);
//  - an unsuffixed negative literal compared with a u32 is VY1003 (check);
//  - a while loop that reaches its cap is VY2103 (reference dispatch);
//  - every invocation storing to one element is VY2104 (reference dispatch, race detection on).
#include <gtest/gtest.h>

#include <algorithm>

#include "vyre/backends/builtin.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"
#include "vyre/progen/differential.h"
#include "vyre/progen/generator.h"
#include "vyre/runtime/runtime.h"

namespace vyre::progen {
namespace {

using ir::Expr;
using ir::ExprKind;
using ir::ExprPtr;
using ir::Stmt;
using ir::StmtKind;
using ir::Type;

constexpr std::uint64_t kSeeds = 1000;

ExprPtr builtin_x(ir::Builtin which) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Builtin;
  e->op = static_cast<std::uint8_t>(which);
  return e;
}

ExprPtr typed(Type type, std::uint64_t bits) {
  auto e = std::make_unique<Expr>();
  e->type = type;
  e->op = static_cast<std::uint8_t>(ir::LiteralForm::Typed);
  e->bits = bits;
  return e;
}

ExprPtr binary(ir::BinaryOp op, ExprPtr a, ExprPtr b) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Binary;
  e->op = static_cast<std::uint8_t>(op);
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

ExprPtr local(const std::string& name) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Local;
  e->name = name;
  return e;
}

Stmt statement(StmtKind kind) {
  Stmt s;
  s.kind = kind;
  return s;
}

// A top-level position: anywhere among the generator's statements, from the seed.
std::size_t position(const ir::ProgramData& p, std::uint64_t seed) {
  return static_cast<std::size_t>((seed * 2654435761u) % (p.body.size() + 1));
}

Result<ir::Program> check_planted(ir::ProgramData draft) {
  return ir::check(std::move(draft));
}

TEST(RuleViolations, DiscardedValueIsNoEffectWhereverItLands) {
  for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
    ir::ProgramData p = generate(seed).draft;
    Stmt eval = statement(StmtKind::Eval);
    eval.exprs.push_back(
        binary(ir::BinaryOp::Add, builtin_x(ir::Builtin::GlobalId), typed(Type::U32, seed)));
    p.body.insert(p.body.begin() + static_cast<std::ptrdiff_t>(position(p, seed)), std::move(eval));
    auto checked = check_planted(std::move(p));
    ASSERT_FALSE(checked.ok()) << "seed " << seed << ": a discarded value was accepted";
    EXPECT_EQ(checked.error().code, code::NoEffect)
        << "seed " << seed << ": " << render_human(checked.error());
    EXPECT_FALSE(checked.error().help.empty());
  }
}

TEST(RuleViolations, NegativeLiteralAgainstU32IsOutOfRange) {
  const ir::Builtin ids[] = {ir::Builtin::GlobalId, ir::Builtin::LocalId, ir::Builtin::GroupId};
  const ir::BinaryOp comparisons[] = {ir::BinaryOp::Gt, ir::BinaryOp::Ge, ir::BinaryOp::Ne};
  for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
    ir::ProgramData p = generate(seed).draft;
    auto magnitude = std::make_unique<Expr>();
    magnitude->op = static_cast<std::uint8_t>(ir::LiteralForm::UntypedInt);
    magnitude->bits = 1 + seed % 5;
    auto negative = std::make_unique<Expr>();
    negative->kind = ExprKind::Unary;
    negative->op = static_cast<std::uint8_t>(ir::UnaryOp::Neg);
    negative->args.push_back(std::move(magnitude));
    Stmt test = statement(StmtKind::If);
    test.exprs.push_back(
        binary(comparisons[seed % 3], builtin_x(ids[(seed / 3) % 3]), std::move(negative)));
    p.body.insert(p.body.begin() + static_cast<std::ptrdiff_t>(position(p, seed)), std::move(test));
    auto checked = check_planted(std::move(p));
    ASSERT_FALSE(checked.ok()) << "seed " << seed << ": a test against -1 that is never true";
    EXPECT_EQ(checked.error().code, code::BadNumber)
        << "seed " << seed << ": " << render_human(checked.error());
  }
}

// Runs the printed and re-parsed program (so diagnostics have line:column) on the reference
// backend; `invocations` is how many the unchanged program launched.
class PlantedDispatch : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(register_builtin_backends(BackendRegistry::global()).ok());
    auto cache = open_fuzz_cache(1, 1);
    ASSERT_TRUE(cache.ok()) << cache.error().message;
    runtime_ = std::make_unique<Runtime>(BackendRegistry::global(), *cache);
    config_.allowed_backends = {"reference"};
  }

  std::uint64_t invocations(const GeneratedCase& c) {
    auto program = ir::check(c.draft.clone());
    EXPECT_TRUE(program.ok());
    auto result = runtime_->run(*program, to_run_inputs(c.inputs), config_);
    EXPECT_TRUE(result.ok()) << render_human(result.error());
    return result.ok() ? result->report.geometry.invocations() : 0;
  }

  Result<RunResult> run_planted(const ir::ProgramData& draft, const GeneratedCase& c) {
    const std::string text = ir::print_program(draft);
    auto program = ir::parse_program(text);
    EXPECT_TRUE(program.ok()) << render_human(program.error()) << "\n" << text;
    if (!program.ok()) return program.error();
    return runtime_->run(*program, to_run_inputs(c.inputs), config_);
  }

  std::unique_ptr<Runtime> runtime_;
  DispatchConfig config_;
};

TEST_F(PlantedDispatch, LoopReachingItsCapIsReported) {
  std::uint64_t reported = 0;
  for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
    GeneratedCase c = generate(seed);
    const std::uint64_t launched = invocations(c);
    ir::ProgramData p = c.draft.clone();
    // var planted_k = 0u; while planted_k < CAP + 1 max CAP { planted_k = planted_k + 1u }
    const std::uint64_t cap = 1 + seed % 7;
    Stmt init = statement(StmtKind::Var);
    init.name = "planted_k";
    init.exprs.push_back(typed(Type::U32, 0));
    Stmt loop = statement(StmtKind::While);
    loop.max_iterations = cap;
    loop.exprs.push_back(binary(ir::BinaryOp::Lt, local("planted_k"), typed(Type::U32, cap + 1)));
    Stmt step = statement(StmtKind::Assign);
    step.name = "planted_k";
    step.exprs.push_back(binary(ir::BinaryOp::Add, local("planted_k"), typed(Type::U32, 1)));
    loop.body.push_back(std::move(step));
    p.body.insert(p.body.begin(), std::move(loop));
    p.body.insert(p.body.begin(), std::move(init));
    auto result = run_planted(p, c);
    if (launched == 0) {
      EXPECT_TRUE(result.ok()) << "seed " << seed << ": nothing ran, nothing to report";
      continue;
    }
    ASSERT_FALSE(result.ok()) << "seed " << seed << ": a loop cut short was not reported";
    EXPECT_EQ(result.error().code, code::LoopCapReached)
        << "seed " << seed << ": " << render_human(result.error());
    const std::string text = ir::print_program(p);
    const std::size_t at = text.find("while planted_k");
    ASSERT_NE(at, std::string::npos) << text;
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    EXPECT_EQ(result.error().location.line, static_cast<std::uint32_t>(line))
        << render_human(result.error());
    ++reported;
  }
  EXPECT_GE(reported, kSeeds / 2);
}

TEST_F(PlantedDispatch, EveryInvocationStoringOneElementIsARace) {
  std::uint64_t reported = 0;
  for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
    GeneratedCase c = generate(seed);
    const std::uint64_t launched = invocations(c);
    ir::ProgramData p = c.draft.clone();
    const ir::BufferDecl* out = nullptr;
    for (const ir::BufferDecl& b : p.buffers) {
      if (b.access == ir::Access::Write) {
        out = &b;
        break;
      }
    }
    ASSERT_NE(out, nullptr) << "seed " << seed << ": the generator always writes an output";
    // out[0u] = 0, by every invocation, before anything else.
    Stmt store = statement(StmtKind::Store);
    store.name = out->name;
    store.exprs.push_back(typed(Type::U32, 0));
    store.exprs.push_back(typed(out->element, 0));
    p.body.insert(p.body.begin(), std::move(store));
    auto result = run_planted(p, c);
    if (launched < 2) {
      EXPECT_TRUE(result.ok()) << "seed " << seed << ": one invocation cannot race";
      continue;
    }
    ASSERT_FALSE(result.ok()) << "seed " << seed << ": " << launched
                              << " invocations stored to one element unreported";
    EXPECT_EQ(result.error().code, code::DataRace)
        << "seed " << seed << ": " << render_human(result.error());
    EXPECT_NE(result.error().message.find("element 0"), std::string::npos)
        << result.error().message;
    ++reported;
  }
  EXPECT_GE(reported, kSeeds / 2);
}

}  // namespace
}  // namespace vyre::progen
