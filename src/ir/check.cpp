// check(): turns a draft ProgramData into a Program — resolves names to slots and indices,
// gives every expression its type, and enforces the structural rules of docs/IR.md.
//
// Conventions the parser, builder and decoder rely on:
//  - Every identifier arrives as ExprKind::Local with its name; the checker rewrites it to
//    Local / Param / Size and sets `ref`. Loads, stores, len and atomics carry the memory name;
//    the checker sets `space` and `ref`.
//  - Integer literals carry their magnitude in `bits` (typed or untyped). The checker range-
//    checks them against their final type and folds unary minus applied to a literal into the
//    literal itself, so `-5i` and a literal -5 of type i32 check to the same tree. After
//    checking, an integer literal's bits are its two's complement pattern zero-extended from
//    the type's width; a float literal's bits are its IEEE pattern (f32 in the low 32 bits).
//  - Untyped float literals carry an f64 bit pattern; the checker converts to f32 if needed.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

#include "ir/uniformity.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/encoding.h"
#include "vyre/ir/loop_status.h"
#include "vyre/ir/ops.h"
#include "vyre/ir/program.h"

namespace vyre::ir {
namespace {

enum class SymbolKind { Param, Size, Buffer, Shared, Const };

struct Symbol {
  SymbolKind kind;
  std::uint32_t index;
  SourceLocation loc;
};

struct Local {
  std::uint32_t slot;
  bool mutable_;
  SourceLocation loc;
};

std::uint64_t mask_for(Type t) {
  unsigned w = bit_width(t);
  return w >= 64 ? ~0ULL : ((1ULL << w) - 1);
}

class Checker {
 public:
  Checker(ProgramData& program, const CheckOptions& options) : p_(program), opt_(options) {}

  std::vector<Diagnostic> run() {
    p_.local_names.clear();
    p_.local_types.clear();
    p_.size_symbols.clear();
    check_header();
    check_declarations();
    path_.push_back("kernel " + p_.name);
    check_block(p_.body, "body");
    path_.pop_back();
    if (diags_.empty()) check_barrier_uniformity(p_, opt_.file, diags_);
    return std::move(diags_);
  }

 private:
  // ---- reporting ------------------------------------------------------------------------------
  Diagnostic& report(std::string_view code, std::string message, std::string help,
                     SourceLocation loc) {
    Diagnostic d = Diagnostic::error(code, std::move(message), std::move(help));
    d.location = loc;
    d.file = opt_.file;
    std::string where;
    for (const std::string& part : path_) {
      if (!where.empty()) where += " > ";
      where += part;
    }
    d.path = std::move(where);
    diags_.push_back(std::move(d));
    return diags_.back();
  }

  // ---- declarations ---------------------------------------------------------------------------
  void check_header() {
    std::uint64_t product = 1;
    for (std::uint32_t v : p_.workgroup) {
      if (v == 0) {
        report(code::BadWorkgroupSize, "workgroup size has a zero dimension",
               "give every workgroup dimension a positive size, e.g. workgroup(256)", p_.loc);
        return;
      }
      product *= v;
    }
    if (product > 1024) {
      report(code::BadWorkgroupSize,
             fmt::format("workgroup({}, {}, {}) has {} invocations, more than 1024",
                         p_.workgroup[0], p_.workgroup[1], p_.workgroup[2], product),
             "use at most 1024 invocations per workgroup", p_.loc);
    }
    if (p_.dispatch.size() > 3) {
      report(code::BadWorkgroupSize, "dispatch(...) has more than three dimensions",
             "give one to three sizes: dispatch(n), dispatch(n, m) or dispatch(n, m, k)", p_.loc);
    }
  }

  bool declare_global(const std::string& name, Symbol symbol, std::string_view what) {
    if (name.empty()) {
      report(code::BadBufferDecl, fmt::format("{} without a name", what), "give it a name",
             symbol.loc);
      return false;
    }
    auto [it, inserted] = globals_.emplace(name, symbol);
    if (!inserted) {
      report(code::DuplicateName, fmt::format("`{}` is declared twice", name),
             fmt::format("rename this {} or the earlier declaration", what), symbol.loc)
          .note(fmt::format("`{}` first declared here", name), it->second.loc);
      return false;
    }
    return true;
  }

  void note_size_symbols(const SizeExpr& size, SourceLocation loc) {
    if (size.constant == 0) {
      report(code::BadBufferDecl, fmt::format("size `{}` is zero", to_string(size)),
             "sizes are products of size symbols and positive integers", loc);
    }
    for (const std::string& symbol : size.symbols) {
      auto it = globals_.find(symbol);
      if (it == globals_.end()) {
        auto index = static_cast<std::uint32_t>(p_.size_symbols.size());
        p_.size_symbols.push_back(symbol);
        globals_.emplace(symbol, Symbol{SymbolKind::Size, index, loc});
      } else if (it->second.kind != SymbolKind::Size) {
        report(code::DuplicateName,
               fmt::format("`{}` is used as a size symbol but also declared as something else",
                           symbol),
               "size symbols must have names of their own", loc)
            .note("declared here", it->second.loc);
      }
    }
  }

