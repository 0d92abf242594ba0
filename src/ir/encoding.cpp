// The canonical binary encoding of a Program, its decoder, and the program digest.
//
// Format, version 1 (docs/ENCODING.md has the same table with examples). All integers are
// unsigned LEB128 ("uleb", minimal: an over-long encoding is rejected) unless stated; "u8" is
// one byte; a "str" is a uleb byte length followed by that many bytes. [F] marks a field only
// the Full mode writes, [N] one only the Normalised mode writes.
//
//   program   := "VYIR" version:u32 (4 bytes, little-endian) mode:u8 (0 Full, 1 Normalised)
//                [F] kernel-name:str
//                workgroup:uleb*3
//                [N] size-symbol-count:uleb
//                dispatch-count:uleb size*
//                param-count:uleb    ([F] name:str) type:u8
//                buffer-count:uleb   ([F] name:str) binding:uleb access:u8 element:u8 size
//                shared-count:uleb   ([F] name:str) element:u8 count:uleb
//                [N] local-count:uleb local-type:u8*
//                body:block
//   size      := constant:uleb symbol-count:uleb ([F] name:str | [N] size-symbol-index:uleb)*
//   block     := stmt-count:uleb stmt*
//   stmt      := kind:u8 (StmtKind) then, by kind:
//                Let, Var   local [F] declared:u8 (0|1) [type:u8 if declared] expr
//                Assign     local expr            Store   memory expr(index) expr(value)
//                If         expr block block      For     local expr expr step:uleb block
//                While      expr cap:uleb block   Eval    expr
//                Break, Continue, Barrier, Return: nothing
//   local     := [F] name:str | [N] slot:uleb
//   memory    := [F] name:str | [N] space:u8 (MemorySpace) index:uleb
//   expr      := kind:u8 (ExprKind) then, by kind:
//                Literal    type:u8 bits (1 byte for bool, 4 for 32-bit types, 8 for 64-bit;
//                           little-endian; the checked bit pattern)
//                Local, Param, Size   [F] name:str (written with the Local tag) | [N] index:uleb
//                Builtin    builtin:u8 component:u8     Load    memory expr
//                Len        memory                      Unary   op:u8 expr
//                Binary     op:u8 expr expr             Select  expr expr expr
//                Cast       type:u8 expr                Atomic  op:u8 memory expr expr [expr]
//                Call       op-name:str arg-count:uleb expr*
//
// Full mode carries exactly what the parser or builder would produce (names, declared types,
// literals, cast targets), so decoding is "rebuild the draft, then check()". Everything check()
// derives (refs, expression types, size_symbols, local tables) is recomputed, never trusted.
// Normalised mode replaces every name by the index check() resolved it to and drops the kernel
// name and locations; it is the input of the digest. It also decodes (with synthesised names
// p0, b0, s0, n0, v0), which keeps it inspectable and fuzzable.
//
// Decoder limits: every count is bounded by the bytes left (each element takes at least one
// byte), nothing is allocated from an unchecked length, and statements plus expressions nest at
// most kMaxNesting deep.
#include "vyre/ir/encoding.h"

#include <algorithm>
#include <string>

#include "ir/encoding_draft.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/loop_status.h"

namespace vyre::ir {

namespace {

constexpr std::uint8_t kMagic[4] = {'V', 'Y', 'I', 'R'};
// Blocks and expressions each nest at most 256 deep in a checked program; together 512.
constexpr int kMaxNesting = 2 * 256 + 8;
const HashDomain kDigestDomain{"vyre program digest v1"};

unsigned literal_bytes(Type type) {
  switch (type) {
    case Type::Bool:
      return 1;
    case Type::I32:
    case Type::U32:
    case Type::F32:
      return 4;
    default:
      return 8;
  }
}

// How many operands an expression kind has in the encoding; Call and Atomic are variable.
std::size_t fixed_arity(ExprKind kind) {
  switch (kind) {
    case ExprKind::Load:
    case ExprKind::Unary:
    case ExprKind::Cast:
      return 1;
    case ExprKind::Binary:
      return 2;
    case ExprKind::Select:
      return 3;
    default:
      return 0;
  }
}

std::size_t stmt_arity(StmtKind kind) {
  switch (kind) {
    case StmtKind::Let:
    case StmtKind::Var:
    case StmtKind::Assign:
    case StmtKind::If:
    case StmtKind::While:
    case StmtKind::Eval:
      return 1;
    case StmtKind::Store:
    case StmtKind::For:
      return 2;
    default:
      return 0;
  }
}

// ---- writer -------------------------------------------------------------------------------------

class Writer {
 public:
  Writer(const ProgramData& program, EncodingMode mode) : p_(program), mode_(mode) {}

