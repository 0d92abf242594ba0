// The program generator's shared-memory phases, barriers and 64-bit atomics: every program
// checks (barriers only where the uniformity rule allows them), a fair share of programs uses
// each feature, the options turn them off, and an independent checker finds no race. Backends
// agreeing on such programs is the 500-program differential test's job (differential_test.cpp):
// about half of its programs use shared memory and a third 64-bit atomics.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

#include "vyre/diag/render.h"
#include "vyre/ir/text.h"
#include "vyre/progen/differential.h"

namespace vyre::progen {
namespace {

struct Features {
  bool shared = false;           // declares a shared array
  bool barrier = false;          // has a barrier
  bool neighbour_read = false;   // reads a shared slot other than shared[local_id.x]
  bool barrier_in_if = false;    // a barrier inside an if
  bool barrier_in_loop = false;  // a barrier inside a for loop
  bool atomic64 = false;         // an atomic on a 64-bit element
  bool atomic = false;
};

void visit_expr(const ir::Expr& e, Features& f) {
  if (e.kind == ir::ExprKind::Load && e.space == ir::MemorySpace::Shared) {
    const ir::Expr& index = *e.args[0];
    const bool own = index.kind == ir::ExprKind::Builtin &&
                     static_cast<ir::Builtin>(index.op) == ir::Builtin::LocalId;
    f.neighbour_read = f.neighbour_read || !own;
  }
  if (e.kind == ir::ExprKind::Atomic) {
    f.atomic = true;
    f.atomic64 = f.atomic64 || ir::size_bytes(e.args[1]->type) == 8;
  }
  for (const ir::ExprPtr& a : e.args) {
    if (a) visit_expr(*a, f);
  }
}

void visit(const std::vector<ir::Stmt>& body, Features& f, int ifs, int loops) {
  for (const ir::Stmt& s : body) {
    for (const ir::ExprPtr& e : s.exprs) visit_expr(*e, f);
    if (s.kind == ir::StmtKind::Barrier) {
      f.barrier = true;
      f.barrier_in_if = f.barrier_in_if || ifs > 0;
      f.barrier_in_loop = f.barrier_in_loop || loops > 0;
    }
    const int inner_ifs = ifs + (s.kind == ir::StmtKind::If ? 1 : 0);
    const int inner_loops =
        loops + (s.kind == ir::StmtKind::For || s.kind == ir::StmtKind::While ? 1 : 0);
    visit(s.body, f, inner_ifs, inner_loops);
    visit(s.orelse, f, inner_ifs, inner_loops);
  }
}

Features features_of(const ir::ProgramData& p) {
  Features f;
  f.shared = !p.shared.empty();
  visit(p.body, f, 0, 0);
  return f;
}

// An independent check of the shared-memory discipline on a checked program, by abstract
// interpretation: between two barriers (a barrier-free region) no array may be both written and
// read at another invocation's slot; a slot is read only once written (every slot: written by
// all invocations under uniform control; one's own: written earlier by this invocation); stores
// go to one's own slot or past the end; barriers only under uniform control, before any return.
// Loop bodies are walked twice, so operations of different iterations meet in one region.
class SharedRaceCheck {
 public:
  explicit SharedRaceCheck(const ir::ProgramData& p)
      : p_(p), uniform_local_(p.local_names.size(), false), arrays_(p.shared.size()) {}

  std::string run() {
    std::vector<bool> own(p_.shared.size(), false);
    walk(p_.body, true, own);
    return error_;
  }

 private:
  struct Array {
    bool complete = false, writes = false, reads = false;
  };

  void fail(const std::string& why) {
    if (error_.empty()) error_ = why;
  }

  static bool is_local_id(const ir::Expr& e) {
    return e.kind == ir::ExprKind::Builtin && e.component == 0 &&
           static_cast<ir::Builtin>(e.op) == ir::Builtin::LocalId;
  }