  void check_declarations() {
    for (std::uint32_t i = 0; i < p_.params.size(); ++i) {
      ParamDecl& param = p_.params[i];
      declare_global(param.name, {SymbolKind::Param, i, param.loc}, "param");
      if (param.type == Type::Unknown) {
        report(code::TypeMismatch, fmt::format("param `{}` has no type", param.name),
               "declare it as `param name: TYPE`", param.loc);
      }
    }
    std::unordered_map<std::uint32_t, std::uint32_t> bindings;
    bool any_writable = false;
    for (std::uint32_t i = 0; i < p_.buffers.size(); ++i) {
      BufferDecl& buffer = p_.buffers[i];
      declare_global(buffer.name, {SymbolKind::Buffer, i, buffer.loc}, "buffer");
      if (buffer.element == Type::Unknown) {
        report(code::BadBufferDecl, fmt::format("buffer `{}` has no element type", buffer.name),
               "declare it as `buffer name: ACCESS TYPE[SIZE]`", buffer.loc);
      }
      auto [it, inserted] = bindings.emplace(buffer.binding, i);
      if (!inserted) {
        const BufferDecl& first = p_.buffers[it->second];
        report(code::DuplicateBinding,
               fmt::format("buffers `{}` and `{}` both use binding {}", first.name, buffer.name,
                           buffer.binding),
               "give each buffer its own binding(N)", buffer.loc)
            .note(fmt::format("`{}` uses binding {} here", first.name, buffer.binding), first.loc);
      }
      note_size_symbols(buffer.count, buffer.loc);
      any_writable = any_writable || can_write(buffer.access);
    }
    std::uint64_t shared_bytes = 0;
    for (std::uint32_t i = 0; i < p_.shared.size(); ++i) {
      SharedDecl& shared = p_.shared[i];
      declare_global(shared.name, {SymbolKind::Shared, i, shared.loc}, "shared array");
      if (shared.element == Type::Unknown) {
        report(code::BadBufferDecl, fmt::format("shared `{}` has no element type", shared.name),
               "declare it as `shared name: TYPE[COUNT]`", shared.loc);
        continue;
      }
      if (shared.count == 0) {
        report(code::BadBufferDecl, fmt::format("shared array `{}` has no elements", shared.name),
               "give it a positive fixed count, e.g. shared tile: f32[256]", shared.loc);
        continue;
      }
      std::uint64_t bytes = shared.count * size_bytes(shared.element);
      if (shared.count > (1ULL << 40) || shared_bytes + bytes > opt_.max_shared_bytes) {
        report(code::SharedMemoryTooLarge,
               fmt::format("shared arrays need {} bytes, over the limit of {}",
                           shared_bytes + bytes, opt_.max_shared_bytes),
               "use smaller shared arrays (tiles)", shared.loc);
      }
      shared_bytes += bytes;
    }
    for (std::uint32_t i = 0; i < p_.constants.size(); ++i) check_const(i);
    for (const SizeExpr& size : p_.dispatch) note_size_symbols(size, p_.loc);
    if (!any_writable && p_.dispatch.empty()) {
      report(code::EmptyKernel,
             fmt::format("kernel `{}` has no writable buffer and no dispatch(...)", p_.name),
             "declare an output buffer (write or read_write) or give dispatch(n)", p_.loc);
    }
  }

  static bool is_literal_value(const Expr* e) {
    if (e != nullptr && e->kind == ExprKind::Unary && static_cast<UnaryOp>(e->op) == UnaryOp::Neg &&
        e->args.size() == 1) {
      e = e->args[0].get();
    }
    return e != nullptr && e->kind == ExprKind::Literal;
  }

  // A const is a literal; its value is range-checked here when its type is fixed (declared or
  // suffixed), else at each use, where it takes the use's type.
  void check_const(std::uint32_t i) {
    ConstDecl& c = p_.constants[i];
    if (!declare_global(c.name, {SymbolKind::Const, i, c.loc}, "const")) return;
    if (!is_literal_value(c.value.get())) {
      report(code::TypeMismatch, fmt::format("const `{}` is not a literal", c.name),
             "a const holds a literal such as 16, -1 or 0.5", c.loc);
      return;
    }
    const Expr& literal = c.value->kind == ExprKind::Literal ? *c.value : *c.value->args[0];
    if (c.type == Type::Unknown && literal.op != static_cast<std::uint8_t>(LiteralForm::Typed)) {
      return;
    }
    ExprPtr copy = c.value->clone();
    expect_type(check_expr(*copy, c.type), c.type, c.loc,
                fmt::format("the value of const `{}`", c.name));
  }

  // ---- scopes ---------------------------------------------------------------------------------
  std::optional<Local> find_local(const std::string& name) const {
    auto it = locals_.find(name);
    if (it == locals_.end()) return std::nullopt;
    return it->second;
  }

  std::uint32_t declare_local(const std::string& name, Type type, bool is_mutable,
                              SourceLocation loc) {
    auto slot = static_cast<std::uint32_t>(p_.local_names.size());
    p_.local_names.push_back(name);
    p_.local_types.push_back(type);
    if (auto g = globals_.find(name); g != globals_.end()) {
      report(code::DuplicateName, fmt::format("`{}` is already declared", name),
             "vyre has no shadowing: pick another name", loc)
          .note("first declared here", g->second.loc);
      return slot;
    }
    if (auto l = locals_.find(name); l != locals_.end()) {
      report(code::DuplicateName,
             fmt::format("`{}` is already declared in an enclosing scope", name),
             "vyre has no shadowing: pick another name", loc)
          .note("first declared here", l->second.loc);
      return slot;
    }
    locals_.emplace(name, Local{slot, is_mutable, loc});
    scopes_.back().push_back(name);
    return slot;
  }

  void push_scope() { scopes_.emplace_back(); }
  void pop_scope() {
    for (const std::string& name : scopes_.back()) locals_.erase(name);
    scopes_.pop_back();
  }

  // ---- expressions ----------------------------------------------------------------------------
  bool untyped(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::Literal:
        return e.op != static_cast<std::uint8_t>(LiteralForm::Typed);
      case ExprKind::Local:
        return untyped_const(e.name);
      case ExprKind::Unary:
        return static_cast<UnaryOp>(e.op) != UnaryOp::Not && !e.args.empty() && untyped(*e.args[0]);
      case ExprKind::Binary: {
        auto op = static_cast<BinaryOp>(e.op);
        bool arithmetic = op <= BinaryOp::Shr;
        return arithmetic && e.args.size() == 2 && untyped(*e.args[0]) && untyped(*e.args[1]);
      }
      default:
        return false;
    }
  }