  std::vector<std::uint8_t> run() {
    out_.reserve(256);
    for (std::uint8_t byte : kMagic) u8(byte);
    fixed(kEncodingVersion, 4);
    u8(static_cast<std::uint8_t>(mode_));
    if (full()) str(p_.name);
    for (std::uint32_t v : p_.workgroup) uleb(v);
    if (!full()) uleb(p_.size_symbols.size());
    uleb(p_.dispatch.size());
    for (const SizeExpr& size : p_.dispatch) size_expr(size);
    uleb(p_.params.size());
    for (const ParamDecl& param : p_.params) {
      if (full()) str(param.name);
      type(param.type);
    }
    // The loop status buffer is left out: check() derives it from the while loops (the last
    // binding), so the decoded program gets it back and the digest already depends on it.
    uleb(std::count_if(p_.buffers.begin(), p_.buffers.end(),
                       [](const BufferDecl& b) { return !is_loop_status_buffer(b); }));
    for (const BufferDecl& buffer : p_.buffers) {
      if (is_loop_status_buffer(buffer)) continue;
      if (full()) str(buffer.name);
      uleb(buffer.binding);
      u8(static_cast<std::uint8_t>(buffer.access));
      type(buffer.element);
      size_expr(buffer.count);
    }
    uleb(p_.shared.size());
    for (const SharedDecl& shared : p_.shared) {
      if (full()) str(shared.name);
      type(shared.element);
      uleb(shared.count);
    }
    if (!full()) {
      uleb(p_.local_types.size());
      for (Type t : p_.local_types) type(t);
    }
    block(p_.body);
    return std::move(out_);
  }

 private:
  bool full() const { return mode_ == EncodingMode::Full; }