  bool uniform(const ir::Expr& e) const {
    switch (e.kind) {
      case ir::ExprKind::Literal:
      case ir::ExprKind::Param:
      case ir::ExprKind::Size:
      case ir::ExprKind::Len:
        return true;
      case ir::ExprKind::Builtin: {
        auto b = static_cast<ir::Builtin>(e.op);
        return b != ir::Builtin::GlobalId && b != ir::Builtin::LocalId;
      }
      case ir::ExprKind::Local:
        return uniform_local_[e.ref];
      case ir::ExprKind::Load:
      case ir::ExprKind::Atomic:
        return false;
      default:
        for (const ir::ExprPtr& a : e.args) {
          if (!uniform(*a)) return false;
        }
        return true;
    }
  }

  void expr(const ir::Expr& e, const std::vector<bool>& own) {
    for (const ir::ExprPtr& a : e.args) expr(*a, own);
    if (e.kind == ir::ExprKind::Atomic && e.space == ir::MemorySpace::Shared)
      fail("an atomic on shared memory");
    if (e.kind != ir::ExprKind::Load || e.space != ir::MemorySpace::Shared) return;
    Array& a = arrays_[e.ref];
    const std::string& name = p_.shared[e.ref].name;
    if (is_local_id(*e.args[0])) {
      if (!a.complete && !own[e.ref]) fail(name + "[local_id.x] read before this one wrote it");
      return;
    }
    if (!a.complete) fail(name + " read at any slot before every invocation wrote its own");
    if (a.writes) fail(name + " read at any slot where it may be written since the barrier");
    a.reads = true;
  }

  void walk(const std::vector<ir::Stmt>& body, bool uniform_ctx, std::vector<bool> own) {
    for (const ir::Stmt& s : body) {
      const bool sync = uniform_ctx && !returned_;
      for (const ir::ExprPtr& e : s.exprs) expr(*e, own);
      switch (s.kind) {
        case ir::StmtKind::Let:
        case ir::StmtKind::Var:
        case ir::StmtKind::Assign:
          uniform_local_[s.ref] = s.kind == ir::StmtKind::Let && sync && uniform(*s.exprs[0]);
          break;
        case ir::StmtKind::Store: {
          if (s.space != ir::MemorySpace::Shared) break;
          Array& a = arrays_[s.ref];
          const ir::Expr& index = *s.exprs[0];
          const bool past_end = index.kind == ir::ExprKind::Binary &&
                                static_cast<ir::BinaryOp>(index.op) == ir::BinaryOp::Add &&
                                is_local_id(*index.args[0]) &&
                                index.args[1]->kind == ir::ExprKind::Len;
          if (!is_local_id(index) && !past_end) fail("a store to another invocation's slot");
          if (a.reads) fail(p_.shared[s.ref].name + " written where others may read it");
          a.writes = true;
          if (is_local_id(index)) {
            own[s.ref] = true;
            if (sync) a.complete = true;
          }
          break;
        }
        case ir::StmtKind::If: {
          if (sync && uniform(*s.exprs[0])) {  // the whole workgroup takes one branch
            const auto entry = arrays_;
            walk(s.body, true, own);
            const auto taken = arrays_;
            arrays_ = entry;
            walk(s.orelse, true, own);
            join(taken);
          } else {  // both branches may run in one region, by different invocations
            walk(s.body, false, own);
            walk(s.orelse, false, own);
          }
          break;
        }
        case ir::StmtKind::For:
        case ir::StmtKind::While: {
          bool uniform_loop = s.kind == ir::StmtKind::For && sync && !leaves_early(s.body);
          for (const ir::ExprPtr& e : s.exprs) uniform_loop = uniform_loop && uniform(*e);
          if (s.kind == ir::StmtKind::For) uniform_local_[s.ref] = uniform_loop;
          const auto entry = arrays_;
          walk(s.body, uniform_loop, own);
          walk(s.body, uniform_loop, own);  // the next iteration
          join(entry);                      // or none
          break;
        }
        case ir::StmtKind::Return:
          returned_ = true;
          break;
        case ir::StmtKind::Barrier:
          if (!sync) fail("a barrier under divergent control or after a return");
          for (Array& a : arrays_) a.writes = a.reads = false;
          break;
        default:
          break;
      }
    }
  }