  // A const without a declared type whose literal has no suffix: it adapts to its context.
  bool untyped_const(const std::string& name) const {
    if (locals_.count(name) != 0) return false;
    auto g = globals_.find(name);
    if (g == globals_.end() || g->second.kind != SymbolKind::Const) return false;
    const ConstDecl& c = p_.constants[g->second.index];
    if (c.type != Type::Unknown || !is_literal_value(c.value.get())) return false;
    const Expr& literal = c.value->kind == ExprKind::Literal ? *c.value : *c.value->args[0];
    return literal.op != static_cast<std::uint8_t>(LiteralForm::Typed);
  }

  // `magnitude` is the literal as written, before fit_integer() stores its wrapped pattern.
  void literal_range_error(const Expr& e, std::uint64_t magnitude, Type t, bool negated) {
    if (negated && !is_signed_integer(t)) {
      report(code::BadNumber,
             fmt::format("literal -{} does not fit {}, which has no negative values", magnitude,
                         type_name(t)),
             fmt::format("the literal takes {} from its context (the other operand, the declared "
                         "or stored type, or an index); to compare with a signed value convert "
                         "the other side (i32(x) > -{}), and for the largest {} write {}",
                         type_name(t), magnitude, type_name(t),
                         t == Type::U64 ? "0xffffffffffffffffu64" : "0xffffffffu"),
             e.loc);
      return;
    }
    report(code::BadNumber,
           fmt::format("literal {}{} does not fit {}", negated ? "-" : "", magnitude, type_name(t)),
           "use a wider type (i64, u64) or a smaller value", e.loc);
  }

  // Gives a literal its final type `t`. `negated` folds a unary minus applied to it.
  Type finish_literal(Expr& e, Type t, bool negated) {
    auto form = static_cast<LiteralForm>(e.op);
    if (form == LiteralForm::UntypedFloat) {
      double value = std::bit_cast<double>(e.bits);
      if (negated) value = -value;
      if (t == Type::F64) {
        e.bits = std::bit_cast<std::uint64_t>(value);
      } else {
        t = Type::F32;
        const float narrowed = static_cast<float>(value);
        if (std::isfinite(value) && !std::isfinite(narrowed)) {
          report(
              code::BadNumber,
              fmt::format("literal {} does not fit f32 (its largest value is about 3.4e38)", value),
              "use f64 (a 1e300f64 suffix, or an f64 context), or a smaller value", e.loc);
        }
        e.bits = std::bit_cast<std::uint32_t>(narrowed);
      }
    } else if (form == LiteralForm::UntypedInt) {
      if (is_float(t)) {
        double value = static_cast<double>(e.bits);
        if (negated) value = -value;
        e.bits = t == Type::F64 ? std::bit_cast<std::uint64_t>(value)
                                : std::bit_cast<std::uint32_t>(static_cast<float>(value));
      } else {
        if (!is_integer(t)) t = Type::I32;
        // An unsuffixed literal takes its type from context, so `-1` compared with a u32 is not
        // a u32 at all: refusing it is what keeps `i > -1` from being silently false.
        const std::uint64_t magnitude = e.bits;
        const bool wraps = negated && magnitude != 0 && !is_signed_integer(t);
        if (!fit_integer(e, t, negated) || wraps) literal_range_error(e, magnitude, t, negated);
      }
    } else {  // typed
      t = e.type;
      if (t == Type::Unknown) {
        report(code::BadNumber, "typed literal without a type", "write a suffix", e.loc);
        return Type::Unknown;
      }
      if (is_integer(t)) {
        const std::uint64_t magnitude = e.bits;
        if (!fit_integer(e, t, negated)) literal_range_error(e, magnitude, t, negated);
      } else if (t == Type::Bool) {
        if (e.bits > 1) literal_range_error(e, e.bits, t, negated);
        if (negated) {
          report(code::TypeMismatch, "unary `-` applied to a bool", "use `!` for bools", e.loc);
        }
      } else if (negated) {
        e.bits ^= t == Type::F64 ? (1ULL << 63) : (1ULL << 31);
      } else if (t == Type::F32 && e.bits > 0xFFFFFFFFULL) {
        literal_range_error(e, e.bits, t, negated);
      }
    }
    e.type = t;
    e.op = static_cast<std::uint8_t>(LiteralForm::Typed);
    return t;
  }

  // Range-checks a magnitude for integer type t, then stores the (negated) pattern.
  static bool fit_integer(Expr& e, Type t, bool negated) {
    std::uint64_t magnitude = e.bits;
    unsigned w = bit_width(t);
    std::uint64_t mask = mask_for(t);
    bool ok;
    if (is_signed_integer(t)) {
      std::uint64_t max_pos = (w == 64) ? (1ULL << 63) - 1 : (1ULL << (w - 1)) - 1;
      ok = negated ? magnitude <= max_pos + 1 : magnitude <= max_pos;
    } else {
      ok = magnitude <= mask;  // -Nu wraps, like the runtime negation it folds
    }
    e.bits = (negated ? (0 - magnitude) : magnitude) & mask;
    return ok;
  }

  Type check_expr(Expr& e, Type hint) {
    if (++expr_depth_ > kMaxDepth) {
      --expr_depth_;
      too_deep(e.loc);
      return Type::Unknown;
    }
    Type t = check_expr_inner(e, hint);
    e.type = t;
    --expr_depth_;
    return t;
  }

  // Programs from the builder are not depth-limited by a parser; the encoding and every
  // recursive consumer rely on this bound.
  void too_deep(SourceLocation loc) {
    if (reported_depth_) return;
    reported_depth_ = true;
    report(code::TooDeeplyNested, fmt::format("program nests more than {} deep", kMaxDepth),
           "split deep expressions into several lets, or flatten nested blocks", loc);
  }

