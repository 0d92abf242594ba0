// The Program IR's node types. A Program (program.h) owns a tree of these; they are mutable only
// while a program is being built or checked, and frozen once a Program exists.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vyre/diag/diagnostic.h"
#include "vyre/ir/types.h"

namespace vyre::ir {

enum class ExprKind : std::uint8_t {
  Literal,  // bits + type
  Local,    // a let/var/for name; ref = local slot
  Param,    // ref = index into params
  Size,     // a size symbol read as u32; ref = index into size_symbols
  Builtin,  // op = Builtin, component = 0..2 (.x .y .z); type u32
  Load,     // memory[args[0]]; space + ref name the memory
  Len,      // len(memory) as u32 (buffers: bound length; shared: fixed count)
  Unary,    // op = UnaryOp, args[0]
  Binary,   // op = BinaryOp, args[0], args[1]
  Select,   // select(args[0]: bool, args[1], args[2])
  Cast,     // type(args[0]); the target type is `type`
  Atomic,   // op = AtomicOp on memory[args[0]] with args[1] (and args[2] for compare_exchange)
  Call,     // a registered op; name = op name, ref = op id in the op registry
};

enum class Builtin : std::uint8_t { GlobalId, LocalId, GroupId, NumGroups, GroupSize };
enum class UnaryOp : std::uint8_t { Neg, Not, BitNot };  // -x, !x (bool), ~x (integers)
enum class BinaryOp : std::uint8_t {
  Add,
  Sub,
  Mul,
  Div,
  Rem,
  BitAnd,
  BitOr,
  BitXor,
  Shl,
  Shr,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  LogicalAnd,
  LogicalOr,
};
enum class AtomicOp : std::uint8_t { Add, Min, Max, And, Or, Xor, Exchange, CompareExchange };
enum class MemorySpace : std::uint8_t { Buffer, Shared };

// Literal spelling before checking: a suffix-less integer or float literal takes its type from
// context (default i32 / f32). After checking every literal is Typed.
enum class LiteralForm : std::uint8_t { Typed, UntypedInt, UntypedFloat };

std::string_view builtin_name(Builtin b);        // "global_id"
std::string_view unary_op_symbol(UnaryOp op);    // "-"
std::string_view binary_op_symbol(BinaryOp op);  // "+"
std::string_view atomic_op_name(AtomicOp op);    // "atomic_add"

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::Literal;
  Type type = Type::Unknown;   // result type; set by the checker
  std::uint8_t op = 0;         // UnaryOp / BinaryOp / AtomicOp / Builtin / LiteralForm, by kind
  std::uint8_t component = 0;  // Builtin: 0 = x, 1 = y, 2 = z
  MemorySpace space = MemorySpace::Buffer;  // Load / Len / Atomic
  std::uint32_t ref = 0;   // resolved index, by kind (see ExprKind); set by the checker
  std::uint64_t bits = 0;  // Literal: the value's bit pattern, zero-extended (f32 in low 32)
  std::string name;        // the source name of a Local/Param/Size/memory, or the op name
  std::vector<ExprPtr> args;
  SourceLocation loc;

  ExprPtr clone() const;
};

// Structural equality: kinds, types, ops, refs, bits, names and children. Locations are ignored.
bool operator==(const Expr& a, const Expr& b);

enum class StmtKind : std::uint8_t {
  Let,     // let name[: type] = exprs[0]           (immutable)
  Var,     // var name[: type] = exprs[0]           (mutable)
  Assign,  // name = exprs[0]
  Store,   // memory[exprs[0]] = exprs[1]
  If,      // if exprs[0] { body } else { orelse }
  For,     // for name in exprs[0] .. exprs[1] step `step` { body }   (end exclusive)
  While,   // while exprs[0] max `max_iterations` { body }
  Break,
  Continue,
  Barrier,  // workgroup barrier (memory fence on shared and buffer memory)
  Return,   // ends this invocation
  Eval,     // exprs[0] evaluated for its effect (an atomic whose result is unused)
};

struct Stmt {
  StmtKind kind = StmtKind::Barrier;
  std::string name;       // Let/Var/Assign/For: the local; Store: the memory
  std::uint32_t ref = 0;  // local slot, or memory index for Store; set by the checker
  MemorySpace space = MemorySpace::Buffer;  // Store
  Type type = Type::Unknown;                // Let/Var/For: the local's type (declared, or inferred)
  bool type_declared = false;               // Let/Var: the source wrote `: type`
  std::uint64_t step = 1;                   // For
  std::uint64_t max_iterations = 0;         // While: the cap; 0 = none given (a validation error)
  std::vector<ExprPtr> exprs;
  std::vector<Stmt> body;
  std::vector<Stmt> orelse;
  SourceLocation loc;

  Stmt clone() const;
};

bool operator==(const Stmt& a, const Stmt& b);

struct ParamDecl {
  std::string name;
  Type type = Type::Unknown;
  SourceLocation loc;
  friend bool operator==(const ParamDecl& a, const ParamDecl& b) {
    return a.name == b.name && a.type == b.type;
  }
};

struct BufferDecl {
  std::string name;
  std::uint32_t binding = 0;
  Access access = Access::Read;
  Type element = Type::Unknown;
  SizeExpr count;
  SourceLocation loc;
  friend bool operator==(const BufferDecl& a, const BufferDecl& b) {
    return a.name == b.name && a.binding == b.binding && a.access == b.access &&
           a.element == b.element && a.count == b.count;
  }
};

struct SharedDecl {
  std::string name;
  Type element = Type::Unknown;
  std::uint64_t count = 0;
  SourceLocation loc;
  friend bool operator==(const SharedDecl& a, const SharedDecl& b) {
    return a.name == b.name && a.element == b.element && a.count == b.count;
  }
};

// A named constant, `const NAME[: TYPE] = literal`: each use is a copy of the literal (typed by
// its context like any literal when no TYPE is given) that keeps the constant's name in
// Expr::name, so the printer writes the name back. Constants change no generated code, so the
// encoding and digest leave them out.
struct ConstDecl {
  std::string name;
  ExprPtr value;              // a Literal, or a unary `-` applied to one
  Type type = Type::Unknown;  // the declared type; Unknown = from each use's context
  SourceLocation loc;
  ConstDecl clone() const;
};
bool operator==(const ConstDecl& a, const ConstDecl& b);

// Everything a kernel is. Built by the parser, the builder or the decoder, then checked into an
// immutable Program.
struct ProgramData {
  std::string name;
  std::array<std::uint32_t, 3> workgroup{1, 1, 1};
  // Threads to launch per dimension; empty = derived from the first writable buffer's count.
  std::vector<SizeExpr> dispatch;
  std::vector<ParamDecl> params;
  std::vector<BufferDecl> buffers;
  std::vector<SharedDecl> shared;
  std::vector<ConstDecl> constants;
  std::vector<std::string> size_symbols;  // in first-appearance order; set by the checker
  std::vector<Stmt> body;
  // Locals by slot, in declaration order; set by the checker.
  std::vector<std::string> local_names;
  std::vector<Type> local_types;
  SourceLocation loc;

  ProgramData clone() const;
};

// Structural equality of whole programs (names included, locations ignored).
bool operator==(const ProgramData& a, const ProgramData& b);

}  // namespace vyre::ir