  void u8(std::uint8_t v) { out_.push_back(v); }
  void type(Type t) { u8(static_cast<std::uint8_t>(t)); }
  void fixed(std::uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void uleb(std::uint64_t v) {
    do {
      std::uint8_t byte = v & 0x7F;
      v >>= 7;
      out_.push_back(v != 0 ? (byte | 0x80) : byte);
    } while (v != 0);
  }
  void str(std::string_view s) {
    uleb(s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }

  // Normalised: a size symbol's index in size_symbols (first-appearance order).
  std::uint64_t symbol_index(const std::string& symbol) const {
    for (std::size_t i = 0; i < p_.size_symbols.size(); ++i) {
      if (p_.size_symbols[i] == symbol) return i;
    }
    return p_.size_symbols.size();  // unreachable for a checked program
  }

  void size_expr(const SizeExpr& size) {
    uleb(size.constant);
    uleb(size.symbols.size());
    for (const std::string& symbol : size.symbols) {
      if (full()) {
        str(symbol);
      } else {
        uleb(symbol_index(symbol));
      }
    }
  }

  void local(const std::string& name, std::uint32_t slot) {
    if (full()) {
      str(name);
    } else {
      uleb(slot);
    }
  }

  void memory(const std::string& name, MemorySpace space, std::uint32_t index) {
    if (full()) {
      str(name);
    } else {
      u8(static_cast<std::uint8_t>(space));
      uleb(index);
    }
  }

  void block(const std::vector<Stmt>& stmts) {
    uleb(stmts.size());
    for (const Stmt& s : stmts) stmt(s);
  }

  void exprs(const std::vector<ExprPtr>& list, std::size_t from, std::size_t count) {
    for (std::size_t i = from; i < from + count && i < list.size(); ++i) expr(*list[i]);
  }

  void stmt(const Stmt& s) {
    u8(static_cast<std::uint8_t>(s.kind));
    switch (s.kind) {
      case StmtKind::Let:
      case StmtKind::Var:
        local(s.name, s.ref);
        if (full()) {
          u8(s.type_declared ? 1 : 0);
          if (s.type_declared) type(s.type);
        }
        break;
      case StmtKind::Assign:
      case StmtKind::For:
        local(s.name, s.ref);
        break;
      case StmtKind::Store:
        memory(s.name, s.space, s.ref);
        break;
      default:
        break;
    }
    exprs(s.exprs, 0, stmt_arity(s.kind));
    switch (s.kind) {
      case StmtKind::If:
        block(s.body);
        block(s.orelse);
        break;
      case StmtKind::For:
        uleb(s.step);
        block(s.body);
        break;
      case StmtKind::While:
        uleb(s.max_iterations);
        block(s.body);
        break;
      default:
        break;
    }
  }

  void expr(const Expr& e) {
    bool named = e.kind == ExprKind::Local || e.kind == ExprKind::Param || e.kind == ExprKind::Size;
    u8(static_cast<std::uint8_t>(named && full() ? ExprKind::Local : e.kind));
    switch (e.kind) {
      case ExprKind::Literal:
        type(e.type);
        fixed(e.bits, literal_bytes(e.type));
        break;
      case ExprKind::Local:
      case ExprKind::Param:
      case ExprKind::Size:
        local(e.name, e.ref);
        break;
      case ExprKind::Builtin:
        u8(e.op);
        u8(e.component);
        break;
      case ExprKind::Load:
      case ExprKind::Len:
        memory(e.name, e.space, e.ref);
        break;
      case ExprKind::Unary:
      case ExprKind::Binary:
        u8(e.op);
        break;
      case ExprKind::Select:
        break;
      case ExprKind::Cast:
        type(e.type);
        break;
      case ExprKind::Atomic:
        u8(e.op);
        memory(e.name, e.space, e.ref);
        break;
      case ExprKind::Call:
        str(e.name);
        uleb(e.args.size());
        break;
    }
    std::size_t count = fixed_arity(e.kind);
    if (e.kind == ExprKind::Atomic) {
      count = static_cast<AtomicOp>(e.op) == AtomicOp::CompareExchange ? 3 : 2;
    } else if (e.kind == ExprKind::Call) {
      count = e.args.size();
    }
    exprs(e.args, 0, count);
  }

  const ProgramData& p_;
  EncodingMode mode_;
  std::vector<std::uint8_t> out_;
};

// ---- reader -------------------------------------------------------------------------------------

// Reads an encoding back into a draft ProgramData. The first problem sets a sticky error; every
// read after it returns a harmless default, and loops stop, so the reader unwinds quickly.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : in_(bytes) {}

  std::optional<Diagnostic> run(ProgramData& p) {
    header(p);
    if (!ok()) return std::move(error_);
    declarations(p);
    block(p.body);
    if (ok() && pos_ != in_.size()) {
      fail(std::to_string(in_.size() - pos_) + " trailing byte(s) after the program body");
    }
    if (!ok()) return std::move(error_);
    return std::nullopt;
  }

 private:
  bool ok() const { return !error_; }
  bool full() const { return mode_ == EncodingMode::Full; }
  std::size_t left() const { return in_.size() - pos_; }

  void fail(std::string what, std::string_view code = code::TruncatedEncoding) {
    if (error_) return;
    error_ = Diagnostic::error(
        code, "malformed encoded program at byte " + std::to_string(pos_) + ": " + std::move(what),
        "re-encode the program with encode_program(); the bytes are "
        "damaged or are not a vyre program");
  }

  bool need(std::size_t n, std::string_view what) {
    if (!ok()) return false;
    if (left() < n) {
      fail("input ends early while reading " + std::string(what));
      return false;
    }
    return true;
  }

  std::uint8_t u8(std::string_view what) {
    if (!need(1, what)) return 0;
    return in_[pos_++];
  }

  std::uint64_t fixed(unsigned bytes, std::string_view what) {
    if (!need(bytes, what)) return 0;
    std::uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) v |= std::uint64_t{in_[pos_++]} << (8 * i);
    return v;
  }

  std::uint64_t uleb(std::string_view what) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < 10; ++i) {
      if (!need(1, what)) return 0;
      std::uint8_t byte = in_[pos_++];
      if (i == 9 && byte > 1) {
        fail(std::string(what) + " does not fit 64 bits");
        return 0;
      }
      v |= std::uint64_t{byte & 0x7Fu} << (7 * i);
      if ((byte & 0x80) == 0) {
        if (i > 0 && byte == 0) {
          fail(std::string(what) + " is not minimally encoded");
          return 0;
        }
        return v;
      }
    }
    fail(std::string(what) + " does not fit 64 bits");
    return 0;
  }