  Type check_expr_inner(Expr& e, Type hint) {
    switch (e.kind) {
      case ExprKind::Literal:
        if (!e.name.empty()) {  // a const's use, checked before: it is already typed
          auto g = globals_.find(e.name);
          if (g == globals_.end() || g->second.kind != SymbolKind::Const) e.name.clear();
        }
        return finish_literal(e, hint, false);
      case ExprKind::Local:
      case ExprKind::Param:
      case ExprKind::Size:
        return check_name(e, hint);
      case ExprKind::Builtin:
        if (e.component > 2 || e.op > static_cast<std::uint8_t>(Builtin::GroupSize)) {
          report(code::TypeMismatch, "builtin component must be .x, .y or .z", "use .x/.y/.z",
                 e.loc);
          return Type::Unknown;
        }
        return Type::U32;
      case ExprKind::Load:
        return check_load(e);
      case ExprKind::Len:
        if (!resolve_memory(e.name, e.space, e.ref, e.loc, "len()")) return Type::Unknown;
        return Type::U32;
      case ExprKind::Unary:
        return check_unary(e, hint);
      case ExprKind::Binary:
        return check_binary(e, hint);
      case ExprKind::Select:
        return check_select(e, hint);
      case ExprKind::Cast:
        return check_cast(e);
      case ExprKind::Atomic:
        return check_atomic(e);
      case ExprKind::Call:
        return check_call(e, hint);
    }
    return Type::Unknown;
  }

  Type check_name(Expr& e, Type hint) {
    if (auto local = find_local(e.name)) {
      e.kind = ExprKind::Local;
      e.ref = local->slot;
      return p_.local_types[local->slot];
    }
    auto g = globals_.find(e.name);
    if (g == globals_.end()) {
      report(code::UndefinedName, fmt::format("`{}` is not defined", e.name),
             "declare it with let, var, param or buffer before use, or fix the spelling", e.loc);
      return Type::Unknown;
    }
    switch (g->second.kind) {
      case SymbolKind::Param:
        e.kind = ExprKind::Param;
        e.ref = g->second.index;
        return p_.params[e.ref].type;
      case SymbolKind::Size:
        e.kind = ExprKind::Size;
        e.ref = g->second.index;
        return Type::U32;
      case SymbolKind::Const: {
        // The use becomes a copy of the literal, typed here, that keeps the const's name.
        const ConstDecl& c = p_.constants[g->second.index];
        if (!is_literal_value(c.value.get())) return Type::Unknown;
        ExprPtr copy = c.value->clone();
        std::string name = std::move(e.name);
        const SourceLocation loc = e.loc;
        copy->loc = loc;
        if (!copy->args.empty()) copy->args[0]->loc = loc;
        const Type t = check_expr(*copy, c.type != Type::Unknown ? c.type : hint);
        e = std::move(*copy);
        e.name = std::move(name);
        return t;
      }
      case SymbolKind::Buffer:
      case SymbolKind::Shared:
        report(code::TypeMismatch, fmt::format("`{}` is memory, not a value", e.name),
               fmt::format("index it, e.g. {}[i], or take len({})", e.name, e.name), e.loc);
        return Type::Unknown;
    }
    return Type::Unknown;
  }

  bool resolve_memory(const std::string& name, MemorySpace& space, std::uint32_t& ref,
                      SourceLocation loc, std::string_view use) {
    auto g = globals_.find(name);
    if (g != globals_.end() && g->second.kind == SymbolKind::Buffer) {
      space = MemorySpace::Buffer;
      ref = g->second.index;
      return true;
    }
    if (g != globals_.end() && g->second.kind == SymbolKind::Shared) {
      space = MemorySpace::Shared;
      ref = g->second.index;
      return true;
    }
    if (g == globals_.end() && !find_local(name)) {
      report(code::UndefinedName, fmt::format("`{}` is not defined", name),
             "declare it as a buffer or shared array", loc);
    } else {
      report(code::NotAMemory, fmt::format("`{}` is not a buffer or shared array", name),
             fmt::format("only buffers and shared arrays can be used with {}", use), loc);
    }
    return false;
  }

  Type element_of(MemorySpace space, std::uint32_t ref) const {
    return space == MemorySpace::Buffer ? p_.buffers[ref].element : p_.shared[ref].element;
  }

  void check_index(Expr& index) {
    Type t = check_expr(index, Type::U32);
    if (t != Type::Unknown && !is_integer(t)) {
      report(code::TypeMismatch, fmt::format("index has type {}, not an integer", type_name(t)),
             "index with an integer, e.g. u32(x)", index.loc);
    }
  }

  bool arity(Expr& e, std::size_t n, std::string_view what) {
    if (e.args.size() == n) return true;
    report(code::TypeMismatch,
           fmt::format("{} takes {} operand(s), got {}", what, n, e.args.size()),
           "fix the number of operands", e.loc);
    return false;
  }

  Type check_load(Expr& e) {
    bool ok = resolve_memory(e.name, e.space, e.ref, e.loc, "indexing");
    if (!arity(e, 1, "indexing")) return Type::Unknown;
    check_index(*e.args[0]);
    if (!ok) return Type::Unknown;
    if (e.space == MemorySpace::Buffer && !can_read(p_.buffers[e.ref].access)) {
      report(code::LoadFromWriteOnly,
             fmt::format("buffer `{}` is write-only and cannot be read", e.name),
             fmt::format("declare `{}` as read_write", e.name), e.loc);
    }
    return element_of(e.space, e.ref);
  }

