#include "vyre/progen/generator.h"

#include <bit>
#include <cstring>
#include <limits>

#include "named_constants.h"
#include "vyre/progen/random.h"

namespace vyre::progen {
namespace {

using ir::AtomicOp;
using ir::BinaryOp;
using ir::Expr;
using ir::ExprKind;
using ir::ExprPtr;
using ir::Stmt;
using ir::StmtKind;
using ir::Type;

constexpr std::uint32_t kAccumulators = 8;

ExprPtr node(ExprKind kind) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  return e;
}

// Integer literals in an unchecked tree are magnitudes; a negative signed value is a unary minus
// applied to its magnitude (the checker folds it), exactly as the text format spells it.
ExprPtr literal(Type type, std::uint64_t bits) {
  if (ir::size_bytes(type) == 4) bits &= 0xffffffffull;
  if (type == Type::Bool) bits &= 1;
  const bool negative =
      (type == Type::I32 && (bits >> 31) != 0) || (type == Type::I64 && (bits >> 63) != 0);
  auto e = node(ExprKind::Literal);
  e->type = type;
  e->op = static_cast<std::uint8_t>(ir::LiteralForm::Typed);
  if (!negative) {
    e->bits = bits;
    return e;
  }
  e->bits = type == Type::I32 ? (0x100000000ull - bits) : (~bits + 1);
  auto neg = node(ExprKind::Unary);
  neg->op = static_cast<std::uint8_t>(ir::UnaryOp::Neg);
  neg->args.push_back(std::move(e));
  return neg;
}

ExprPtr named(const std::string& name) {
  auto e = node(ExprKind::Local);
  e->name = name;
  return e;
}

ExprPtr with_args(ExprPtr e, ExprPtr a, ExprPtr b = nullptr, ExprPtr c = nullptr) {
  e->args.push_back(std::move(a));
  if (b) e->args.push_back(std::move(b));
  if (c) e->args.push_back(std::move(c));
  return e;
}

ExprPtr binary(BinaryOp op, ExprPtr a, ExprPtr b) {
  auto e = node(ExprKind::Binary);
  e->op = static_cast<std::uint8_t>(op);
  return with_args(std::move(e), std::move(a), std::move(b));
}

ExprPtr call(const std::string& name, ExprPtr a, ExprPtr b = nullptr, ExprPtr c = nullptr) {
  auto e = node(ExprKind::Call);
  e->name = name;
  return with_args(std::move(e), std::move(a), std::move(b), std::move(c));
}

ExprPtr cast(Type to, ExprPtr a) {
  auto e = node(ExprKind::Cast);
  e->type = to;
  return with_args(std::move(e), std::move(a));
}

Stmt statement(StmtKind kind) {
  Stmt s;
  s.kind = kind;
  return s;
}

class Generator {
 public:
  Generator(std::uint64_t seed, const GeneratorOptions& options) : rng_(seed), o_(options) {
    out_.seed = seed;
  }