  std::uint32_t uleb32(std::string_view what) {
    std::uint64_t v = uleb(what);
    if (v > 0xFFFFFFFFu) {
      fail(std::string(what) + " " + std::to_string(v) + " does not fit 32 bits");
      return 0;
    }
    return static_cast<std::uint32_t>(v);
  }

  // A count of elements that each take at least one byte: bounded by the bytes left.
  std::uint64_t count(std::string_view what) {
    std::uint64_t n = uleb(what);
    if (ok() && n > left()) {
      fail(std::string(what) + " " + std::to_string(n) + " exceeds the " + std::to_string(left()) +
           " byte(s) left");
      return 0;
    }
    return n;
  }

  // An index that must be below `limit`.
  std::uint32_t index(std::uint64_t limit, std::string_view what) {
    std::uint64_t v = uleb(what);
    if (ok() && v >= limit) {
      fail(std::string(what) + " " + std::to_string(v) + " is out of range (" +
           std::to_string(limit) + " declared)");
      return 0;
    }
    return static_cast<std::uint32_t>(v);
  }

  template <class Enum>
  Enum tag(unsigned limit, std::string_view what) {
    std::uint8_t v = u8(what);
    if (ok() && v >= limit) {
      fail("unknown " + std::string(what) + " tag " + std::to_string(v));
      return Enum{};
    }
    return static_cast<Enum>(v);
  }

  Type type() { return tag<Type>(kTypeCount, "type"); }

  std::string str(std::string_view what) {
    std::uint64_t n = count(what);
    if (!ok()) return {};
    std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    return s;
  }

  bool enter() {
    if (++depth_ > kMaxNesting) {
      fail("statements and expressions nest deeper than " + std::to_string(kMaxNesting),
           code::EncodingTooDeep);
      return false;
    }
    return ok();
  }

  // ---- header and declarations ----
  void header(ProgramData& p) {
    std::size_t have = std::min<std::size_t>(in_.size(), 4);
    if (!std::equal(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(have), kMagic)) {
      fail("the input does not start with \"VYIR\"", code::BadEncodingMagic);
      return;
    }
    if (!need(4, "the magic")) return;
    pos_ = 4;
    std::uint64_t version = fixed(4, "the version");
    if (ok() && version != kEncodingVersion) {
      fail("encoding version " + std::to_string(version) + " (this build reads version " +
               std::to_string(kEncodingVersion) + ")",
           code::BadEncodingVersion);
      return;
    }
    mode_ = tag<EncodingMode>(2, "encoding mode");
    p.name = full() ? str("the kernel name") : "kernel";
  }

  void declarations(ProgramData& p) {
    for (std::uint32_t& v : p.workgroup) v = uleb32("a workgroup size");
    if (!full()) size_symbols_ = uleb32("the size symbol count");
    std::uint64_t dims = count("the dispatch dimension count");
    for (std::uint64_t i = 0; i < dims && ok(); ++i) p.dispatch.push_back(size_expr());
    std::uint64_t params = count("the param count");
    for (std::uint64_t i = 0; i < params && ok(); ++i) {
      ParamDecl param;
      param.name = full() ? str("a param name") : "p" + std::to_string(i);
      param.type = type();
      p.params.push_back(std::move(param));
    }
    std::uint64_t buffers = count("the buffer count");
    for (std::uint64_t i = 0; i < buffers && ok(); ++i) {
      BufferDecl buffer;
      buffer.name = full() ? str("a buffer name") : "b" + std::to_string(i);
      buffer.binding = uleb32("a binding");
      buffer.access = tag<Access>(3, "access mode");
      buffer.element = type();
      buffer.count = size_expr();
      p.buffers.push_back(std::move(buffer));
    }
    std::uint64_t shared = count("the shared array count");
    for (std::uint64_t i = 0; i < shared && ok(); ++i) {
      SharedDecl decl;
      decl.name = full() ? str("a shared array name") : "s" + std::to_string(i);
      decl.element = type();
      decl.count = uleb("a shared array count");
      p.shared.push_back(std::move(decl));
    }
    params_ = p.params.size();
    buffers_ = p.buffers.size();
    shared_ = p.shared.size();
    if (!full()) {
      std::uint64_t locals = count("the local count");
      for (std::uint64_t i = 0; i < locals && ok(); ++i) local_types_.push_back(type());
    }
  }