  Type check_unary(Expr& e, Type hint) {
    if (!arity(e, 1, "unary operator")) return Type::Unknown;
    auto op = static_cast<UnaryOp>(e.op);
    Expr& arg = *e.args[0];
    if (op == UnaryOp::Neg && arg.kind == ExprKind::Literal) {
      // Fold -literal into the literal (see the file comment).
      Type lit_hint = arg.op == static_cast<std::uint8_t>(LiteralForm::Typed) ? arg.type : hint;
      Type t = finish_literal(arg, lit_hint, true);
      Expr folded = std::move(arg);
      folded.loc = e.loc;
      e = std::move(folded);
      return t;
    }
    Type t = check_expr(arg, op == UnaryOp::Not ? Type::Bool : hint);
    if (t == Type::Unknown) return t;
    bool ok = (op == UnaryOp::Neg && is_numeric(t)) || (op == UnaryOp::Not && t == Type::Bool) ||
              (op == UnaryOp::BitNot && is_integer(t));
    if (!ok) {
      report(code::TypeMismatch,
             fmt::format("unary `{}` cannot apply to {}", unary_op_symbol(op), type_name(t)),
             op == UnaryOp::Not
                 ? "`!` takes a bool; compare first, e.g. x == 0"
                 : (op == UnaryOp::BitNot ? "`~` takes an integer" : "`-` takes a number"),
             e.loc);
      return Type::Unknown;
    }
    if (op == UnaryOp::Neg && arg.kind == ExprKind::Literal && arg.name.empty() &&
        arg.op == static_cast<std::uint8_t>(LiteralForm::Typed)) {
      // `- -5u`: the inner minus folded into a literal above; fold this one too (wrapping, as
      // the runtime negation would), so the tree is the one its printed text parses back to.
      Expr folded = std::move(arg);
      folded.bits = is_float(t) ? folded.bits ^ (t == Type::F64 ? (1ULL << 63) : (1ULL << 31))
                                : (0 - folded.bits) & mask_for(t);
      folded.loc = e.loc;
      e = std::move(folded);
      return t;
    }
    return op == UnaryOp::Not ? Type::Bool : t;
  }

  // Types two operands that must agree; untyped literals take the other side's type.
  std::pair<Type, Type> check_pair(Expr& a, Expr& b, Type hint) {
    if (untyped(a) && !untyped(b)) {
      Type tb = check_expr(b, hint);
      Type ta = check_expr(a, tb);
      return {ta, tb};
    }
    Type ta = check_expr(a, hint);
    Type tb = check_expr(b, ta);
    return {ta, tb};
  }

  Type check_binary(Expr& e, Type hint) {
    if (!arity(e, 2, "binary operator")) return Type::Unknown;
    auto op = static_cast<BinaryOp>(e.op);
    Expr& a = *e.args[0];
    Expr& b = *e.args[1];
    std::string_view sym = binary_op_symbol(op);
    auto mismatch = [&](std::string_view help) {
      report(
          code::TypeMismatch,
          fmt::format("`{}` cannot combine {} and {}", sym, type_name(a.type), type_name(b.type)),
          std::string(help), e.loc);
      return Type::Unknown;
    };
    switch (op) {
      case BinaryOp::LogicalAnd:
      case BinaryOp::LogicalOr: {
        Type ta = check_expr(a, Type::Bool);
        Type tb = check_expr(b, Type::Bool);
        if (ta == Type::Unknown || tb == Type::Unknown) return Type::Bool;
        if (ta != Type::Bool || tb != Type::Bool) return mismatch("&& and || take bools");
        return Type::Bool;
      }
      case BinaryOp::Shl:
      case BinaryOp::Shr: {
        Type ta = check_expr(a, hint);
        Type tb = check_expr(b, ta);
        if (ta == Type::Unknown || tb == Type::Unknown) return Type::Unknown;
        if (!is_integer(ta) || ta != tb) {
          return mismatch("shift an integer by a count of the same type, e.g. x << 3u");
        }
        return ta;
      }
      case BinaryOp::Eq:
      case BinaryOp::Ne:
      case BinaryOp::Lt:
      case BinaryOp::Le:
      case BinaryOp::Gt:
      case BinaryOp::Ge: {
        auto [ta, tb] = check_pair(a, b, Type::Unknown);
        if (ta == Type::Unknown || tb == Type::Unknown) return Type::Bool;
        if (ta != tb) return mismatch(convert_help(a, b));
        bool ordered = op != BinaryOp::Eq && op != BinaryOp::Ne;
        if (ordered && !is_numeric(ta)) return mismatch("order comparisons take numbers");
        return Type::Bool;
      }
      default: {
        auto [ta, tb] = check_pair(a, b, hint);
        if (ta == Type::Unknown || tb == Type::Unknown) return Type::Unknown;
        if (ta != tb) return mismatch(convert_help(a, b));
        bool bitwise = op == BinaryOp::BitAnd || op == BinaryOp::BitOr || op == BinaryOp::BitXor;
        if (bitwise && !(is_integer(ta) || ta == Type::Bool)) {
          return mismatch("bitwise operators take integers or bools");
        }
        if (op == BinaryOp::Rem && !is_integer(ta)) return mismatch("`%` takes integers");
        if (!bitwise && !is_numeric(ta)) return mismatch("arithmetic takes numbers");
        return ta;
      }
    }
  }