  GeneratedCase run() {
    ir::ProgramData& d = out_.draft;
    d.name = "fuzz";
    d.workgroup = {
        static_cast<std::uint32_t>(rng_.pick(std::vector<int>{1, 3, 4, 8, 13, 16, 32, 64})), 1, 1};
    types_ = {Type::I32, Type::U32, Type::I64, Type::U64, Type::F32};
    if (o_.f64) types_.push_back(Type::F64);
    elements_ = rng_.below(o_.max_elements + 1);
    if (rng_.chance(1, 20)) elements_ = 0;

    const auto inputs = 1 + rng_.below(3);
    for (std::uint64_t k = 0; k < inputs; ++k)
      add_buffer("in" + std::to_string(k), ir::Access::Read, value_type(true));
    const auto outputs = 1 + rng_.below(2);
    for (std::uint64_t k = 0; k < outputs; ++k)
      add_buffer("out" + std::to_string(k), ir::Access::Write, value_type(true));
    if (o_.atomics) {
      acc_type_ = o_.int64_atomics
                      ? rng_.pick(std::vector<Type>{Type::U32, Type::I32, Type::U64, Type::I64})
                      : (rng_.chance(1, 2) ? Type::U32 : Type::I32);
      ir::BufferDecl acc;
      acc.name = "acc";
      acc.access = ir::Access::ReadWrite;
      acc.element = acc_type_;
      acc.count = {kAccumulators, {}};
      acc.binding = static_cast<std::uint32_t>(d.buffers.size());
      d.buffers.push_back(acc);
      GeneratedInput in{"acc", acc_type_, false, {}};
      for (std::uint32_t j = 0; j < kAccumulators; ++j) {
        acc_ops_.push_back(static_cast<AtomicOp>(rng_.below(8)));
        acc_operands_.push_back({value_bits(acc_type_), value_bits(acc_type_)});
        append_bits(in.bytes, acc_type_, value_bits(acc_type_));
      }
      out_.inputs.push_back(std::move(in));
    }
    const auto params = rng_.below(3);
    for (std::uint64_t k = 0; k < params; ++k) {
      ir::ParamDecl p;
      p.name = "p" + std::to_string(k);
      p.type = value_type(true);
      d.params.push_back(p);
      scope_.push_back({p.name, p.type, false, true});
      GeneratedInput in{p.name, p.type, true, {}};
      append_bits(in.bytes, p.type, value_bits(p.type));
      out_.inputs.push_back(std::move(in));
    }
    if (o_.shared_memory && rng_.chance(1, 2)) {
      // One slot per invocation of the (one-dimensional) workgroup.
      const auto arrays = 1 + rng_.below(2);
      for (std::uint64_t k = 0; k < arrays; ++k) {
        ir::SharedDecl s;
        s.name = "s" + std::to_string(k);
        s.element = value_type(true);
        s.count = d.workgroup[0];
        d.shared.push_back(s);
        shared_.push_back({s.name, s.element});
      }
    }

    Stmt i = statement(StmtKind::Let);
    i.name = "i";
    i.type = Type::U32;
    i.type_declared = true;
    auto gid = node(ExprKind::Builtin);
    gid->op = static_cast<std::uint8_t>(ir::Builtin::GlobalId);
    gid->type = Type::U32;
    i.exprs.push_back(std::move(gid));
    d.body.push_back(std::move(i));
    scope_.push_back({"i", Type::U32, false});

    const auto count = 2 + rng_.below(o_.max_statements - 1);
    block(d.body, count, 0);
    // Always store something, so every program has an observable result.
    for (const auto& b : outputs_) d.body.push_back(store(b, true));
    return std::move(out_);
  }

 private:
  struct Local {
    std::string name;
    Type type;
    bool mutable_;
    bool uniform = false;  // the same for every invocation of a workgroup (see uniformity.cpp)
  };
  // A shared array and what happened to it since the last barrier (in any invocation that may
  // have run so far). `written` is scoped like a local: this invocation wrote its own slot.
  struct Shared {
    std::string name;
    Type type;
    bool complete = false;  // every invocation of the workgroup has written its own slot
    bool writes = false;    // some invocation may have written its slot since the last barrier
    bool reads = false;     // some invocation may have read another's slot since the barrier
    bool written = false;
  };
  struct Buffer {
    std::string name;
    Type type;
  };

  Type value_type(bool allow_bool) {
    if (allow_bool && rng_.chance(1, 10)) return Type::Bool;
    return rng_.pick(types_);
  }

  void add_buffer(const std::string& name, ir::Access access, Type type) {
    ir::BufferDecl b;
    b.name = name;
    b.access = access;
    b.element = type;
    b.count = {1, {"n"}};
    b.binding = static_cast<std::uint32_t>(out_.draft.buffers.size());
    out_.draft.buffers.push_back(b);
    if (access == ir::Access::Read) {
      inputs_.push_back({name, type});
      GeneratedInput in{name, type, false, {}};
      for (std::uint64_t k = 0; k < elements_; ++k) append_bits(in.bytes, type, value_bits(type));
      out_.inputs.push_back(std::move(in));
    } else {
      outputs_.push_back({name, type});
    }
  }

  static void append_bits(std::vector<std::uint8_t>& bytes, Type type, std::uint64_t bits) {
    const unsigned width = ir::size_bytes(type);
    for (unsigned k = 0; k < width; ++k)
      bytes.push_back(static_cast<std::uint8_t>(bits >> (8 * k)));
  }

