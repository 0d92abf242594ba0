// KernelBuilder: writing a Program in C++. Expressions are `Value`s combined with ordinary C++
// operators; statements are appended by the builder, with nested blocks given as lambdas:
//
//   using namespace vyre::ir::dsl;
//   KernelBuilder k("saxpy", {256});
//   auto a = k.param("a", Type::F32);
//   auto x = k.buffer("x", Access::Read, Type::F32, "n");
//   auto y = k.buffer("y", Access::ReadWrite, Type::F32, "n");
//   auto i = k.let("i", global_id_x());
//   k.if_(i < len(y), [&] { k.store(y, i, a * x[i] + y[i]); });
//   Result<Program> p = k.finish();  // check() runs here
//
// The builder produces the same unresolved tree the text parser does: every named value is an
// ExprKind::Local carrying its name, memory accesses carry the memory's name, and types are left
// Unknown where check() infers them. C++ `int` and `double` constants become untyped literals
// (their type comes from context, as `3` and `1.5` do in the text format); other C++ arithmetic
// types become typed literals (3u -> u32, 1.5f -> f32, std::int64_t -> i64, true -> bool).
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/ir/ast.h"
#include "vyre/ir/program.h"

namespace vyre::ir::dsl {

using vyre::Result;
using vyre::ir::Access;
using vyre::ir::AtomicOp;
using vyre::ir::BinaryOp;
using vyre::ir::Builtin;
using vyre::ir::CheckOptions;
using vyre::ir::MemorySpace;
using vyre::ir::Program;
using vyre::ir::ProgramData;
using vyre::ir::SizeExpr;
using vyre::ir::Type;
using vyre::ir::UnaryOp;

// An expression handle. Cheap to copy (the tree is shared and immutable); combining Values
// copies the operands into the new node.
class Value {
 public:
  explicit Value(ExprPtr expr);
  // Untyped literals: their type comes from context (default i32 / f32).
  Value(int value);     // NOLINT(google-explicit-constructor)
  Value(double value);  // NOLINT(google-explicit-constructor)
  // Typed literals.
  Value(unsigned value);            // NOLINT u32
  Value(float value);               // NOLINT f32
  Value(long value);                // NOLINT i64
  Value(long long value);           // NOLINT i64
  Value(unsigned long value);       // NOLINT u64
  Value(unsigned long long value);  // NOLINT u64
  template <class T>
  requires std::same_as<T, bool> Value(T value)
      : Value(make_bool(value)) {}  // NOLINT bool; no pointer-to-bool surprises

  const Expr& expr() const { return *expr_; }
  // A fresh deep copy of the tree, for putting into a statement or another node.
  ExprPtr clone() const { return expr_->clone(); }

 private:
  static Value make_bool(bool value);
  std::shared_ptr<const Expr> expr_;
};

// A buffer or shared array: index it to load (`x[i]`), pass it to len(), store() and atomics.
class Memory {
 public:
  Memory(std::string name, MemorySpace space, Type element)
      : name_(std::move(name)), space_(space), element_(element) {}
  const std::string& name() const { return name_; }
  MemorySpace space() const { return space_; }
  Type element() const { return element_; }
  Value operator[](const Value& index) const;

 private:
  std::string name_;
  MemorySpace space_;
  Type element_;
};

// An element count written the short way: "n", 1024, or a full SizeExpr such as {4, {"n"}}.
class Extent {
 public:
  Extent(SizeExpr size) : size_(std::move(size)) {}                     // NOLINT implicit
  Extent(std::string_view symbol) : size_{1, {std::string(symbol)}} {}  // NOLINT implicit
  Extent(const char* symbol) : Extent(std::string_view(symbol)) {}
  Extent(const std::string& symbol)
      : Extent(std::string_view(symbol)) {}  // NOLINT implicit      // NOLINT implicit
  template <std::integral T>
  Extent(T count) : size_{checked(count), {}} {}  // NOLINT implicit
  const SizeExpr& size() const { return size_; }

 private:
  template <std::integral T>
  static std::uint64_t checked(T count) {
    if constexpr (std::is_signed_v<T>) {
      if (count < 0) throw_negative();
    }
    return static_cast<std::uint64_t>(count);
  }
  [[noreturn]] static void throw_negative();
  SizeExpr size_;
};

struct Workgroup {
  std::uint32_t x = 1;
  std::uint32_t y = 1;
  std::uint32_t z = 1;
};

class KernelBuilder;

// Returned by if_(): lets `.else_if(...)` and `.else_(...)` follow directly.
class IfChain {
 public:
  IfChain else_if(const Value& condition, const std::function<void()>& then);
  void else_(const std::function<void()>& otherwise);