  // How to make two operand types agree: between integers, towards u32 (what ids, len() and
  // indices are) or the wider type; between an integer and a float, towards the float. The cast
  // to write names the operand to convert when it is a name (u32(j), not a placeholder).
  static std::string convert_help(const Expr& a, const Expr& b) {
    const Type ta = a.type;
    const Type tb = b.type;
    auto spelled = [](const Expr& e, std::string_view fallback) {
      const bool named =
          e.kind == ExprKind::Local || e.kind == ExprKind::Param || e.kind == ExprKind::Size;
      return named && !e.name.empty() ? e.name : std::string(fallback);
    };
    if (is_integer(ta) && is_integer(tb)) {
      Type to = ta == Type::U32 || tb == Type::U32 ? Type::U32
                : bit_width(ta) >= bit_width(tb)   ? ta
                                                   : tb;
      if (bit_width(ta) != bit_width(tb)) to = bit_width(ta) > bit_width(tb) ? ta : tb;
      const Expr& from = to == ta ? b : a;
      return fmt::format(
          "both operands need one type: convert the {} one, e.g. {}({}) (ids, len() and "
          "indices are u32; vyre never converts implicitly)",
          type_name(from.type), type_name(to), spelled(from, "j"));
    }
    if (is_numeric(ta) && is_numeric(tb)) {
      const Type to = is_float(ta) ? ta : tb;
      const Expr& from = to == ta ? b : a;
      return fmt::format("both operands need one type: convert the {} one, e.g. {}({})",
                         type_name(from.type), type_name(to), spelled(from, "i"));
    }
    return "both operands need one type; convert one explicitly, e.g. u32(x)";
  }

  Type check_select(Expr& e, Type hint) {
    if (!arity(e, 3, "select(cond, a, b)")) return Type::Unknown;
    Type tc = check_expr(*e.args[0], Type::Bool);
    auto [ta, tb] = check_pair(*e.args[1], *e.args[2], hint);
    if (tc != Type::Unknown && tc != Type::Bool) {
      report(code::TypeMismatch, fmt::format("select condition has type {}", type_name(tc)),
             "the first operand of select must be a bool", e.args[0]->loc);
    }
    if (ta == Type::Unknown || tb == Type::Unknown) return Type::Unknown;
    if (ta != tb) {
      report(code::TypeMismatch,
             fmt::format("select arms have types {} and {}", type_name(ta), type_name(tb)),
             "both arms of select need one type", e.loc);
      return Type::Unknown;
    }
    return ta;
  }

  Type check_cast(Expr& e) {
    Type target = e.type;
    if (target == Type::Unknown || static_cast<int>(target) >= kTypeCount) {
      report(code::BadCast, "cast without a target type", "write TYPE(value), e.g. f32(i)", e.loc);
      return Type::Unknown;
    }
    if (!arity(e, 1, "cast")) return Type::Unknown;
    check_expr(*e.args[0], Type::Unknown);
    return target;
  }

  Type check_atomic(Expr& e) {
    auto op = static_cast<AtomicOp>(e.op);
    std::size_t want = op == AtomicOp::CompareExchange ? 3 : 2;
    std::string_view name = atomic_op_name(op);
    bool ok = resolve_memory(e.name, e.space, e.ref, e.loc, name);
    if (e.args.size() != want) {
      report(code::BadAtomic,
             fmt::format("{} takes {} operands after the memory, got {}", name, want - 1,
                         e.args.empty() ? 0 : e.args.size() - 1),
             op == AtomicOp::CompareExchange ? "write atomic_compare_exchange(m[i], expected, new)"
                                             : fmt::format("write {}(m[i], value)", name),
             e.loc);
      return Type::Unknown;
    }
    check_index(*e.args[0]);
    if (!ok) return Type::Unknown;
    Type element = element_of(e.space, e.ref);
    if (e.space == MemorySpace::Buffer && p_.buffers[e.ref].access != Access::ReadWrite) {
      bool read_only = p_.buffers[e.ref].access == Access::Read;
      report(read_only ? code::StoreToReadOnly : code::BadAtomic,
             fmt::format("{} on buffer `{}`, which is {}", name, e.name,
                         access_name(p_.buffers[e.ref].access)),
             fmt::format("declare `{}` as read_write", e.name), e.loc);
    }
    if (!is_integer(element)) {
      report(code::BadAtomic,
             fmt::format("{} on `{}` whose elements are {}", name, e.name, type_name(element)),
             "atomics need i32, u32, i64 or u64 elements", e.loc);
      return Type::Unknown;
    }
    for (std::size_t i = 1; i < e.args.size(); ++i) {
      Type t = check_expr(*e.args[i], element);
      if (t != Type::Unknown && t != element) {
        report(code::BadAtomic,
               fmt::format("{} operand has type {}, but `{}` holds {}", name, type_name(t), e.name,
                           type_name(element)),
               fmt::format("convert the operand: {}(value)", type_name(element)), e.args[i]->loc);
      }
    }
    return element;
  }