  // An interesting value of `type`, as bits: edge values half the time.
  std::uint64_t value_bits(Type type) {
    switch (type) {
      case Type::Bool:
        return rng_.below(2);
      case Type::I32:
      case Type::U32: {
        static const std::vector<std::uint64_t> edges = {
            0, 1, 2, 3, 31, 32, 33, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 64};
        if (rng_.chance(1, 2)) return rng_.pick(edges);
        return rng_.chance(1, 2) ? rng_.below(100) : (rng_.next() & 0xffffffffull);
      }
      case Type::I64:
      case Type::U64: {
        static const std::vector<std::uint64_t> edges = {0,
                                                         1,
                                                         63,
                                                         64,
                                                         65,
                                                         0xffffffff,
                                                         0x100000000,
                                                         0x7fffffffffffffff,
                                                         0x8000000000000000,
                                                         0xffffffffffffffff};
        if (rng_.chance(1, 2)) return rng_.pick(edges);
        return rng_.chance(1, 2) ? rng_.below(100) - (rng_.chance(1, 2) ? 50 : 0) : rng_.next();
      }
      case Type::F32: {
        static const std::vector<float> edges = {0.0f,
                                                 -0.0f,
                                                 1.0f,
                                                 -1.0f,
                                                 0.5f,
                                                 3.0f,
                                                 std::numeric_limits<float>::infinity(),
                                                 -std::numeric_limits<float>::infinity(),
                                                 std::numeric_limits<float>::quiet_NaN(),
                                                 std::numeric_limits<float>::max(),
                                                 std::numeric_limits<float>::denorm_min(),
                                                 1e-40f,
                                                 2147483648.0f,
                                                 4294967296.0f,
                                                 1e20f};
        float v = rng_.chance(1, 2) ? rng_.pick(edges)
                                    : static_cast<float>(rng_.between(-100000, 100000)) / 256.0f;
        return std::bit_cast<std::uint32_t>(v);
      }
      case Type::F64: {
        static const std::vector<double> edges = {0.0,
                                                  -0.0,
                                                  1.0,
                                                  -1.0,
                                                  0.5,
                                                  3.0,
                                                  std::numeric_limits<double>::infinity(),
                                                  -std::numeric_limits<double>::infinity(),
                                                  std::numeric_limits<double>::quiet_NaN(),
                                                  std::numeric_limits<double>::max(),
                                                  std::numeric_limits<double>::denorm_min(),
                                                  1e-310,
                                                  9.3e18,
                                                  1.9e19,
                                                  1e300};
        double v = rng_.chance(1, 2) ? rng_.pick(edges)
                                     : static_cast<double>(rng_.between(-100000, 100000)) / 1024.0;
        return std::bit_cast<std::uint64_t>(v);
      }
      case Type::Unknown:
        break;
    }
    return 0;
  }

  ExprPtr index_expr(const std::string& memory) {
    switch (rng_.below(8)) {
      case 0: {
        auto e = node(ExprKind::Len);
        e->name = memory;
        return binary(BinaryOp::Add, named("i"), std::move(e));  // out of bounds
      }
      case 1:
        return expr(rng_.pick(std::vector<Type>{Type::I32, Type::U32, Type::I64, Type::U64}), 1);
      case 2:
        return binary(BinaryOp::Add, named("i"), literal(Type::U32, rng_.below(4)));
      default:
        return named("i");
    }
  }

  ExprPtr load(const Buffer& b) {
    auto e = node(ExprKind::Load);
    e->name = b.name;
    e->args.push_back(index_expr(b.name));
    return e;
  }

  ExprPtr leaf(Type type) {
    std::vector<const Local*> locals;
    for (const Local& l : scope_) {
      if (l.type == type) locals.push_back(&l);
    }
    std::vector<const Buffer*> buffers;
    for (const Buffer& b : inputs_) {
      if (b.type == type) buffers.push_back(&b);
    }
    std::vector<Shared*> shared;
    for (Shared& a : shared_) {
      if (a.type == type && (a.complete || a.written)) shared.push_back(&a);
    }
    if (!shared.empty() && rng_.chance(1, 4))
      return shared_load(*shared[rng_.below(shared.size())]);
    const auto r = rng_.below(10);
    if (r < 4 && !locals.empty()) return named(locals[rng_.below(locals.size())]->name);
    if (r < 7 && !buffers.empty()) return load(*buffers[rng_.below(buffers.size())]);
    if (r == 7 && type == Type::U32) {
      if (rng_.chance(1, 2)) return named("n");
      auto e = node(ExprKind::Builtin);
      e->op = static_cast<std::uint8_t>(rng_.chance(1, 2) ? ir::Builtin::LocalId
                                                          : ir::Builtin::GroupId);
      e->type = Type::U32;
      return e;
    }
    return literal(type, value_bits(type));
  }