  // A break or continue aimed at this loop, or a return anywhere inside.
  static bool leaves_early(const std::vector<ir::Stmt>& body, bool nested = false) {
    for (const ir::Stmt& s : body) {
      if (s.kind == ir::StmtKind::Return) return true;
      if (!nested && (s.kind == ir::StmtKind::Break || s.kind == ir::StmtKind::Continue))
        return true;
      const bool loop = s.kind == ir::StmtKind::For || s.kind == ir::StmtKind::While;
      if (leaves_early(s.body, nested || loop) || leaves_early(s.orelse, nested || loop))
        return true;
    }
    return false;
  }

  void join(const std::vector<Array>& other) {
    for (std::size_t k = 0; k < arrays_.size(); ++k) {
      arrays_[k].complete = arrays_[k].complete && other[k].complete;
      arrays_[k].writes = arrays_[k].writes || other[k].writes;
      arrays_[k].reads = arrays_[k].reads || other[k].reads;
    }
  }

  const ir::ProgramData& p_;
  std::vector<bool> uniform_local_;
  std::vector<Array> arrays_;
  bool returned_ = false;
  std::string error_;
};

TEST(Generator, SharedMemoryIsRaceFreeByConstruction) {
  GeneratorOptions big;
  big.max_statements = 30;
  big.max_depth = 5;
  std::uint64_t checked = 0;
  for (std::uint64_t seed = 0; seed < 3000; ++seed) {
    const GeneratorOptions options = seed % 2 ? big : GeneratorOptions{};
    auto p = generate_program(seed, options);
    ASSERT_TRUE(p.ok()) << render_human(p.error());
    if ((*p)->shared.empty()) continue;
    ++checked;
    const std::string error = SharedRaceCheck(p->data()).run();
    EXPECT_EQ(error, "") << "seed " << seed << (seed % 2 ? " (big)" : "") << ":\n"
                         << ir::print_program(*p);
  }
  EXPECT_GT(checked, 1000u);
}

// The race check itself catches a read of a neighbour's slot without a barrier between.
TEST(Generator, SharedRaceCheckCatchesAMissingBarrier) {
  const char* racy = R"(kernel racy workgroup(4) {
  buffer out: write u32[n]
  shared s: u32[4]
  let i = global_id.x
  s[local_id.x] = i
  out[i] = s[(local_id.x + 1u) % len(s)]
})";
  auto p = ir::parse_program(racy);
  ASSERT_TRUE(p.ok()) << render_human(p.error());
  EXPECT_NE(SharedRaceCheck(p->data()).run(), "");
  std::string fixed = racy;
  fixed.insert(fixed.find("  out[i]"), "  barrier()\n");
  auto q = ir::parse_program(fixed);
  ASSERT_TRUE(q.ok()) << render_human(q.error());
  EXPECT_EQ(SharedRaceCheck(q->data()).run(), "");
}

TEST(Generator, EveryProgramWithSharedMemoryAndInt64AtomicsChecks) {
  GeneratorOptions big;  // deeper and longer programs: more phases, nested uniform control
  big.max_statements = 30;
  big.max_depth = 5;
  for (std::uint64_t seed = 0; seed < 1500; ++seed) {
    const GeneratorOptions options = seed % 3 == 2 ? big : GeneratorOptions{};
    auto p = generate_program(seed, options);
    ASSERT_TRUE(p.ok()) << "seed " << seed << ":\n"
                        << render_human(p.error()) << "\n"
                        << ir::print_program(generate(seed, options).draft);
    // Shared arrays have one slot per invocation of the one-dimensional workgroup.
    for (const ir::SharedDecl& s : (*p)->shared) {
      EXPECT_EQ(s.count, (*p)->workgroup[0]);
      EXPECT_EQ((*p)->workgroup[1] * (*p)->workgroup[2], 1u);
    }
  }
}