  Type check_call(Expr& e, Type hint) {
    const OpInfo* op = OpRegistry::global().find(e.name);
    if (op == nullptr) {
      for (auto& arg : e.args) check_expr(*arg, Type::Unknown);
      report(code::UnknownOp, fmt::format("`{}` is not a registered op", e.name),
             "`vyre ops` lists the ops with their signatures (docs/IR.md section 6.7)", e.loc);
      return Type::Unknown;
    }
    e.ref = op->id;
    std::string signature = describe(op->signature, op->name);
    if (e.args.size() != ir::arity(op->signature)) {
      for (auto& arg : e.args) check_expr(*arg, Type::Unknown);
      report(code::BadCallArity,
             fmt::format("`{}` takes {} argument(s), got {}", op->name, ir::arity(op->signature),
                         e.args.size()),
             "call it as " + signature, e.loc);
      return Type::Unknown;
    }
    // The first argument that is not an untyped literal decides the type; literals follow it.
    std::vector<bool> done(e.args.size(), false);
    Type t = hint;
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      if (!untyped(*e.args[i])) {
        t = check_expr(*e.args[i], Type::Unknown);
        done[i] = true;
        break;
      }
    }
    bool failed = false;
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      Type at = done[i] ? e.args[i]->type : check_expr(*e.args[i], t);
      if (t == Type::Unknown) t = at;
      if (at == Type::Unknown || at != t) failed = true;
    }
    if (failed || !accepts(op->signature, t)) {
      std::string got;
      for (auto& arg : e.args) {
        if (!got.empty()) got += ", ";
        got += type_name(arg->type);
      }
      report(code::BadCallArity, fmt::format("`{}` cannot take ({})", op->name, got),
             "call it as " + signature, e.loc);
      return Type::Unknown;
    }
    return t;
  }

  // ---- statements -----------------------------------------------------------------------------
  void check_block(std::vector<Stmt>& block, std::string_view label) {
    if (++block_depth_ > kMaxDepth) {
      --block_depth_;
      too_deep(block.empty() ? SourceLocation{} : block.front().loc);
      return;
    }
    push_scope();
    for (std::size_t i = 0; i < block.size(); ++i) {
      path_.push_back(fmt::format("{}[{}]", label, i));
      check_stmt(block[i]);
      path_.pop_back();
    }
    pop_scope();
    --block_depth_;
  }

  void expect_type(Type got, Type want, SourceLocation loc, std::string_view what) {
    if (got == Type::Unknown || want == Type::Unknown || got == want) return;
    report(code::TypeMismatch,
           fmt::format("{} has type {}, expected {}", what, type_name(got), type_name(want)),
           fmt::format("convert it explicitly: {}(...)", type_name(want)), loc);
  }

  bool need_exprs(Stmt& s, std::size_t n, std::string_view what) {
    if (s.exprs.size() == n && std::all_of(s.exprs.begin(), s.exprs.end(),
                                           [](const ExprPtr& e) { return e != nullptr; })) {
      return true;
    }
    report(code::TypeMismatch, fmt::format("malformed {} statement", what),
           "rebuild the statement with all its parts", s.loc);
    return false;
  }

  void check_stmt(Stmt& s) {
    switch (s.kind) {
      case StmtKind::Let:
      case StmtKind::Var: {
        if (!need_exprs(s, 1, "let")) return;
        Type declared = s.type_declared ? s.type : Type::Unknown;
        Type t = check_expr(*s.exprs[0], declared);
        if (s.type_declared) {
          expect_type(t, declared, s.exprs[0]->loc, fmt::format("the value of `{}`", s.name));
          t = declared;
        }
        s.type = t;
        s.ref = declare_local(s.name, t, s.kind == StmtKind::Var, s.loc);
        return;
      }
      case StmtKind::Assign: {
        if (!need_exprs(s, 1, "assignment")) return;
        auto local = find_local(s.name);
        Type want = Type::Unknown;
        if (!local) {
          auto g = globals_.find(s.name);
          if (g == globals_.end()) {
            report(code::UndefinedName, fmt::format("`{}` is not defined", s.name),
                   fmt::format("declare it first: var {} = ...", s.name), s.loc);
          } else {
            bool memory =
                g->second.kind == SymbolKind::Buffer || g->second.kind == SymbolKind::Shared;
            report(code::AssignToImmutable, fmt::format("cannot assign to `{}`", s.name),
                   memory ? fmt::format("store an element instead: {}[i] = value", s.name)
                   : g->second.kind == SymbolKind::Const
                       ? fmt::format("a const never changes; copy it into a var to change the "
                                     "copy: var {0}_now = {0}",
                                     s.name)
                       : "params and size symbols are read-only; copy into a var",
                   s.loc);
          }
        } else {
          s.ref = local->slot;
          want = p_.local_types[local->slot];
          if (!local->mutable_) {
            report(code::AssignToImmutable, fmt::format("`{}` is immutable", s.name),
                   fmt::format("declare it with `var {} = ...` to assign it later", s.name), s.loc)
                .note("declared here", local->loc);
          }
        }
        Type t = check_expr(*s.exprs[0], want);
        expect_type(t, want, s.exprs[0]->loc, fmt::format("the value assigned to `{}`", s.name));
        return;
      }
      case StmtKind::Store: {
        if (!need_exprs(s, 2, "store")) return;
        bool ok = resolve_memory(s.name, s.space, s.ref, s.loc, "stores");
        check_index(*s.exprs[0]);
        Type element = ok ? element_of(s.space, s.ref) : Type::Unknown;
        Type t = check_expr(*s.exprs[1], element);
        if (!ok) return;
        if (s.space == MemorySpace::Buffer && !can_write(p_.buffers[s.ref].access)) {
          report(code::StoreToReadOnly,
                 fmt::format("store to buffer `{}`, which is read-only", s.name),
                 fmt::format("declare `{}` as write or read_write", s.name), s.loc)
              .note("declared here", p_.buffers[s.ref].loc);
        }
        expect_type(t, element, s.exprs[1]->loc, fmt::format("the value stored to `{}`", s.name));
        return;
      }
      case StmtKind::If: {
        if (!need_exprs(s, 1, "if")) return;
        expect_type(check_expr(*s.exprs[0], Type::Bool), Type::Bool, s.exprs[0]->loc,
                    "the condition");
        check_block(s.body, "then");
        check_block(s.orelse, "else");
        return;
      }
      case StmtKind::For: {
        if (!need_exprs(s, 2, "for")) return;
        auto [tb, te] = check_pair(*s.exprs[0], *s.exprs[1], Type::Unknown);
        if (tb != Type::Unknown && te != Type::Unknown && (tb != te || !is_integer(tb))) {
          report(code::TypeMismatch,
                 fmt::format("for range bounds have types {} and {}", type_name(tb), type_name(te)),
                 "both bounds need one integer type, e.g. 0u..n", s.loc);
        }
        if (s.step == 0) {
          report(code::UnboundedLoop, "for loop with step 0 never ends",
                 "use a positive step, e.g. step 1", s.loc);
        }
        push_scope();
        s.type = tb;
        s.ref = declare_local(s.name, tb, false, s.loc);
        ++loop_depth_;
        check_block(s.body, "for");
        --loop_depth_;
        pop_scope();
        return;
      }
      case StmtKind::While: {
        if (!need_exprs(s, 1, "while")) return;
        expect_type(check_expr(*s.exprs[0], Type::Bool), Type::Bool, s.exprs[0]->loc,
                    "the loop condition");
        if (s.max_iterations == 0) {
          report(code::UnboundedLoop, "while loop without an iteration cap",
                 "state a cap: while cond max 1000 { ... }", s.loc);
        } else if (s.max_iterations > kMaxLoopCap) {
          report(code::LoopCapTooLarge,
                 fmt::format("while loop cap {} is over the maximum of {}", s.max_iterations,
                             kMaxLoopCap),
                 "state the most iterations the loop really needs (at most 4294967295)", s.loc);
        }
        s.ref = ++while_loops_;  // the loop's id in the loop status buffer (loop_status.h)
        ++loop_depth_;
        check_block(s.body, "while");
        --loop_depth_;
        return;
      }
      case StmtKind::Break:
      case StmtKind::Continue:
        if (loop_depth_ == 0) {
          report(
              code::BreakOutsideLoop,
              fmt::format("`{}` outside a loop", s.kind == StmtKind::Break ? "break" : "continue"),
              "use return to end the invocation, or move it into a loop", s.loc);
        }
        return;
      case StmtKind::Barrier:
      case StmtKind::Return:
        return;
      case StmtKind::Eval:
        if (!need_exprs(s, 1, "expression")) return;
        {
          const bool starts_with_operator = s.exprs[0]->kind == ExprKind::Unary;
          if (check_expr(*s.exprs[0], Type::Unknown) != Type::Unknown && !has_atomic(*s.exprs[0])) {
            no_effect(s, starts_with_operator);
          }
        }
        return;
    }
  }

  static bool has_atomic(const Expr& e) {
    if (e.kind == ExprKind::Atomic) return true;
    return std::any_of(e.args.begin(), e.args.end(),
                       [](const ExprPtr& arg) { return arg && has_atomic(*arg); });
  }

  // An expression statement whose value is dropped and that changes nothing: most often the
  // second half of an expression broken before its operator (`let d = a[i]` / `- b[i]`).
  void no_effect(const Stmt& s, bool starts_with_operator) {
    const Expr& e = *s.exprs[0];
    std::string help = "store or assign the value, or remove the line";
    if (starts_with_operator) {
      help =
          "a line break ends a statement, so this line is a statement of its own; to continue "
          "the previous line, end that line with the operator (`a[i] -`, then `b[i]`)";
    } else if (e.kind == ExprKind::Binary && static_cast<BinaryOp>(e.op) == BinaryOp::Eq) {
      help = "`==` compares; to assign, write `=` (x = value, m[i] = value)";
    }
    report(code::NoEffect, "this statement computes a value and discards it: it has no effect",
           std::move(help), s.loc);
  }

  ProgramData& p_;
  const CheckOptions& opt_;
  std::vector<Diagnostic> diags_;
  std::unordered_map<std::string, Symbol> globals_;
  std::unordered_map<std::string, Local> locals_;
  std::vector<std::vector<std::string>> scopes_;
  std::vector<std::string> path_;
  int loop_depth_ = 0;
  std::uint32_t while_loops_ = 0;
  static constexpr int kMaxDepth = 256;
  int expr_depth_ = 0;   // expressions and blocks nest at most kMaxDepth deep each, as in
  int block_depth_ = 0;  // the text format and the binary encoding
  bool reported_depth_ = false;
};

}  // namespace