  ExprPtr expr(Type type, std::uint32_t depth) {
    if (depth == 0 || rng_.chance(1, 4)) return leaf(type);
    const std::uint32_t d = depth - 1;
    const bool integer = ir::is_integer(type);
    const bool flt = ir::is_float(type);
    switch (rng_.below(9)) {
      case 0: {  // unary
        auto e = node(ExprKind::Unary);
        ir::UnaryOp op = type == Type::Bool             ? ir::UnaryOp::Not
                         : integer && rng_.chance(1, 2) ? ir::UnaryOp::BitNot
                                                        : ir::UnaryOp::Neg;
        e->op = static_cast<std::uint8_t>(op);
        return with_args(std::move(e), expr(type, d));
      }
      case 1:
      case 2: {  // binary of the same type
        std::vector<BinaryOp> ops;
        if (type == Type::Bool) {
          ops = {BinaryOp::BitAnd,    BinaryOp::BitOr, BinaryOp::BitXor, BinaryOp::LogicalAnd,
                 BinaryOp::LogicalOr, BinaryOp::Eq,    BinaryOp::Ne};
        } else if (flt) {
          ops = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div};
        } else {
          ops = {BinaryOp::Add,    BinaryOp::Sub,   BinaryOp::Mul,    BinaryOp::Div, BinaryOp::Rem,
                 BinaryOp::BitAnd, BinaryOp::BitOr, BinaryOp::BitXor, BinaryOp::Shl, BinaryOp::Shr};
        }
        return binary(rng_.pick(ops), expr(type, d), expr(type, d));
      }
      case 3:
        if (type == Type::Bool) {  // comparison of some numeric type
          Type t = value_type(false);
          auto op = rng_.pick(std::vector<BinaryOp>{BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt,
                                                    BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge});
          return binary(op, expr(t, d), expr(t, d));
        }
        return expr(type, d);
      case 4: {
        auto e = node(ExprKind::Select);
        return with_args(std::move(e), expr(Type::Bool, d), expr(type, d), expr(type, d));
      }
      case 5: {
        Type from = value_type(true);
        return cast(type, expr(from, d));
      }
      case 6:
      case 7: {
        if (type == Type::Bool) return expr(type, d);
        std::vector<std::string> ops = {"abs", "min", "max", "clamp"};
        if (integer) ops.insert(ops.end(), {"popcount", "clz", "ctz"});
        if (flt) ops.insert(ops.end(), {"sqrt", "fma", "floor", "ceil", "trunc", "round"});
        if (flt && o_.transcendentals) {
          ops.insert(ops.end(), {"exp", "exp2", "log", "log2", "sin", "cos", "tan", "pow"});
        }
        const std::string& op = rng_.pick(ops);
        if (op == "min" || op == "max" || op == "pow")
          return call(op, expr(type, d), expr(type, d));
        if (op == "clamp" || op == "fma") {
          return call(op, expr(type, d), expr(type, d), expr(type, d));
        }
        return call(op, expr(type, d));
      }
      default:
        return leaf(type);
    }
  }

  static ExprPtr builtin(ir::Builtin which) {
    auto e = node(ExprKind::Builtin);
    e->op = static_cast<std::uint8_t>(which);
    e->type = Type::U32;
    return e;
  }

  static ExprPtr len(const std::string& memory) {
    auto e = node(ExprKind::Len);
    e->name = memory;
    return e;
  }

  // A read of `a`: any slot while no invocation may be writing it (which ends the phase in
  // which it may be written, until the next barrier), else this invocation's own slot.
  ExprPtr shared_load(Shared& a) {
    auto e = node(ExprKind::Load);
    e->name = a.name;
    if (!a.complete || a.writes || rng_.chance(1, 5)) {
      e->args.push_back(builtin(ir::Builtin::LocalId));
      return e;
    }
    a.reads = true;
    e->args.push_back(shared_index(a));
    return e;
  }

