#include "interpreter.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include <fmt/format.h>

#include "semantics.h"
#include "vyre/diag/codes.h"

namespace vyre::reference {
namespace {

using Lane = std::uint32_t;
using ir::BinaryOp;
using ir::ExprKind;
using ir::StmtKind;
using ir::Type;

enum Exit : std::uint8_t { kRunning = 0, kBroke = 1, kContinued = 2, kReturned = 3 };

// The active invocations of a batch, ascending. `dense` means every lane of the batch, which
// lets lane loops run without indirection (and vectorise).
struct LaneSet {
  std::vector<Lane> lanes;
  bool dense = false;
  std::size_t size() const { return lanes.size(); }
  bool empty() const { return lanes.empty(); }
};

template <class F>
inline void for_each(const LaneSet& set, F&& f) {
  if (set.dense) {
    const Lane n = static_cast<Lane>(set.lanes.size());
    for (Lane l = 0; l < n; ++l) f(l);
  } else {
    for (Lane l : set.lanes) f(l);
  }
}

// An index value as an element position; negative signed indices are out of bounds.
inline std::uint64_t element_index(std::uint64_t bits, Type type) {
  switch (type) {
    case Type::I32:
      return (bits & 0x80000000u) != 0 ? UINT64_MAX : bits;
    case Type::I64:
      return (bits >> 63) != 0 ? UINT64_MAX : bits;
    default:
      return bits;
  }
}

// Element access through relaxed atomics: plain moves on common hardware, and no data race in
// C++ terms when workers on different threads touch one element.
template <class U>
inline U& element_ref(const MemoryView& m, std::uint64_t i) {
  return reinterpret_cast<U*>(m.data)[i];
}
// Storage types by element width: bool is one byte (0 or 1), the rest their bit patterns.
template <class F>
inline void with_storage(Type element, F&& f) {
  switch (element) {
    case Type::Bool:
      f(bool{});
      break;
    case Type::I32:
    case Type::U32:
    case Type::F32:
      f(std::uint32_t{});
      break;
    default:
      f(std::uint64_t{});
      break;
  }
}
template <class S>
inline std::uint64_t load_as(const MemoryView& m, std::uint64_t i) {
  if constexpr (std::is_same_v<S, bool>) {
    return std::atomic_ref<std::uint8_t>(m.data[i]).load(std::memory_order_relaxed) != 0;
  } else {
    return std::atomic_ref<S>(element_ref<S>(m, i)).load(std::memory_order_relaxed);
  }
}
template <class S>
inline void store_as(const MemoryView& m, std::uint64_t i, std::uint64_t v) {
  if constexpr (std::is_same_v<S, bool>) {
    std::atomic_ref<std::uint8_t>(m.data[i]).store(v != 0 ? 1 : 0, std::memory_order_relaxed);
  } else {
    std::atomic_ref<S>(element_ref<S>(m, i)).store(static_cast<S>(v), std::memory_order_relaxed);
  }
}

// One atomic read-modify-write; returns the previous value's bits.
template <class T>
std::uint64_t atomic_rmw(const MemoryView& m, std::uint64_t i, ir::AtomicOp op, T value,
                         T desired) {
  using U = Unsigned<T>;
  std::atomic_ref<U> ref(element_ref<U>(m, i));
  const U v = static_cast<U>(value);
  constexpr auto kOrder = std::memory_order_relaxed;
  U old = 0;
  switch (op) {
    case ir::AtomicOp::Add:
      old = ref.fetch_add(v, kOrder);
      break;
    case ir::AtomicOp::And:
      old = ref.fetch_and(v, kOrder);
      break;
    case ir::AtomicOp::Or:
      old = ref.fetch_or(v, kOrder);
      break;
    case ir::AtomicOp::Xor:
      old = ref.fetch_xor(v, kOrder);
      break;
    case ir::AtomicOp::Exchange:
      old = ref.exchange(v, kOrder);
      break;
    case ir::AtomicOp::Min:
    case ir::AtomicOp::Max: {
      old = ref.load(kOrder);
      while (true) {
        T current = static_cast<T>(old);
        bool replace = op == ir::AtomicOp::Min ? value < current : current < value;
        if (!replace || ref.compare_exchange_weak(old, v, kOrder)) break;
      }
      break;
    }
    case ir::AtomicOp::CompareExchange:
      old = v;  // `value` is the expected value
      ref.compare_exchange_strong(old, static_cast<U>(desired), kOrder);
      break;
  }
  return put<T>(static_cast<T>(old));
}

// Advances a for-loop variable by `step`; false when the result would not fit the type (the
// loop is then over, as the true value is past any bound of the type).
template <class T>
inline bool advance(std::uint64_t& bits, std::uint64_t step) {
  constexpr T kMax = std::numeric_limits<T>::max();
  if (step > static_cast<std::uint64_t>(kMax)) return false;
  T value = get<T>(bits);
  T s = static_cast<T>(step);
  if (value > static_cast<T>(kMax - s)) return false;
  bits = put<T>(static_cast<T>(value + s));
  return true;
}

template <class T>
void binary_lanes(BinaryOp op, const LaneSet& set, std::uint64_t* out, const std::uint64_t* a,
                  const std::uint64_t* b) {
  auto map = [&](auto f) {
    for_each(set, [&](Lane l) { out[l] = put(f(get<T>(a[l]), get<T>(b[l]))); });
  };
  constexpr bool kArith = !std::is_same_v<T, bool>;
  constexpr bool kBits = !std::is_floating_point_v<T>;
  switch (op) {
    case BinaryOp::Add:
      if constexpr (kArith) map([](T x, T y) { return add(x, y); });
      break;
    case BinaryOp::Sub:
      if constexpr (kArith) map([](T x, T y) { return sub(x, y); });
      break;
    case BinaryOp::Mul:
      if constexpr (kArith) map([](T x, T y) { return mul(x, y); });
      break;
    case BinaryOp::Div:
      if constexpr (kArith) map([](T x, T y) { return div(x, y); });
      break;
    case BinaryOp::Rem:
      if constexpr (kIsInt<T>) map([](T x, T y) { return rem(x, y); });
      break;
    case BinaryOp::BitAnd:
      if constexpr (kBits) map([](T x, T y) { return static_cast<T>(x & y); });
      break;
    case BinaryOp::BitOr:
      if constexpr (kBits) map([](T x, T y) { return static_cast<T>(x | y); });
      break;
    case BinaryOp::BitXor:
      if constexpr (kBits) map([](T x, T y) { return static_cast<T>(x ^ y); });
      break;
    case BinaryOp::Shl:
      if constexpr (kIsInt<T>) map([](T x, T y) { return shl(x, y); });
      break;
    case BinaryOp::Shr:
      if constexpr (kIsInt<T>) map([](T x, T y) { return shr(x, y); });
      break;
    case BinaryOp::Eq:
      map([](T x, T y) { return x == y; });
      break;
    case BinaryOp::Ne:
      map([](T x, T y) { return x != y; });
      break;
    case BinaryOp::Lt:
      map([](T x, T y) { return x < y; });
      break;
    case BinaryOp::Le:
      map([](T x, T y) { return x <= y; });
      break;
    case BinaryOp::Gt:
      map([](T x, T y) { return x > y; });
      break;
    case BinaryOp::Ge:
      map([](T x, T y) { return x >= y; });
      break;
    case BinaryOp::LogicalAnd:
      map([](T x, T y) { return x && y; });
      break;
    case BinaryOp::LogicalOr:
      map([](T x, T y) { return x || y; });
      break;
  }
}

}  // namespace

class WorkgroupExecutor::Impl {
 public:
  explicit Impl(const LaunchState& launch) : launch_(launch), program_(*launch.program) {
    const auto& wg = launch.workgroup;
    wg_invocations_ = wg[0] * wg[1] * wg[2];
    capacity_ = wg_invocations_ * launch.info->groups_per_batch;
    locals_.assign(program_.local_names.size(), std::vector<std::uint64_t>(capacity_));
    exit_.assign(capacity_, kRunning);
    for (int c = 0; c < 3; ++c) {
      local_id_[c].assign(capacity_, 0);
      group_id_[c].assign(capacity_, 0);
    }
    for (const ir::SharedDecl& s : program_.shared) {
      shared_storage_.emplace_back(s.count * ir::size_bytes(s.element) + 8);
      shared_.push_back(MemoryView{shared_storage_.back().data(), s.count, s.element});
    }
    detect_races_ = launch.detect_races && launch.races != nullptr;
    if (detect_races_) {
      std::vector<std::uint64_t> counts;
      for (std::size_t b = 0; b < program_.buffers.size(); ++b) {
        counts.push_back(ir::can_write(program_.buffers[b].access) ? launch.buffers[b].count : 0);
      }
      writes_ = &launch.races->writes(counts);
    }
  }