namespace {

// Gives a program with while loops its loop status buffer (loop_status.h), after every other
// buffer; one already there (a decoded or re-checked program) is dropped first, so checking twice
// gives the same program.
void drop_loop_status_buffer(ProgramData& p) {
  std::erase_if(p.buffers, [](const BufferDecl& b) { return is_loop_status_buffer(b); });
}

std::optional<Diagnostic> add_loop_status_buffer(ProgramData& p, const CheckOptions& options) {
  if (capped_loops(p).empty()) return std::nullopt;
  std::uint64_t slot = 0;
  for (const BufferDecl& b : p.buffers) slot = std::max<std::uint64_t>(slot, b.binding + 1ULL);
  if (slot > UINT32_MAX) {
    Diagnostic d = Diagnostic::error(
        code::DuplicateBinding,
        "a buffer uses binding 4294967295, which leaves no slot for the loop status buffer",
        "use smaller binding numbers in a kernel with while loops");
    d.file = options.file;
    return d;
  }
  BufferDecl status;
  status.name = std::string(kLoopStatusBuffer);
  status.binding = static_cast<std::uint32_t>(slot);
  status.access = Access::ReadWrite;
  status.element = Type::U32;
  status.count = SizeExpr{1, {}};
  status.loc = p.loc;
  p.buffers.push_back(std::move(status));
  return std::nullopt;
}

}  // namespace

Result<Program> check(ProgramData draft, const CheckOptions& options) {
  drop_loop_status_buffer(draft);
  std::vector<Diagnostic> diags = Checker(draft, options).run();
  if (diags.empty()) {
    if (auto error = add_loop_status_buffer(draft, options)) diags.push_back(std::move(*error));
  }
  if (!diags.empty()) {
    Diagnostic first = std::move(diags.front());
    for (std::size_t i = 1; i < diags.size(); ++i) first.more.push_back(std::move(diags[i]));
    return first;
  }
  auto cell = std::make_shared<Program::Cell>();
  cell->data = std::move(draft);
  cell->digest = compute_program_digest(cell->data);
  return Program(std::move(cell));
}

}  // namespace vyre::ir