  // Any slot of `a` (out of bounds now and then, which loads 0).
  ExprPtr shared_index(const Shared& a) {
    switch (rng_.below(6)) {
      case 0:
      case 1: {  // a neighbour: (local_id.x + k) % len(a)
        ExprPtr k = rng_.chance(2, 3) ? literal(Type::U32, 1 + rng_.below(out_.draft.workgroup[0]))
                                      : uniform_expr(Type::U32, 1);
        return binary(BinaryOp::Rem,
                      binary(BinaryOp::Add, builtin(ir::Builtin::LocalId), std::move(k)),
                      len(a.name));
      }
      case 2:  // the mirror image
        return binary(BinaryOp::Sub, binary(BinaryOp::Sub, len(a.name), literal(Type::U32, 1)),
                      builtin(ir::Builtin::LocalId));
      case 3:  // a butterfly partner (out of bounds for the last one of an odd workgroup)
        return binary(BinaryOp::BitXor, builtin(ir::Builtin::LocalId),
                      literal(Type::U32, 1ull << rng_.below(3)));
      case 4:
        return literal(Type::U32, rng_.below(out_.draft.workgroup[0] + 1));
      default:
        return expr(rng_.pick(std::vector<Type>{Type::I32, Type::U32, Type::I64, Type::U64}), 1);
    }
  }

  // `a[local_id.x] = value`, or now and then a store past the end (dropped). Only while no
  // invocation may be reading another's slot of `a`; the value cannot read others' slots of `a`.
  Stmt shared_store(Shared& a, bool own_slot) {
    Stmt s = statement(StmtKind::Store);
    s.name = a.name;
    a.writes = true;
    own_slot = own_slot || rng_.chance(9, 10);
    s.exprs.push_back(own_slot ? builtin(ir::Builtin::LocalId)
                               : binary(BinaryOp::Add, builtin(ir::Builtin::LocalId), len(a.name)));
    s.exprs.push_back(expr(a.type, o_.max_expr_depth));
    if (own_slot) {
      a.written = true;
      if (can_sync()) a.complete = true;  // every invocation runs this statement
    }
    return s;
  }

  // True where a barrier is allowed: control is uniform (outside every if and loop except our
  // own uniform ones) and no invocation may have returned early.
  bool can_sync() const { return uniform_ && !returned_ && !shared_.empty(); }

  void barrier(std::vector<Stmt>& into) {
    into.push_back(statement(StmtKind::Barrier));
    for (Shared& a : shared_) a.writes = a.reads = false;
  }

  struct SharedState {
    bool complete, writes, reads;
  };
  std::vector<SharedState> shared_state() const {
    std::vector<SharedState> out;
    for (const Shared& a : shared_) out.push_back({a.complete, a.writes, a.reads});
    return out;
  }
  void set_shared_state(const std::vector<SharedState>& state) {
    for (std::size_t k = 0; k < shared_.size(); ++k) {
      shared_[k].complete = state[k].complete;
      shared_[k].writes = state[k].writes;
      shared_[k].reads = state[k].reads;
    }
  }
  // After control that took one of two paths: only what holds on both.
  void join_shared_state(const std::vector<SharedState>& other) {
    for (std::size_t k = 0; k < shared_.size(); ++k) {
      shared_[k].complete = shared_[k].complete && other[k].complete;
      shared_[k].writes = shared_[k].writes || other[k].writes;
      shared_[k].reads = shared_[k].reads || other[k].reads;
    }
  }

  // A value the same for every invocation of a workgroup: literals, params, n, len(), group
  // ids and sizes, uniform locals, and operators on those.
  ExprPtr uniform_leaf(Type type) {
    std::vector<const Local*> locals;
    for (const Local& l : scope_) {
      if (l.uniform && l.type == type) locals.push_back(&l);
    }
    const auto r = rng_.below(4);
    if (r < 2 && !locals.empty()) return named(locals[rng_.below(locals.size())]->name);
    if (r < 3 && type == Type::U32) {
      switch (rng_.below(5)) {
        case 0:
          return named("n");
        case 1:
          return len(rng_.pick(inputs_).name);
        case 2:
          return builtin(ir::Builtin::NumGroups);
        case 3:
          return builtin(ir::Builtin::GroupSize);
        default:
          return builtin(ir::Builtin::GroupId);
      }
    }
    return literal(type, value_bits(type));
  }