TEST(Generator, AFairShareOfProgramsUsesSharedMemoryBarriersAnd64BitAtomics) {
  const std::uint64_t seeds = 300;
  std::uint64_t shared = 0, phases = 0, in_if = 0, in_loop = 0, atomic = 0, atomic64 = 0;
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    auto p = generate_program(seed);
    ASSERT_TRUE(p.ok()) << render_human(p.error());
    const Features f = features_of(p->data());
    shared += f.shared;
    phases += f.shared && f.barrier && f.neighbour_read;
    in_if += f.barrier_in_if;
    in_loop += f.barrier_in_loop;
    atomic += f.atomic;
    atomic64 += f.atomic64;
  }
  std::printf(
      "of %llu programs: %llu declare shared arrays, %llu write, barrier and read a neighbour's "
      "slot, %llu have a barrier in an if, %llu in a loop; %llu use atomics, %llu 64-bit ones\n",
      static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(shared),
      static_cast<unsigned long long>(phases), static_cast<unsigned long long>(in_if),
      static_cast<unsigned long long>(in_loop), static_cast<unsigned long long>(atomic),
      static_cast<unsigned long long>(atomic64));
  EXPECT_GE(phases * 100, seeds * 30) << "too few programs exchange values through shared memory";
  EXPECT_GE(in_if * 100, seeds * 3);
  EXPECT_GE(in_loop * 100, seeds * 3);
  EXPECT_GE(atomic64 * 100, seeds * 25) << "too few programs use 64-bit atomics";
}

TEST(Generator, OptionsTurnSharedMemoryAnd64BitAtomicsOff) {
  GeneratorOptions off;
  off.shared_memory = false;
  off.int64_atomics = false;
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    auto p = generate_program(seed, off);
    ASSERT_TRUE(p.ok()) << render_human(p.error());
    const Features f = features_of(p->data());
    EXPECT_FALSE(f.shared || f.barrier || f.atomic64) << ir::print_program(*p);
  }
}

// Named constants are literals to check() and the encoding: a program with them has the digest of
// the same program without. Every generated program prints and parses back to itself (consts
// included), so a `vyre fuzz` reproducer is the program that failed.
TEST(Generator, NamedConstantsKeepTheProgramAndEveryProgramRoundTrips) {
  GeneratorOptions plain;
  plain.named_constants = false;
  std::uint64_t with_consts = 0;
  for (std::uint64_t seed = 0; seed < 400; ++seed) {
    auto named = generate_program(seed);
    auto spelled = generate_program(seed, plain);
    ASSERT_TRUE(named.ok()) << "seed " << seed << ": " << render_human(named.error()) << "\n"
                            << ir::print_program(generate(seed).draft);
    ASSERT_TRUE(spelled.ok()) << render_human(spelled.error());
    EXPECT_EQ(named->digest(), spelled->digest()) << "seed " << seed;
    EXPECT_TRUE((*spelled)->constants.empty());
    with_consts += (*named)->constants.empty() ? 0 : 1;
    const std::string text = ir::print_program(*named);
    if (!(*named)->constants.empty()) EXPECT_NE(text.find("const K0: "), std::string::npos);
    auto again = ir::parse_program(text);
    ASSERT_TRUE(again.ok()) << "seed " << seed << ": " << render_human(again.error()) << "\n"
                            << text;
    EXPECT_TRUE(*again == *named) << "seed " << seed << ":\n" << text;
    EXPECT_EQ(again->digest(), named->digest()) << "seed " << seed;
    EXPECT_EQ(ir::print_program(*again), text);
  }
  EXPECT_GE(with_consts, 200u);
}

// The minimiser never drops a barrier (nor a branch holding one): without it the reproducer would
// race on shared memory and disagree for a reason of its own.
TEST(Minimiser, KeepsBarriers) {
  auto program = ir::parse_program(R"(kernel phases workgroup(4) {
  buffer out: write u32[n]
  shared s: u32[4]
  let i = global_id.x
  s[local_id.x] = i * 3u
  barrier()
  if num_groups.x > 0u {
    barrier()
  }
  if i < len(out) {
    out[i] = s[(local_id.x + 1u) % 4u] + 7u
  }
})");
  ASSERT_TRUE(program.ok()) << render_human(program.error());
  // Everything "still fails": the minimiser shrinks as far as its rules allow.
  Minimised small =
      minimise(*program, {}, [](const ir::Program&, const RunInputs&) { return true; });
  const std::string text = ir::print_program(small.program);
  std::size_t barriers = 0;
  for (std::size_t at = text.find("barrier()"); at != std::string::npos;
       at = text.find("barrier()", at + 1)) {
    ++barriers;
  }
  EXPECT_EQ(barriers, 2u) << text;
  EXPECT_LT(program_size(small.program.data()), program_size(program->data())) << text;
}

}  // namespace
}  // namespace vyre::progen