  SizeExpr size_expr() {
    SizeExpr size;
    size.constant = uleb("a size constant");
    std::uint64_t symbols = count("a size symbol count");
    for (std::uint64_t i = 0; i < symbols && ok(); ++i) {
      size.symbols.push_back(full() ? str("a size symbol")
                                    : "n" + std::to_string(index(size_symbols_, "size symbol")));
    }
    return size;
  }

  // ---- body ----
  // Full: the name. Normalised: a slot below the local count, named v<slot>; `slot_type` (if
  // given) receives the slot's checked type.
  std::string local_name(std::string_view what, Type* slot_type = nullptr) {
    if (full()) return str(what);
    std::uint32_t slot = index(local_types_.size(), "local slot");
    if (slot_type != nullptr && ok()) *slot_type = local_types_[slot];
    return "v" + std::to_string(slot);
  }

  std::string memory_name() {
    if (full()) return str("a memory name");
    auto space = tag<MemorySpace>(2, "memory space");
    if (space == MemorySpace::Buffer) return "b" + std::to_string(index(buffers_, "buffer index"));
    return "s" + std::to_string(index(shared_, "shared array index"));
  }

  void block(std::vector<Stmt>& into) {
    if (!enter()) return;
    std::uint64_t n = count("a statement count");
    for (std::uint64_t i = 0; i < n && ok(); ++i) into.push_back(stmt());
    --depth_;
  }

  Stmt stmt() {
    Stmt s;
    s.kind = tag<StmtKind>(static_cast<unsigned>(StmtKind::Eval) + 1, "statement");
    if (!ok()) return s;
    switch (s.kind) {
      case StmtKind::Let:
      case StmtKind::Var:
        s.name = local_name("a local name", &s.type);
        if (full()) {
          std::uint8_t declared = u8("a declared-type flag");
          if (declared > 1)
            fail("declared-type flag " + std::to_string(declared) + " is not 0 or 1");
          s.type_declared = declared == 1;
          if (s.type_declared) s.type = type();
        } else {
          s.type_declared = true;  // Normalised: the slot's checked type, stated as if declared
        }
        break;
      case StmtKind::Assign:
      case StmtKind::For:
        s.name = local_name("a local name");
        break;
      case StmtKind::Store:
        s.name = memory_name();
        break;
      default:
        break;
    }
    for (std::size_t i = 0; i < stmt_arity(s.kind) && ok(); ++i) s.exprs.push_back(expr(false));
    switch (s.kind) {
      case StmtKind::If:
        block(s.body);
        block(s.orelse);
        break;
      case StmtKind::For:
        s.step = uleb("a loop step");
        block(s.body);
        break;
      case StmtKind::While:
        s.max_iterations = uleb("a loop cap");
        block(s.body);
        break;
      default:
        break;
    }
    return s;
  }