 private:
  friend class KernelBuilder;
  IfChain(KernelBuilder* builder, std::vector<Stmt>* block, std::size_t index)
      : builder_(builder), block_(block), index_(index) {}
  KernelBuilder* builder_;
  std::vector<Stmt>* block_;
  std::size_t index_;
};

class KernelBuilder {
 public:
  explicit KernelBuilder(std::string name, Workgroup workgroup = {});
  KernelBuilder(const KernelBuilder&) = delete;
  KernelBuilder& operator=(const KernelBuilder&) = delete;

  // ---- header and declarations ----
  KernelBuilder& workgroup(std::uint32_t x, std::uint32_t y = 1, std::uint32_t z = 1);
  // Threads per dimension (one to three sizes); without it the grid follows the first
  // writable buffer's count.
  KernelBuilder& dispatch(std::initializer_list<Extent> dims);
  Value param(std::string name, Type type);
  // Bindings default to one more than the highest binding used so far (0 for the first).
  Memory buffer(std::string name, Access access, Type element, Extent count,
                std::optional<std::uint32_t> binding = std::nullopt);
  Memory shared(std::string name, Type element, std::uint64_t count);
  // A size symbol ("n") read as a u32 value. It must appear in some buffer count or dispatch.
  Value size(std::string name);

  // ---- statements ----
  Value let(std::string name, const Value& init);
  Value let(std::string name, Type type, const Value& init);
  Value var(std::string name, const Value& init);
  Value var(std::string name, Type type, const Value& init);
  void assign(const Value& local, const Value& value);  // `local` as returned by var()
  void assign(std::string name, const Value& value);
  void store(const Memory& memory, const Value& index, const Value& value);
  IfChain if_(const Value& condition, const std::function<void()>& then);
  IfChain if_(const Value& condition, const std::function<void()>& then,
              const std::function<void()>& otherwise);
  // for name in start .. end step `step` { body(name) }; end exclusive.
  void for_(std::string name, const Value& start, const Value& end,
            const std::function<void(Value)>& body);
  void for_(std::string name, const Value& start, const Value& end, std::uint64_t step,
            const std::function<void(Value)>& body);
  // while condition max `max_iterations` { body }
  void while_(const Value& condition, std::uint64_t max_iterations,
              const std::function<void()>& body);
  void break_();
  void continue_();
  void barrier();
  void return_();
  void eval(const Value& value);  // e.g. an atomic whose result is unused

  // ---- results ----
  // The program as built so far, unchecked (names unresolved). Leaves the builder usable.
  ProgramData draft() const;
  // draft() passed through check().
  Result<Program> finish(const CheckOptions& options = {}) const;

 private:
  friend class IfChain;
  Stmt& append(Stmt stmt);
  void build_block(std::vector<Stmt>& into, const std::function<void()>& fill);
  Value declare(StmtKind kind, std::string name, std::optional<Type> type, const Value& init);