  void run(std::uint64_t first_group, std::uint32_t count) {
    lanes_ = count * wg_invocations_;
    const auto& wg = launch_.workgroup;
    const auto& groups = launch_.groups;
    Lane lane = 0;
    for (std::uint32_t k = 0; k < count; ++k) {
      std::uint64_t g = first_group + k;
      std::uint32_t gx = static_cast<std::uint32_t>(g % groups[0]);
      std::uint32_t gy = static_cast<std::uint32_t>((g / groups[0]) % groups[1]);
      std::uint32_t gz = static_cast<std::uint32_t>(g / (groups[0] * groups[1]));
      for (std::uint32_t z = 0; z < wg[2]; ++z) {
        for (std::uint32_t y = 0; y < wg[1]; ++y) {
          for (std::uint32_t x = 0; x < wg[0]; ++x, ++lane) {
            local_id_[0][lane] = x;
            local_id_[1][lane] = y;
            local_id_[2][lane] = z;
            group_id_[0][lane] = gx;
            group_id_[1][lane] = gy;
            group_id_[2][lane] = gz;
          }
        }
      }
    }
    first_group_ = first_group;
    tracker_.clear();
    std::fill(exit_.begin(), exit_.begin() + lanes_, kRunning);
    for (auto& storage : shared_storage_) std::fill(storage.begin(), storage.end(), 0);
    LaneSet all;
    all.lanes.resize(lanes_);
    for (Lane l = 0; l < lanes_; ++l) all.lanes[l] = l;
    all.dense = true;
    exec_block(program_.body, all);
  }