  static ExprPtr make(ExprKind kind) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    return e;
  }

  static ExprPtr negate(ExprPtr operand) {
    ExprPtr e = make(ExprKind::Unary);
    e->op = static_cast<std::uint8_t>(UnaryOp::Neg);
    e->args.push_back(std::move(operand));
    return e;
  }

  // check() reads integer literals as magnitudes and folds a unary minus applied to a literal
  // (check.cpp). A checked literal is a final bit pattern, so rebuild the source form that checks
  // back to it: a negative signed value becomes -(magnitude), and a literal that sits directly
  // under a unary minus is wrapped in a minus of its own so the fold lands on the inner one.
  static ExprPtr literal(Type type, std::uint64_t bits, bool under_neg) {
    ExprPtr e = make(ExprKind::Literal);
    e->op = static_cast<std::uint8_t>(LiteralForm::Typed);
    e->type = type;
    e->bits = bits;
    if (type == Type::Bool) return e;
    unsigned width = bit_width(type);
    std::uint64_t mask = width >= 64 ? ~0ULL : (1ULL << width) - 1;
    std::uint64_t sign = 1ULL << (width - 1);
    if (is_float(type)) {
      if (!under_neg) return e;
      e->bits = bits ^ sign;
      return negate(std::move(e));
    }
    bool negative = is_signed_integer(type) && (bits & sign) != 0;
    if (!under_neg && !negative) return e;
    e->bits = (0 - bits) & mask;
    return negate(std::move(e));
  }

  ExprPtr expr(bool under_neg) {
    if (!enter()) return make(ExprKind::Literal);
    ExprKind kind = tag<ExprKind>(static_cast<unsigned>(ExprKind::Call) + 1, "expression");
    ExprPtr e = make(kind);
    std::size_t operands = fixed_arity(kind);
    switch (kind) {
      case ExprKind::Literal: {
        Type t = type();
        std::uint64_t bits = fixed(literal_bytes(t), "literal bits");
        if (ok()) e = literal(t, bits, under_neg);
        break;
      }
      case ExprKind::Local:
      case ExprKind::Param:
      case ExprKind::Size:
        e->kind = ExprKind::Local;  // check() resolves what the name denotes
        if (full()) {
          e->name = str("a name");
        } else if (kind == ExprKind::Local) {
          e->name = local_name("a local");
        } else if (kind == ExprKind::Param) {
          e->name = "p" + std::to_string(index(params_, "param index"));
        } else {
          e->name = "n" + std::to_string(index(size_symbols_, "size symbol index"));
        }
        break;
      case ExprKind::Builtin:
        e->op = static_cast<std::uint8_t>(
            tag<Builtin>(static_cast<unsigned>(Builtin::GroupSize) + 1, "builtin"));
        e->component = tag<std::uint8_t>(3, "builtin component");
        break;
      case ExprKind::Load:
      case ExprKind::Len:
        e->name = memory_name();
        break;
      case ExprKind::Unary:
        e->op = static_cast<std::uint8_t>(
            tag<UnaryOp>(static_cast<unsigned>(UnaryOp::BitNot) + 1, "unary operator"));
        break;
      case ExprKind::Binary:
        e->op = static_cast<std::uint8_t>(
            tag<BinaryOp>(static_cast<unsigned>(BinaryOp::LogicalOr) + 1, "binary operator"));
        break;
      case ExprKind::Select:
        break;
      case ExprKind::Cast:
        e->type = type();
        break;
      case ExprKind::Atomic: {
        auto op = tag<AtomicOp>(static_cast<unsigned>(AtomicOp::CompareExchange) + 1, "atomic");
        e->op = static_cast<std::uint8_t>(op);
        e->name = memory_name();
        operands = op == AtomicOp::CompareExchange ? 3 : 2;
        break;
      }
      case ExprKind::Call:
        e->name = str("an op name");
        operands = count("an argument count");
        break;
    }
    bool negates = kind == ExprKind::Unary && e->op == static_cast<std::uint8_t>(UnaryOp::Neg);
    for (std::size_t i = 0; i < operands && ok(); ++i) e->args.push_back(expr(negates));
    --depth_;
    return e;
  }

  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  EncodingMode mode_ = EncodingMode::Full;
  std::uint64_t size_symbols_ = 0;
  std::uint64_t params_ = 0;
  std::uint64_t buffers_ = 0;
  std::uint64_t shared_ = 0;
  std::vector<Type> local_types_;
  std::optional<Diagnostic> error_;
};

}  // namespace

std::vector<std::uint8_t> encode_program_data(const ProgramData& program, EncodingMode mode) {
  return Writer(program, mode).run();
}

Result<ProgramData> decode_program_data(std::span<const std::uint8_t> bytes) {
  ProgramData draft;
  if (std::optional<Diagnostic> error = Reader(bytes).run(draft)) return std::move(*error);
  return draft;
}

std::vector<std::uint8_t> encode_program(const Program& program, EncodingMode mode) {
  return encode_program_data(program.data(), mode);
}

Result<Program> decode_program(std::span<const std::uint8_t> bytes, const CheckOptions& options) {
  ProgramData draft = VYRE_TRY(decode_program_data(bytes));
  return check(std::move(draft), options);
}

Digest compute_program_digest(const ProgramData& data) {
  std::vector<std::uint8_t> normalised = encode_program_data(data, EncodingMode::Normalised);
  Hasher hasher(kDigestDomain);
  hasher.update(normalised);
  return hasher.finish();
}

}  // namespace vyre::ir