  ProgramData data_;
  std::vector<Stmt>* current_;
  std::uint32_t next_binding_ = 0;
};

// ---- literals ----
Value lit_bool(bool value);
Value lit_i32(std::int32_t value);
Value lit_u32(std::uint32_t value);
Value lit_i64(std::int64_t value);
Value lit_u64(std::uint64_t value);
Value lit_f32(float value);
Value lit_f64(double value);
Value lit_int(std::int64_t value);  // untyped integer literal (like `3` in text)
Value lit_float(double value);      // untyped float literal (like `1.5` in text)

// ---- names and builtins ----
// Any declared value by name (local, param or size symbol), as the text format would write it.
Value named(std::string name);
Value builtin(Builtin which, unsigned component);
Value global_id(unsigned component);
Value local_id(unsigned component);
Value group_id(unsigned component);
Value num_groups(unsigned component);
Value group_size(unsigned component);
Value global_id_x();
Value global_id_y();
Value global_id_z();
Value local_id_x();
Value local_id_y();
Value local_id_z();
Value group_id_x();
Value group_id_y();
Value group_id_z();
Value num_groups_x();
Value num_groups_y();
Value num_groups_z();
Value group_size_x();
Value group_size_y();
Value group_size_z();

// ---- memory ----
Value load(const Memory& memory, const Value& index);
Value len(const Memory& memory);

// ---- operators ----
Value unary(UnaryOp op, const Value& a);
Value binary(BinaryOp op, const Value& a, const Value& b);
Value neg(const Value& a);
Value logical_not(const Value& a);
Value bit_not(const Value& a);
Value add(const Value& a, const Value& b);
Value sub(const Value& a, const Value& b);
Value mul(const Value& a, const Value& b);
Value div(const Value& a, const Value& b);
Value rem(const Value& a, const Value& b);
Value bit_and(const Value& a, const Value& b);
Value bit_or(const Value& a, const Value& b);
Value bit_xor(const Value& a, const Value& b);
Value shl(const Value& a, const Value& b);
Value shr(const Value& a, const Value& b);
Value eq(const Value& a, const Value& b);
Value ne(const Value& a, const Value& b);
Value lt(const Value& a, const Value& b);
Value le(const Value& a, const Value& b);
Value gt(const Value& a, const Value& b);
Value ge(const Value& a, const Value& b);
Value logical_and(const Value& a, const Value& b);
Value logical_or(const Value& a, const Value& b);

// Operators build nodes; they do not evaluate. `&&` and `||` build LogicalAnd / LogicalOr
// (both operands are always part of the tree; the IR defines their evaluation).
inline Value operator-(const Value& a) {
  return neg(a);
}
inline Value operator!(const Value& a) {
  return logical_not(a);
}
inline Value operator~(const Value& a) {
  return bit_not(a);
}
inline Value operator+(const Value& a, const Value& b) {
  return add(a, b);
}
inline Value operator-(const Value& a, const Value& b) {
  return sub(a, b);
}
inline Value operator*(const Value& a, const Value& b) {
  return mul(a, b);
}
inline Value operator/(const Value& a, const Value& b) {
  return div(a, b);
}
inline Value operator%(const Value& a, const Value& b) {
  return rem(a, b);
}
inline Value operator&(const Value& a, const Value& b) {
  return bit_and(a, b);
}
inline Value operator|(const Value& a, const Value& b) {
  return bit_or(a, b);
}
inline Value operator^(const Value& a, const Value& b) {
  return bit_xor(a, b);
}
inline Value operator<<(const Value& a, const Value& b) {
  return shl(a, b);
}
inline Value operator>>(const Value& a, const Value& b) {
  return shr(a, b);
}
inline Value operator==(const Value& a, const Value& b) {
  return eq(a, b);
}
inline Value operator!=(const Value& a, const Value& b) {
  return ne(a, b);
}
inline Value operator<(const Value& a, const Value& b) {
  return lt(a, b);
}
inline Value operator<=(const Value& a, const Value& b) {
  return le(a, b);
}
inline Value operator>(const Value& a, const Value& b) {
  return gt(a, b);
}
inline Value operator>=(const Value& a, const Value& b) {
  return ge(a, b);
}
inline Value operator&&(const Value& a, const Value& b) {
  return logical_and(a, b);
}
inline Value operator||(const Value& a, const Value& b) {
  return logical_or(a, b);
}

Value select(const Value& condition, const Value& if_true, const Value& if_false);
Value cast(Type to, const Value& value);

// ---- atomics (on memory[index]; they return the old value) ----
Value atomic(AtomicOp op, const Memory& memory, const Value& index, const Value& operand);
Value atomic_add(const Memory& memory, const Value& index, const Value& operand);
Value atomic_min(const Memory& memory, const Value& index, const Value& operand);
Value atomic_max(const Memory& memory, const Value& index, const Value& operand);
Value atomic_and(const Memory& memory, const Value& index, const Value& operand);
Value atomic_or(const Memory& memory, const Value& index, const Value& operand);
Value atomic_xor(const Memory& memory, const Value& index, const Value& operand);
Value atomic_exchange(const Memory& memory, const Value& index, const Value& operand);
Value atomic_compare_exchange(const Memory& memory, const Value& index, const Value& expected,
                              const Value& desired);

// ---- calls of registered ops (ops.h), by name ----
Value call(std::string op, std::vector<Value> args);
template <class... Args>
Value call(std::string op, const Args&... args) {
  return call(std::move(op), std::vector<Value>{Value(args)...});
}
Value sqrt(const Value& x);
Value exp(const Value& x);
Value exp2(const Value& x);
Value log(const Value& x);
Value log2(const Value& x);
Value sin(const Value& x);
Value cos(const Value& x);
Value tan(const Value& x);
Value pow(const Value& x, const Value& y);
Value fma(const Value& x, const Value& y, const Value& z);
Value floor(const Value& x);
Value ceil(const Value& x);
Value trunc(const Value& x);
Value round(const Value& x);
Value abs(const Value& x);
Value min(const Value& x, const Value& y);
Value max(const Value& x, const Value& y);
Value clamp(const Value& x, const Value& lo, const Value& hi);
Value popcount(const Value& x);
Value clz(const Value& x);
Value ctz(const Value& x);

}  // namespace vyre::ir::dsl