 private:
  bool cancelled() const {
    return launch_.cancel != nullptr && launch_.cancel->load(std::memory_order_relaxed);
  }

  std::uint64_t* temp(unsigned depth) {
    while (temps_.size() <= depth) temps_.emplace_back(capacity_);
    return temps_[depth].data();
  }

  const MemoryView& memory(ir::MemorySpace space, std::uint32_t ref) const {
    return space == ir::MemorySpace::Shared ? shared_[ref] : launch_.buffers[ref];
  }

  LaneSet subset(const LaneSet& set, const std::uint64_t* cond, bool want) const {
    LaneSet out;
    out.lanes.reserve(set.size());
    for_each(set, [&](Lane l) {
      if ((cond[l] != 0) == want) out.lanes.push_back(l);
    });
    out.dense = out.lanes.size() == lanes_;
    return out;
  }

  void mark_dense(LaneSet& set) const { set.dense = set.lanes.size() == lanes_; }

  void fill(const LaneSet& set, std::uint64_t* out, std::uint64_t value) const {
    for_each(set, [&](Lane l) { out[l] = value; });
  }

  // ---- expressions: each returns a lane-indexed array valid for the lanes of `set` ----------
  const std::uint64_t* eval(const ir::Expr& e, const LaneSet& set, unsigned d) {
    switch (e.kind) {
      case ExprKind::Literal: {
        std::uint64_t* out = temp(d);
        fill(set, out, e.bits);
        return out;
      }
      case ExprKind::Local:
        return locals_[e.ref].data();
      case ExprKind::Param: {
        std::uint64_t* out = temp(d);
        fill(set, out, launch_.params[e.ref]);
        return out;
      }
      case ExprKind::Size: {
        std::uint64_t* out = temp(d);
        fill(set, out, static_cast<std::uint32_t>(launch_.sizes[e.ref]));
        return out;
      }
      case ExprKind::Builtin:
        return builtin(e, set, d);
      case ExprKind::Load: {
        const std::uint64_t* index = eval(*e.args[0], set, d);
        std::uint64_t* out = temp(d);
        const MemoryView& m = memory(e.space, e.ref);
        const Type index_type = e.args[0]->type;
        // The element width is hoisted out of the lane loop.
        // Recorded first: `out` may be the index's own temporary.
        if (tracking(e.space, e.ref)) record_loads(e, set, index, index_type, m.count);
        with_storage(m.element, [&](auto tag) {
          using S = decltype(tag);
          for_each(set, [&](Lane l) {
            std::uint64_t i = element_index(index[l], index_type);
            out[l] = i < m.count ? load_as<S>(m, i) : 0;
          });
        });
        return out;
      }
      case ExprKind::Len: {
        std::uint64_t* out = temp(d);
        std::uint64_t count = memory(e.space, e.ref).count;
        fill(set, out, std::min<std::uint64_t>(count, UINT32_MAX));
        return out;
      }
      case ExprKind::Unary:
        return unary(e, set, d);
      case ExprKind::Binary:
        return binary(e, set, d);
      case ExprKind::Select:
        return select(e, set, d);
      case ExprKind::Cast:
        return cast(e, set, d);
      case ExprKind::Atomic:
        return atomic(e, set, d);
      case ExprKind::Call:
        return call(e, set, d);
    }
    return temp(d);
  }