  ExprPtr uniform_expr(Type type, std::uint32_t depth) {
    if (depth == 0 || rng_.chance(1, 3)) return uniform_leaf(type);
    const std::uint32_t d = depth - 1;
    if (type == Type::Bool) {
      if (rng_.chance(1, 3)) {
        auto op = rng_.chance(1, 2) ? BinaryOp::LogicalAnd : BinaryOp::LogicalOr;
        return binary(op, uniform_expr(type, d), uniform_expr(type, d));
      }
      Type t = rng_.chance(1, 2) ? Type::U32 : value_type(false);
      auto op = rng_.pick(std::vector<BinaryOp>{BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt,
                                                BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge});
      return binary(op, uniform_expr(t, d), uniform_expr(t, d));
    }
    switch (rng_.below(3)) {
      case 0:
        return cast(type, uniform_expr(rng_.chance(1, 2) ? Type::U32 : value_type(true), d));
      case 1:
        if (ir::is_integer(type)) {
          return call(rng_.chance(1, 2) ? "min" : "max", uniform_expr(type, d),
                      uniform_expr(type, d));
        }
        [[fallthrough]];
      default: {
        std::vector<BinaryOp> ops = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul};
        if (ir::is_integer(type)) {
          ops.insert(ops.end(), {BinaryOp::Rem, BinaryOp::BitAnd, BinaryOp::BitXor, BinaryOp::Shr});
        }
        return binary(rng_.pick(ops), uniform_expr(type, d), uniform_expr(type, d));
      }
    }
  }

  Stmt store(const Buffer& b, bool at_i) {
    Stmt s = statement(StmtKind::Store);
    s.name = b.name;
    s.exprs.push_back(at_i ? named("i")
                      : rng_.chance(3, 4)
                          ? named("i")
                          : [&] {
                              auto len = node(ExprKind::Len);
                              len->name = b.name;
                              return binary(BinaryOp::Add, named("i"), std::move(len));
                            }());
    s.exprs.push_back(expr(b.type, o_.max_expr_depth));
    return s;
  }

  Stmt atomic() {
    const auto j = static_cast<std::uint32_t>(rng_.below(kAccumulators));
    auto e = node(ExprKind::Atomic);
    e->op = static_cast<std::uint8_t>(acc_ops_[j]);
    e->name = "acc";
    e->args.push_back(literal(Type::U32, rng_.chance(9, 10) ? j : kAccumulators + j));
    if (acc_ops_[j] == AtomicOp::Exchange) {
      e->args.push_back(literal(acc_type_, acc_operands_[j].first));
    } else if (acc_ops_[j] == AtomicOp::CompareExchange) {
      e->args.push_back(literal(acc_type_, acc_operands_[j].first));
      e->args.push_back(literal(acc_type_, acc_operands_[j].second));
    } else {
      e->args.push_back(expr(acc_type_, 2));
    }
    Stmt s = statement(StmtKind::Eval);
    s.exprs.push_back(std::move(e));
    return s;
  }

  std::string fresh() { return "v" + std::to_string(next_name_++); }

  // A for loop without its body: a fresh counter of a random 32-bit integer type, a small step
  // and start, and a bound that is a literal below max_bound or an expression modulo `modulus`
  // (uniform: built from uniform values only, so the body may hold barriers).
  struct LoopShape {
    std::uint64_t max_step, max_start, max_bound, modulus;
  };
  Stmt for_header(const LoopShape& shape, bool uniform) {
    Stmt s = statement(StmtKind::For);
    const Type t = rng_.chance(1, 2) ? Type::U32 : Type::I32;
    s.name = fresh();
    s.type = t;
    s.step = 1 + rng_.below(shape.max_step);
    s.exprs.push_back(literal(t, rng_.below(shape.max_start)));
    if (rng_.chance(1, 2)) {
      s.exprs.push_back(literal(t, rng_.below(shape.max_bound)));
    } else {
      ExprPtr bound = uniform ? uniform_expr(t, 2) : expr(t, 2);
      s.exprs.push_back(binary(BinaryOp::Rem, std::move(bound), literal(t, shape.modulus)));
    }
    return s;
  }

  void block(std::vector<Stmt>& into, std::uint64_t count, std::uint32_t depth) {
    const std::size_t scope_mark = scope_.size();
    std::vector<bool> written;
    for (const Shared& a : shared_) written.push_back(a.written);
    for (std::uint64_t k = 0; k < count; ++k) stmt(into, depth);
    scope_.resize(scope_mark);
    for (std::size_t k = 0; k < shared_.size(); ++k) shared_[k].written = written[k];
  }

  // A block under control that may diverge: no barriers inside.
  void divergent_block(std::vector<Stmt>& into, std::uint64_t count, std::uint32_t depth) {
    const bool uniform = uniform_;
    uniform_ = false;
    block(into, count, depth);
    uniform_ = uniform;
  }

  void stmt(std::vector<Stmt>& into, std::uint32_t depth) {
    if (!shared_.empty() && rng_.chance(1, 3) && shared_stmt(into, depth)) return;
    into.push_back(plain_stmt(depth));
  }

  // Shared-memory statements: where control is uniform a phase (write own slots, barrier, read
  // a neighbour's), a barrier, a uniform let, or an if / for loop with uniform control around
  // more of them; elsewhere a store to this invocation's own slot. False if none fits.
  bool shared_stmt(std::vector<Stmt>& into, std::uint32_t depth) {
    const auto r = rng_.below(100);
    if (can_sync()) {
      const bool nest = depth < o_.max_depth;
      if (r < 45) {
        Shared& a = shared_[rng_.below(shared_.size())];
        if (a.reads) barrier(into);
        into.push_back(shared_store(a, true));
        if (rng_.chance(1, 3)) stmt(into, depth);
        if (!can_sync()) return true;  // that statement may have returned early
        barrier(into);
        Stmt s = statement(StmtKind::Let);  // a neighbour's value, for later expressions
        s.name = fresh();
        s.type = a.type;
        s.type_declared = true;
        a.reads = true;
        auto e = node(ExprKind::Load);
        e->name = a.name;
        e->args.push_back(shared_index(a));
        s.exprs.push_back(std::move(e));
        scope_.push_back({s.name, s.type, false});
        into.push_back(std::move(s));
        return true;
      }
      if (r < 57) {
        barrier(into);
        return true;
      }
      if (r < 65) {
        Stmt s = statement(StmtKind::Let);
        s.name = fresh();
        s.type = rng_.chance(1, 2) ? Type::U32 : value_type(true);
        s.type_declared = true;
        s.exprs.push_back(uniform_expr(s.type, 2));
        scope_.push_back({s.name, s.type, false, true});
        into.push_back(std::move(s));
        return true;
      }
      if (r < 80 && nest) {
        Stmt s = statement(StmtKind::If);
        s.exprs.push_back(uniform_expr(Type::Bool, 3));
        const auto before = shared_state();
        block(s.body, 1 + rng_.below(3), depth + 1);
        const auto then_state = shared_state();
        set_shared_state(before);
        if (rng_.chance(1, 2)) block(s.orelse, 1 + rng_.below(2), depth + 1);
        join_shared_state(then_state);
        into.push_back(std::move(s));
        return true;
      }
      if (r < 92 && nest) {
        // Every iteration starts with a barrier, so it may begin with any phase; nothing in the
        // body leaves the loop early (no break, continue or return aims at it).
        Stmt s = for_header({.max_step = 2, .max_start = 2, .max_bound = 5, .modulus = 5},
                            /*uniform=*/true);
        scope_.push_back({s.name, s.type, false, true});
        const auto before = shared_state();
        const std::uint32_t loops = loops_;
        loops_ = 0;
        ++uniform_loops_;
        barrier(s.body);
        block(s.body, 1 + rng_.below(3), depth + 1);
        --uniform_loops_;
        loops_ = loops;
        join_shared_state(before);
        scope_.pop_back();
        into.push_back(std::move(s));
        return true;
      }
    }
    std::vector<Shared*> writable;
    for (Shared& a : shared_) {
      if (!a.reads) writable.push_back(&a);
    }
    if (writable.empty()) return false;
    into.push_back(shared_store(*writable[rng_.below(writable.size())], false));
    return true;
  }

  Stmt plain_stmt(std::uint32_t depth) {
    const auto r = rng_.below(100);
    const bool nest = depth < o_.max_depth;
    if (r < 30) {
      Type t = value_type(true);
      Stmt s = statement(rng_.chance(1, 3) ? StmtKind::Var : StmtKind::Let);
      s.name = fresh();
      s.type = t;
      s.type_declared = true;
      s.exprs.push_back(expr(t, o_.max_expr_depth));
      scope_.push_back({s.name, t, s.kind == StmtKind::Var});
      return s;
    }
    if (r < 42) {
      std::vector<const Local*> vars;
      for (const Local& l : scope_) {
        if (l.mutable_) vars.push_back(&l);
      }
      if (!vars.empty()) {
        const Local& v = *vars[rng_.below(vars.size())];
        Stmt s = statement(StmtKind::Assign);
        s.name = v.name;
        s.exprs.push_back(expr(v.type, o_.max_expr_depth));
        return s;
      }
    }
    if (r < 58) return store(rng_.pick(outputs_), false);
    if (r < 68 && nest) {
      Stmt s = statement(StmtKind::If);
      s.exprs.push_back(expr(Type::Bool, 3));
      divergent_block(s.body, 1 + rng_.below(3), depth + 1);
      if (rng_.chance(1, 2)) divergent_block(s.orelse, 1 + rng_.below(2), depth + 1);
      return s;
    }
    if (r < 75 && nest) {
      Stmt s = for_header({.max_step = 3, .max_start = 3, .max_bound = 8, .modulus = 9},
                          /*uniform=*/false);
      scope_.push_back({s.name, s.type, false});
      ++loops_;
      divergent_block(s.body, 1 + rng_.below(3), depth + 1);
      --loops_;
      scope_.pop_back();
      return s;
    }
    if (r < 80 && nest) {
      // `if true { var w = 0u; while c && w < N max N { w = w + 1u; ... } }`: the counter, stepped
      // first in the body, ends the loop before its cap, which would be reported (VY2103).
      const auto cap = static_cast<std::uint32_t>(1 + rng_.below(6));
      const std::string counter = fresh();
      Stmt init = statement(StmtKind::Var);
      init.name = counter;
      init.type = Type::U32;
      init.type_declared = true;
      init.exprs.push_back(literal(Type::U32, 0));
      Stmt s = statement(StmtKind::While);
      s.exprs.push_back(binary(BinaryOp::LogicalAnd, expr(Type::Bool, 3),
                               binary(BinaryOp::Lt, named(counter), literal(Type::U32, cap))));
      s.max_iterations = cap;
      Stmt step = statement(StmtKind::Assign);
      step.name = counter;
      step.exprs.push_back(binary(BinaryOp::Add, named(counter), literal(Type::U32, 1)));
      s.body.push_back(std::move(step));
      ++loops_;
      divergent_block(s.body, 1 + rng_.below(3), depth + 1);
      --loops_;
      Stmt scope = statement(StmtKind::If);
      scope.exprs.push_back(literal(Type::Bool, 1));
      scope.body.push_back(std::move(init));
      scope.body.push_back(std::move(s));
      return scope;
    }
    if (r < 90 && o_.atomics) return atomic();
    if (r < 95 && loops_ > 0) {
      // Guarded, so the rest of the loop body still runs for some iterations.
      Stmt s = statement(StmtKind::If);
      s.exprs.push_back(expr(Type::Bool, 2));
      s.body.push_back(statement(rng_.chance(1, 2) ? StmtKind::Break : StmtKind::Continue));
      return s;
    }
    if (r == 99 && uniform_loops_ == 0) {
      // After this, some invocations may have left: no more barriers (see can_sync).
      Stmt s = statement(StmtKind::If);
      s.exprs.push_back(expr(Type::Bool, 2));
      s.body.push_back(statement(StmtKind::Return));
      returned_ = true;
      return s;
    }
    return store(rng_.pick(outputs_), false);
  }

  Random rng_;
  GeneratorOptions o_;
  GeneratedCase out_;
  std::vector<Type> types_;
  std::uint64_t elements_ = 0;
  std::vector<Local> scope_;
  std::vector<Buffer> inputs_;
  std::vector<Buffer> outputs_;
  Type acc_type_ = Type::U32;
  std::vector<AtomicOp> acc_ops_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> acc_operands_;
  std::uint32_t next_name_ = 0;
  std::uint32_t loops_ = 0;  // enclosing loops a break or continue may leave
  std::vector<Shared> shared_;
  bool uniform_ = true;              // control here is the same for the whole workgroup
  bool returned_ = false;            // some invocation may have returned early
  std::uint32_t uniform_loops_ = 0;  // enclosing loops with barriers (no return inside)
};

}  // namespace

GeneratedCase generate(std::uint64_t seed, const GeneratorOptions& options) {
  GeneratedCase c = Generator(seed, options).run();
  if (options.named_constants) name_constants(c.draft, seed);
  return c;
}

Result<ir::Program> generate_program(std::uint64_t seed, const GeneratorOptions& options) {
  return ir::check(generate(seed, options).draft);
}

}  // namespace vyre::progen