  const std::uint64_t* builtin(const ir::Expr& e, const LaneSet& set, unsigned d) {
    std::uint64_t* out = temp(d);
    const int c = e.component;
    const std::uint32_t* lid = local_id_[c].data();
    const std::uint32_t* gid = group_id_[c].data();
    const std::uint32_t size = launch_.workgroup[c];
    switch (static_cast<ir::Builtin>(e.op)) {
      case ir::Builtin::GlobalId:
        for_each(set, [&](Lane l) { out[l] = static_cast<std::uint32_t>(gid[l] * size + lid[l]); });
        break;
      case ir::Builtin::LocalId:
        for_each(set, [&](Lane l) { out[l] = lid[l]; });
        break;
      case ir::Builtin::GroupId:
        for_each(set, [&](Lane l) { out[l] = gid[l]; });
        break;
      case ir::Builtin::NumGroups:
        fill(set, out, static_cast<std::uint32_t>(launch_.groups[c]));
        break;
      case ir::Builtin::GroupSize:
        fill(set, out, size);
        break;
    }
    return out;
  }

  const std::uint64_t* unary(const ir::Expr& e, const LaneSet& set, unsigned d) {
    const std::uint64_t* a = eval(*e.args[0], set, d);
    std::uint64_t* out = temp(d);
    switch (static_cast<ir::UnaryOp>(e.op)) {
      case ir::UnaryOp::Not:
        for_each(set, [&](Lane l) { out[l] = a[l] == 0 ? 1 : 0; });
        break;
      case ir::UnaryOp::Neg:
        with_type(e.type, [&](auto tag) {
          using T = decltype(tag);
          if constexpr (!std::is_same_v<T, bool>) {
            for_each(set, [&](Lane l) { out[l] = put<T>(neg(get<T>(a[l]))); });
          }
        });
        break;
      case ir::UnaryOp::BitNot:
        with_integer_type(e.type, [&](auto tag) {
          using T = decltype(tag);
          for_each(set, [&](Lane l) { out[l] = put<T>(static_cast<T>(~get<T>(a[l]))); });
        });
        break;
    }
    return out;
  }

  const std::uint64_t* binary(const ir::Expr& e, const LaneSet& set, unsigned d) {
    auto op = static_cast<BinaryOp>(e.op);
    const ir::Expr& rhs = *e.args[1];
    if ((op == BinaryOp::LogicalAnd || op == BinaryOp::LogicalOr) &&
        launch_.info->has_effects.count(&rhs) != 0) {
      // Short-circuit: the right operand (which has an atomic) runs only where it decides.
      const std::uint64_t* a = eval(*e.args[0], set, d);
      LaneSet rest = subset(set, a, op == BinaryOp::LogicalAnd);
      std::uint64_t* out = temp(d);
      const std::uint64_t* b = rest.empty() ? out : eval(rhs, rest, d + 1);
      LaneSet decided = subset(set, a, op != BinaryOp::LogicalAnd);
      for_each(decided, [&](Lane l) { out[l] = op == BinaryOp::LogicalOr ? 1 : 0; });
      for_each(rest, [&](Lane l) { out[l] = b[l] != 0 ? 1 : 0; });
      return out;
    }
    const std::uint64_t* a = eval(*e.args[0], set, d);
    const std::uint64_t* b = eval(rhs, set, d + 1);
    std::uint64_t* out = temp(d);
    with_type(e.args[0]->type, [&](auto tag) { binary_lanes<decltype(tag)>(op, set, out, a, b); });
    return out;
  }

  const std::uint64_t* select(const ir::Expr& e, const LaneSet& set, unsigned d) {
    const std::uint64_t* c = eval(*e.args[0], set, d);
    bool effects = launch_.info->has_effects.count(e.args[1].get()) != 0 ||
                   launch_.info->has_effects.count(e.args[2].get()) != 0;
    const std::uint64_t* a;
    const std::uint64_t* b;
    if (effects) {  // only the chosen arm runs, so an atomic in the other has no effect
      LaneSet yes = subset(set, c, true);
      LaneSet no = subset(set, c, false);
      std::uint64_t* out = temp(d);
      a = yes.empty() ? out : eval(*e.args[1], yes, d + 1);
      b = no.empty() ? out : eval(*e.args[2], no, d + 2);
      for_each(yes, [&](Lane l) { out[l] = a[l]; });
      for_each(no, [&](Lane l) { out[l] = b[l]; });
      return out;
    }
    a = eval(*e.args[1], set, d + 1);
    b = eval(*e.args[2], set, d + 2);
    std::uint64_t* out = temp(d);
    for_each(set, [&](Lane l) { out[l] = c[l] != 0 ? a[l] : b[l]; });
    return out;
  }

  const std::uint64_t* cast(const ir::Expr& e, const LaneSet& set, unsigned d) {
    const std::uint64_t* a = eval(*e.args[0], set, d);
    std::uint64_t* out = temp(d);
    with_type(e.type, [&](auto to_tag) {
      using To = decltype(to_tag);
      with_type(e.args[0]->type, [&](auto from_tag) {
        using From = decltype(from_tag);
        for_each(set, [&](Lane l) { out[l] = put<To>(convert<To, From>(get<From>(a[l]))); });
      });
    });
    return out;
  }

  const std::uint64_t* atomic(const ir::Expr& e, const LaneSet& set, unsigned d) {
    const std::uint64_t* index = eval(*e.args[0], set, d);
    const std::uint64_t* value = eval(*e.args[1], set, d + 1);
    const std::uint64_t* desired = e.args.size() > 2 ? eval(*e.args[2], set, d + 2) : value;
    std::uint64_t* out = temp(d);
    const MemoryView& m = memory(e.space, e.ref);
    auto op = static_cast<ir::AtomicOp>(e.op);
    Type index_type = e.args[0]->type;
    with_integer_type(m.element, [&](auto tag) {
      using T = decltype(tag);
      for_each(set, [&](Lane l) {
        std::uint64_t i = element_index(index[l], index_type);
        out[l] = i < m.count ? atomic_rmw<T>(m, i, op, get<T>(value[l]), get<T>(desired[l])) : 0;
      });
    });
    return out;
  }

  const std::uint64_t* call(const ir::Expr& e, const LaneSet& set, unsigned d) {
    const std::uint64_t* x = eval(*e.args[0], set, d);
    const std::uint64_t* y = e.args.size() > 1 ? eval(*e.args[1], set, d + 1) : nullptr;
    const std::uint64_t* z = e.args.size() > 2 ? eval(*e.args[2], set, d + 2) : nullptr;
    std::uint64_t* out = temp(d);
    MathOp op = *launch_.info->ops_by_id[e.ref];
    with_type(e.type, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!std::is_same_v<T, bool>) {
        if (z != nullptr) {
          for_each(set, [&](Lane l) {
            out[l] = put<T>(apply_ternary<T>(op, get<T>(x[l]), get<T>(y[l]), get<T>(z[l])));
          });
        } else if (y != nullptr) {
          for_each(set, [&](Lane l) {
            out[l] = put<T>(apply_binary<T>(op, get<T>(x[l]), get<T>(y[l])));
          });
        } else {
          for_each(set, [&](Lane l) { out[l] = put<T>(apply_unary<T>(op, get<T>(x[l]))); });
        }
      }
    });
    return out;
  }

  // ---- statements: `set` loses the lanes that break, continue or return -------------------
  void exec_block(const std::vector<ir::Stmt>& body, LaneSet& set) {
    for (const ir::Stmt& s : body) {
      if (set.empty()) return;
      if (cancelled()) {
        set.lanes.clear();
        return;
      }
      exec(s, set);
    }
  }

  void assign(std::uint32_t slot, const std::uint64_t* value, const LaneSet& set) {
    std::uint64_t* target = locals_[slot].data();
    if (target == value) return;
    for_each(set, [&](Lane l) { target[l] = value[l]; });
  }

  void leave(LaneSet& set, Exit why) {
    for (Lane l : set.lanes) exit_[l] = why;
    set.lanes.clear();
    set.dense = false;
  }

  void exec(const ir::Stmt& s, LaneSet& set) {
    switch (s.kind) {
      case StmtKind::Let:
      case StmtKind::Var:
      case StmtKind::Assign:
        assign(s.ref, eval(*s.exprs[0], set, 0), set);
        return;
      case StmtKind::Store: {
        const std::uint64_t* index = eval(*s.exprs[0], set, 0);
        const std::uint64_t* value = eval(*s.exprs[1], set, 1);
        const MemoryView& m = memory(s.space, s.ref);
        const Type index_type = s.exprs[0]->type;
        if (tracking(s.space, s.ref)) record_stores(s, set, index, index_type, m.count);
        with_storage(m.element, [&](auto tag) {
          using S = decltype(tag);
          for_each(set, [&](Lane l) {
            std::uint64_t i = element_index(index[l], index_type);
            if (i < m.count) store_as<S>(m, i, value[l]);
          });
        });
        return;
      }
      case StmtKind::If:
        exec_if(s, set);
        return;
      case StmtKind::For:
        exec_for(s, set);
        return;
      case StmtKind::While:
        exec_while(s, set);
        return;
      case StmtKind::Break:
        leave(set, kBroke);
        return;
      case StmtKind::Continue:
        leave(set, kContinued);
        return;
      case StmtKind::Return:
        leave(set, kReturned);
        return;
      case StmtKind::Barrier:
        tracker_.clear();  // the workgroup is already in lockstep; a new race interval starts
        return;
      case StmtKind::Eval:
        eval(*s.exprs[0], set, 0);
        return;
    }
  }

  void exec_if(const ir::Stmt& s, LaneSet& set) {
    const std::uint64_t* cond = eval(*s.exprs[0], set, 0);
    LaneSet then_set = subset(set, cond, true);
    LaneSet else_set = subset(set, cond, false);
    const std::size_t before = set.size();
    if (!then_set.empty()) exec_block(s.body, then_set);
    if (!else_set.empty()) exec_block(s.orelse, else_set);
    if (then_set.size() + else_set.size() == before) return;
    LaneSet merged;
    merged.lanes.resize(then_set.size() + else_set.size());
    std::merge(then_set.lanes.begin(), then_set.lanes.end(), else_set.lanes.begin(),
               else_set.lanes.end(), merged.lanes.begin());
    mark_dense(merged);
    set = std::move(merged);
  }

  // After one pass of a loop body over `iterated`: the lanes that go round again (those that
  // finished the body or continued); lanes that broke leave the loop, lanes that returned leave
  // the invocation.
  LaneSet survivors(const LaneSet& iterated, bool& any_returned) {
    LaneSet next;
    next.lanes.reserve(iterated.size());
    for (Lane l : iterated.lanes) {
      std::uint8_t why = exit_[l];
      if (why == kReturned) {
        any_returned = true;
        continue;
      }
      exit_[l] = kRunning;
      if (why != kBroke) next.lanes.push_back(l);
    }
    mark_dense(next);
    return next;
  }

  void drop_returned(LaneSet& set) {
    std::erase_if(set.lanes, [&](Lane l) { return exit_[l] == kReturned; });
    mark_dense(set);
  }

  void exec_for(const ir::Stmt& s, LaneSet& set) {
    assign(s.ref, eval(*s.exprs[0], set, 0), set);
    // The end bound is evaluated once, before the first iteration.
    if (loop_ends_.size() <= loop_depth_) loop_ends_.emplace_back(capacity_);
    std::uint64_t* end = loop_ends_[loop_depth_].data();
    const std::uint64_t* end_value = eval(*s.exprs[1], set, 0);
    for_each(set, [&](Lane l) { end[l] = end_value[l]; });
    ++loop_depth_;
    std::uint64_t* var = locals_[s.ref].data();
    bool any_returned = false;
    LaneSet active = set;
    while (!active.empty() && !cancelled()) {
      LaneSet iterating;
      iterating.lanes.reserve(active.size());
      with_integer_type(s.type, [&](auto tag) {
        using T = decltype(tag);
        for (Lane l : active.lanes) {
          if (get<T>(var[l]) < get<T>(end[l])) iterating.lanes.push_back(l);
        }
      });
      mark_dense(iterating);
      if (iterating.empty()) break;
      LaneSet running = iterating;
      exec_block(s.body, running);
      LaneSet next = running.size() == iterating.size() ? std::move(iterating)
                                                        : survivors(iterating, any_returned);
      active.lanes.clear();
      with_integer_type(s.type, [&](auto tag) {
        using T = decltype(tag);
        for (Lane l : next.lanes) {
          if (advance<T>(var[l], s.step)) active.lanes.push_back(l);
        }
      });
      mark_dense(active);
    }
    --loop_depth_;
    if (any_returned) drop_returned(set);
  }

  // Lanes advance together, so one count is every lane's iteration count. Lanes whose condition
  // still holds after max_iterations have reached the cap: the loop records its id in the loop
  // status buffer (atomic max, as the generated code does) and ends for them.
  void exec_while(const ir::Stmt& s, LaneSet& set) {
    bool any_returned = false;
    LaneSet active = set;
    for (std::uint64_t iteration = 0; !active.empty(); ++iteration) {
      if (cancelled()) break;
      const std::uint64_t* cond = eval(*s.exprs[0], active, 0);
      LaneSet iterating = subset(active, cond, true);
      if (iterating.empty()) break;
      if (iteration == s.max_iterations) {
        report_loop_cap(s.ref);
        break;
      }
      LaneSet running = iterating;
      exec_block(s.body, running);
      active = running.size() == iterating.size() ? std::move(iterating)
                                                  : survivors(iterating, any_returned);
    }
    if (any_returned) drop_returned(set);
  }

  // ---- race detection (race_detector.h) ------------------------------------------------------
  // Shared arrays and writable buffers are tracked; read-only buffers cannot race.
  bool tracking(ir::MemorySpace space, std::uint32_t ref) const {
    if (!detect_races_ || race_reported_) return false;
    return space == ir::MemorySpace::Shared || ir::can_write(program_.buffers[ref].access);
  }

  std::uint32_t memory_number(ir::MemorySpace space, std::uint32_t ref) const {
    return space == ir::MemorySpace::Shared
               ? static_cast<std::uint32_t>(program_.buffers.size()) + ref
               : ref;
  }

  void record_loads(const ir::Expr& e, const LaneSet& set, const std::uint64_t* index,
                    Type index_type, std::uint64_t count) {
    const std::uint32_t memory = memory_number(e.space, e.ref);
    for_each(set, [&](Lane l) {
      if (race_reported_) return;
      const std::uint64_t i = element_index(index[l], index_type);
      if (i >= count) return;
      if (auto conflict = tracker_.load(l / wg_invocations_, memory, i, l, e.loc)) {
        report_race(e.space, e.ref, i, *conflict);
      }
    });
  }

  void record_stores(const ir::Stmt& s, const LaneSet& set, const std::uint64_t* index,
                     Type index_type, std::uint64_t count) {
    const std::uint32_t memory = memory_number(s.space, s.ref);
    const std::uint32_t site = launch_.info->store_site.at(&s);
    for_each(set, [&](Lane l) {
      if (race_reported_) return;
      const std::uint64_t i = element_index(index[l], index_type);
      if (i >= count) return;
      if (auto conflict = tracker_.store(l / wg_invocations_, memory, i, l, s.loc)) {
        report_race(s.space, s.ref, i, *conflict);
        return;
      }
      if (s.space != ir::MemorySpace::Buffer) return;
      const std::uint64_t invocation = group_of(l) * wg_invocations_ + l % wg_invocations_;
      auto previous = writes_->store(s.ref, i, site, invocation);
      if (previous && previous->second / wg_invocations_ != group_of(l)) {
        report_cross_group_race(s, i, l, previous->first, previous->second);
      }
    });
  }

  std::uint64_t group_of(Lane l) const { return first_group_ + l / wg_invocations_; }

  std::string memory_label(ir::MemorySpace space, std::uint32_t ref) const {
    return space == ir::MemorySpace::Shared
               ? fmt::format("shared array `{}`", program_.shared[ref].name)
               : fmt::format("buffer `{}`", program_.buffers[ref].name);
  }

  // (x, y, z) of a linear index within `dims`, x fastest.
  template <class Dims>
  static std::string triple(std::uint64_t linear, const Dims& dims) {
    const std::uint64_t x = linear % dims[0];
    const std::uint64_t y = (linear / dims[0]) % dims[1];
    const std::uint64_t z = linear / (std::uint64_t{dims[0]} * dims[1]);
    return fmt::format("({}, {}, {})", x, y, z);
  }

  std::string lane_local(Lane l) const {
    return fmt::format("({}, {}, {})", local_id_[0][l], local_id_[1][l], local_id_[2][l]);
  }

  static std::string at_text(SourceLocation loc) {
    return loc.known() ? fmt::format(" at {}:{}", loc.line, loc.column) : std::string();
  }

  void report_race(ir::MemorySpace space, std::uint32_t ref, std::uint64_t element,
                   const Conflict& c) {
    race_reported_ = true;
    auto verb = [](const Access& a) { return a.write ? "stores to" : "loads"; };
    const std::uint64_t group = group_of(c.second.lane);
    Diagnostic d = Diagnostic::error(
        code::DataRace,
        fmt::format("data race on {} element {} in workgroup {}: invocation local_id {} {} it{}, "
                    "and invocation local_id {} {} it{}, with no barrier() between",
                    memory_label(space, ref), element, triple(group, launch_.groups),
                    lane_local(c.first.lane), verb(c.first), at_text(c.first.loc),
                    lane_local(c.second.lane), verb(c.second), at_text(c.second.loc)),
        "put a barrier() between the two accesses (reached by the whole workgroup), give each "
        "invocation its own element, or use an atomic; on a GPU the invocations do not run in "
        "lockstep, so the result depends on timing");
    d.location = c.second.loc;
    d.note(fmt::format("the other access (local_id {})", lane_local(c.first.lane)), c.first.loc);
    launch_.races->report(std::move(d), group);
  }

  void report_cross_group_race(const ir::Stmt& s, std::uint64_t element, Lane l,
                               std::uint32_t other_site, std::uint64_t other_invocation) {
    race_reported_ = true;
    const ir::Stmt& other = *launch_.info->stores[other_site];
    const std::uint64_t group = group_of(l);
    const std::uint64_t other_group = other_invocation / wg_invocations_;
    Diagnostic d = Diagnostic::error(
        code::DataRace,
        fmt::format("data race on {} element {}: workgroup {} (local_id {}) stores to it{}, and "
                    "workgroup {} (local_id {}) stores to it{}; workgroups are not ordered within "
                    "a dispatch",
                    memory_label(s.space, s.ref), element, triple(other_group, launch_.groups),
                    triple(other_invocation % wg_invocations_, launch_.workgroup),
                    at_text(other.loc), triple(group, launch_.groups), lane_local(l),
                    at_text(s.loc)),
        "give each workgroup its own output elements (index by global_id), or combine the "
        "values with an atomic (atomic_add, atomic_max, ...)");
    d.location = s.loc;
    d.note("the other workgroup's store", other.loc);
    launch_.races->report(std::move(d), std::min(group, other_group));
  }

  void report_loop_cap(std::uint32_t loop_id) {
    const std::optional<std::uint32_t> status = launch_.info->loop_status_buffer;
    if (!status || launch_.buffers[*status].count == 0) return;
    atomic_rmw<std::uint32_t>(launch_.buffers[*status], 0, ir::AtomicOp::Max, loop_id, 0);
  }

  const LaunchState& launch_;
  const ir::ProgramData& program_;
  std::uint32_t wg_invocations_ = 1;
  std::uint32_t capacity_ = 1;
  std::uint32_t lanes_ = 0;
  std::vector<std::vector<std::uint64_t>> locals_;
  std::vector<std::vector<std::uint64_t>> temps_;
  std::vector<std::vector<std::uint64_t>> loop_ends_;
  unsigned loop_depth_ = 0;
  std::vector<std::uint8_t> exit_;
  std::array<std::vector<std::uint32_t>, 3> local_id_;
  std::array<std::vector<std::uint32_t>, 3> group_id_;
  std::vector<std::vector<std::uint8_t>> shared_storage_;
  std::vector<MemoryView> shared_;
  bool detect_races_ = false;
  bool race_reported_ = false;  // one report per worker: the first race is the one to fix
  std::uint64_t first_group_ = 0;
  EpochTracker tracker_;
  DispatchWrites* writes_ = nullptr;
};

WorkgroupExecutor::WorkgroupExecutor(const LaunchState& launch)
    : impl_(std::make_unique<Impl>(launch)) {}
WorkgroupExecutor::~WorkgroupExecutor() = default;
void WorkgroupExecutor::run(std::uint64_t first_group, std::uint32_t count) {
  impl_->run(first_group, count);
}

}  // namespace vyre::reference
