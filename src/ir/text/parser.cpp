// The text format's recursive-descent parser (grammar in docs/IR.md). It builds an unchecked
// ProgramData: every identifier becomes a Local with its name, literals keep their spelling's
// form, and check() later resolves names and types. The first syntax error is returned.
#include <algorithm>
#include <array>
#include <map>

#include "ir/text/lexer.h"
#include "ir/text/literal.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"

namespace vyre::ir {
namespace text {
namespace {

// Nesting limits keep the recursive parser, checker and printer within a small stack on any
// input: expression trees, blocks and else-if chains may nest kMaxTreeDepth deep, and the
// parser's own recursion (which redundant parentheses also deepen) is capped at kMaxRecursion.
constexpr unsigned kMaxTreeDepth = 256;
constexpr unsigned kMaxRecursion = 400;  // sanitizer builds have large frames
constexpr std::uint64_t kMaxWorkgroupInvocations = 1024;

constexpr std::array<std::string_view, 17> kReservedWords = {
    "kernel", "param", "buffer",   "shared", "let",     "var",  "if",    "else", "for",
    "while",  "break", "continue", "return", "barrier", "true", "false", "const"};

constexpr std::array<std::string_view, 5> kBuiltinNames = {"global_id", "local_id", "group_id",
                                                           "num_groups", "group_size"};

bool is_reserved(std::string_view word) {
  return std::find(kReservedWords.begin(), kReservedWords.end(), word) != kReservedWords.end();
}

std::optional<Builtin> builtin_from_name(std::string_view word) {
  for (std::size_t i = 0; i < kBuiltinNames.size(); ++i) {
    if (kBuiltinNames[i] == word) return static_cast<Builtin>(i);
  }
  return std::nullopt;
}

std::optional<AtomicOp> atomic_from_name(std::string_view word) {
  for (int i = 0; i <= static_cast<int>(AtomicOp::CompareExchange); ++i) {
    if (atomic_op_name(static_cast<AtomicOp>(i)) == word) return static_cast<AtomicOp>(i);
  }
  return std::nullopt;
}

// Binding strength of a binary operator token (higher binds tighter); 0 if not one.
int precedence(TokenKind kind) {
  switch (kind) {
    case TokenKind::OrOr:
      return 1;
    case TokenKind::AndAnd:
      return 2;
    case TokenKind::EqEq:
    case TokenKind::NotEq:
      return 3;
    case TokenKind::Lt:
    case TokenKind::Le:
    case TokenKind::Gt:
    case TokenKind::Ge:
      return 4;
    case TokenKind::Pipe:
      return 5;
    case TokenKind::Caret:
      return 6;
    case TokenKind::Amp:
      return 7;
    case TokenKind::Shl:
    case TokenKind::Shr:
      return 8;
    case TokenKind::Plus:
    case TokenKind::Minus:
      return 9;
    case TokenKind::Star:
    case TokenKind::Slash:
    case TokenKind::Percent:
      return 10;
    default:
      return 0;
  }
}

BinaryOp binary_op(TokenKind kind) {
  switch (kind) {
    case TokenKind::OrOr:
      return BinaryOp::LogicalOr;
    case TokenKind::AndAnd:
      return BinaryOp::LogicalAnd;
    case TokenKind::EqEq:
      return BinaryOp::Eq;
    case TokenKind::NotEq:
      return BinaryOp::Ne;
    case TokenKind::Lt:
      return BinaryOp::Lt;
    case TokenKind::Le:
      return BinaryOp::Le;
    case TokenKind::Gt:
      return BinaryOp::Gt;
    case TokenKind::Ge:
      return BinaryOp::Ge;
    case TokenKind::Pipe:
      return BinaryOp::BitOr;
    case TokenKind::Caret:
      return BinaryOp::BitXor;
    case TokenKind::Amp:
      return BinaryOp::BitAnd;
    case TokenKind::Shl:
      return BinaryOp::Shl;
    case TokenKind::Shr:
      return BinaryOp::Shr;
    case TokenKind::Plus:
      return BinaryOp::Add;
    case TokenKind::Minus:
      return BinaryOp::Sub;
    case TokenKind::Star:
      return BinaryOp::Mul;
    case TokenKind::Slash:
      return BinaryOp::Div;
    default:
      return BinaryOp::Rem;
  }
}

// The operator of a compound assignment token (`+=` is Add, `<<=` is Shl).
BinaryOp compound_op(std::string_view text) {
  const std::string_view op = text.substr(0, text.size() - 1);
  if (op == "+") return BinaryOp::Add;
  if (op == "-") return BinaryOp::Sub;
  if (op == "*") return BinaryOp::Mul;
  if (op == "/") return BinaryOp::Div;
  if (op == "%") return BinaryOp::Rem;
  if (op == "&") return BinaryOp::BitAnd;
  if (op == "|") return BinaryOp::BitOr;
  if (op == "^") return BinaryOp::BitXor;
  if (op == "<<") return BinaryOp::Shl;
  return BinaryOp::Shr;
}

// For a C, CUDA or GLSL type name, the vyre type to write instead ("write i32 for int; ").
std::string c_type_hint(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"int", "i32"},      {"int32_t", "i32"}, {"uint", "u32"},    {"unsigned", "u32"},
      {"uint32_t", "u32"}, {"long", "i64"},    {"int64_t", "i64"}, {"uint64_t", "u64"},
      {"ulong", "u64"},    {"size_t", "u64"},  {"float", "f32"},   {"double", "f64"},
      {"boolean", "bool"}};
  for (const auto& [c, vyre] : kNames) {
    if (name == c) return "write " + std::string(vyre) + " for " + std::string(c) + "; ";
  }
  return "";
}

bool contains_atomic(const Expr& e) {
  if (e.kind == ExprKind::Atomic) return true;
  for (const ExprPtr& arg : e.args) {
    if (arg && contains_atomic(*arg)) return true;
  }
  return false;
}

// An expression with the depth of its tree, so depth limits cost nothing extra to enforce.
struct Parsed {
  ExprPtr expr;
  unsigned depth = 1;
};

// Decrements a nesting counter when a recursive parse step returns, however it returns.
class NestingGuard {
 public:
  explicit NestingGuard(unsigned& counter) : counter_(counter) { ++counter_; }
  ~NestingGuard() { --counter_; }
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;

 private:
  unsigned& counter_;
};

class Parser {
 public:
  Parser(Lexed lexed, std::string_view file) : lexed_(std::move(lexed)), file_(file) {}

  Result<ProgramData> parse_kernel() {
    ProgramData program;
    const Token& start = peek();
    if (!at_word("kernel")) {
      return fail(start, code::UnexpectedToken, "expected `kernel` at the start of the program",
                  "a program is one `kernel NAME workgroup(X) { ... }`");
    }
    program.loc = next().loc;
    program.name = VYRE_TRY(expect_name("kernel name")).text;
    VYRE_TRY(parse_workgroup(program));
    if (at_word("dispatch")) VYRE_TRY(parse_dispatch(program));
    VYRE_TRY(expect(TokenKind::LBrace, "`{` to open the kernel body", "after the header"));
    VYRE_TRY(parse_kernel_body(program));
    VYRE_TRY(expect(TokenKind::RBrace, "`}` to close the kernel body", "after the last statement"));
    if (!at(TokenKind::End)) {
      return fail(peek(), code::UnexpectedToken,
                  "expected end of input after the kernel, found " + describe(peek()),
                  "a file holds exactly one kernel; remove what follows its closing `}`");
    }
    return program;
  }

 private:
  // ---- tokens ---------------------------------------------------------------------------------
  const Token& peek(std::size_t ahead = 0) const {
    const std::size_t last = lexed_.tokens.size() - 1;  // End or Error, never consumed
    return lexed_.tokens[std::min(pos_ + ahead, last)];
  }
  const Token& next() {
    const Token& token = peek();
    if (pos_ + 1 < lexed_.tokens.size()) ++pos_;
    return token;
  }
  bool at(TokenKind kind) const { return peek().kind == kind; }
  bool at_word(std::string_view word, std::size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::Identifier && peek(ahead).text == word;
  }

  // Every error goes through here. At the lexer's Error token the lexer's own diagnostic wins,
  // since it explains the real problem (a bad character, an open comment).
  Diagnostic fail(const Token& token, std::string_view code, std::string message,
                  std::string help) const {
    Diagnostic d = token.kind == TokenKind::Error && lexed_.error
                       ? *lexed_.error
                       : Diagnostic::error(code, std::move(message), std::move(help)).at(token.loc);
    d.file = std::string(file_);
    return d;
  }

  // "expected WHAT CONTEXT, found TOKEN".
  Result<Token> expect(TokenKind kind, std::string_view what, std::string_view context,
                       std::string help = {}) {
    if (at(kind)) return next();
    if (help.empty()) help = "insert " + std::string(what.substr(0, what.find(' '))) + " here";
    return fail(peek(), code::UnexpectedToken,
                "expected " + std::string(what) + " " + std::string(context) + ", found " +
                    describe(peek()),
                std::move(help));
  }

  Result<Token> expect_word(std::string_view word, std::string_view context) {
    if (at_word(word)) return next();
    return fail(peek(), code::UnexpectedToken,
                "expected `" + std::string(word) + "` " + std::string(context) + ", found " +
                    describe(peek()),
                "insert `" + std::string(word) + "` here");
  }

  // A name being declared: an identifier that is not a keyword, type or builtin.
  Result<Token> expect_name(std::string_view what) {
    const Token& token = peek();
    if (token.kind != TokenKind::Identifier) {
      return fail(token, code::UnexpectedToken,
                  "expected a " + std::string(what) + ", found " + describe(token),
                  "names start with a letter or `_` and continue with letters, digits or `_`");
    }
    if (is_reserved(token.text) || type_from_name(token.text) || builtin_from_name(token.text)) {
      return fail(token, code::UnexpectedToken,
                  "expected a " + std::string(what) + ", found reserved word " + describe(token),
                  "keywords, type names and builtins (global_id, ...) cannot be used as names; "
                  "pick another name");
    }
    return next();
  }

  Result<Type> expect_type(std::string_view context) {
    const Token& token = peek();
    if (token.kind != TokenKind::Identifier) {
      return fail(token, code::UnexpectedToken,
                  "expected a type " + std::string(context) + ", found " + describe(token),
                  "types are bool, i32, u32, i64, u64, f32 and f64");
    }
    const std::optional<Type> type = type_from_name(token.text);
    if (!type) {
      return fail(token, code::UnknownType, "unknown type " + describe(token),
                  c_type_hint(token.text) + "types are bool, i32, u32, i64, u64, f32 and f64");
    }
    next();
    return *type;
  }

  Result<std::uint64_t> expect_plain_integer(std::string_view what) {
    if (!at(TokenKind::Number)) {
      return fail(peek(), code::UnexpectedToken,
                  "expected an integer for " + std::string(what) + ", found " + describe(peek()),
                  "write a whole number such as 256");
    }
    return read_plain_integer(next(), what);
  }

  // Statements end at a line break, a `;` or the `}` of their block.
  Status end_of_statement() {
    if (at(TokenKind::Semicolon)) {
      next();
      return Ok{};
    }
    if (at(TokenKind::RBrace) || at(TokenKind::End) || peek().line_start) return Ok{};
    return fail(peek(), code::UnexpectedToken,
                "expected a line break or `;` after the statement, found " + describe(peek()),
                "put each statement on its own line, or separate them with `;`");
  }

  // ---- header ---------------------------------------------------------------------------------
  Status parse_workgroup(ProgramData& program) {
    const Token keyword = VYRE_TRY(expect_word("workgroup", "after the kernel name"));
    VYRE_TRY(expect(TokenKind::LParen, "`(`", "after `workgroup`"));
    std::uint64_t invocations = 1;
    for (std::size_t dim = 0; dim < 3; ++dim) {
      const Token& token = peek();
      const std::uint64_t size = VYRE_TRY(expect_plain_integer("a workgroup size"));
      if (size == 0 || size > kMaxWorkgroupInvocations) {
        return fail(token, code::BadWorkgroupSize,
                    "workgroup size " + std::string(token.text) + " is out of range",
                    "each workgroup dimension is between 1 and 1024");
      }
      program.workgroup[dim] = static_cast<std::uint32_t>(size);
      invocations *= size;
      if (!at(TokenKind::Comma) || dim == 2) break;
      next();
    }
    if (at(TokenKind::Comma)) {
      return fail(peek(), code::BadWorkgroupSize, "workgroup takes at most three sizes",
                  "write workgroup(x), workgroup(x, y) or workgroup(x, y, z)");
    }
    VYRE_TRY(expect(TokenKind::RParen, "`)`", "after the workgroup sizes"));
    if (invocations > kMaxWorkgroupInvocations) {
      return fail(keyword, code::BadWorkgroupSize,
                  "workgroup has " + std::to_string(invocations) +
                      " invocations; the most a workgroup may have is 1024",
                  "make the product of the workgroup sizes at most 1024");
    }
    return Ok{};
  }

  Status parse_dispatch(ProgramData& program) {
    next();  // dispatch
    VYRE_TRY(expect(TokenKind::LParen, "`(`", "after `dispatch`"));
    for (;;) {
      const Token& token = peek();
      const SizeExpr size = VYRE_TRY(parse_size("a dispatch size"));
      if (size.constant == 0) {
        return fail(token, code::BadWorkgroupSize, "dispatch size is zero",
                    "dispatch sizes are products of size symbols and positive integers");
      }
      program.dispatch.push_back(size);
      if (!at(TokenKind::Comma)) break;
      if (program.dispatch.size() == 3) {
        return fail(peek(), code::BadWorkgroupSize, "dispatch takes at most three sizes",
                    "write dispatch(x), dispatch(x, y) or dispatch(x, y, z)");
      }
      next();
    }
    VYRE_TRY(expect(TokenKind::RParen, "`)`", "after the dispatch sizes"));
    return Ok{};
  }

  // size := factor { "*" factor };  factor := NAME | INTEGER
  Result<SizeExpr> parse_size(std::string_view what) {
    SizeExpr size;
    for (;;) {
      const Token& token = peek();
      if (token.kind == TokenKind::Number) {
        const std::uint64_t factor = VYRE_TRY(read_plain_integer(next(), what));
        if (factor != 0 && size.constant > UINT64_MAX / factor) {
          return fail(token, code::BadNumber, "size " + std::string(what) + " overflows 64 bits",
                      "use smaller factors");
        }
        size.constant *= factor;
      } else if (token.kind == TokenKind::Identifier &&
                 plain_consts_.count(std::string(token.text))) {
        const std::uint64_t factor = plain_consts_.at(std::string(next().text));
        if (factor != 0 && size.constant > UINT64_MAX / factor) {
          return fail(token, code::BadNumber, "size " + std::string(what) + " overflows 64 bits",
                      "use smaller factors");
        }
        size.constant *= factor;
      } else if (token.kind == TokenKind::Identifier) {
        size.symbols.emplace_back(VYRE_TRY(expect_name("size symbol")).text);
      } else {
        return fail(token, code::UnexpectedToken,
                    "expected " + std::string(what) +
                        " (a size symbol such as `n` or an integer), "
                        "found " +
                        describe(token),
                    "sizes are products of names and integers: n, 4*n, m*k, 1024");
      }
      if (at(TokenKind::Plus) || at(TokenKind::Minus) || at(TokenKind::Slash) ||
          at(TokenKind::Percent)) {
        return fail(peek(), code::UnexpectedToken,
                    "expected `*` or the end of " + std::string(what) + ", found " +
                        describe(peek()) + ": sizes are products, not sums or quotients",
                    "a size multiplies size symbols and integers (n, 4*n, m*k); for another "
                    "count, use a size symbol of its own (f32[total], dispatch(total)) and bind "
                    "it at dispatch (--size total=N)");
      }
      if (!at(TokenKind::Star)) return size;
      next();
    }
  }

  // ---- declarations ---------------------------------------------------------------------------
  bool at_declaration() const {
    return at_word("param") || at_word("buffer") || at_word("shared") || at_word("const");
  }

  Status parse_kernel_body(ProgramData& program) {
    bool statements_started = false;
    while (!at(TokenKind::RBrace) && !at(TokenKind::End) && !at(TokenKind::Error)) {
      if (at(TokenKind::Semicolon)) {
        next();
        continue;
      }
      if (at_declaration()) {
        if (statements_started) {
          return fail(peek(), code::UnexpectedToken,
                      "expected a statement, found declaration " + describe(peek()) +
                          " after the first statement",
                      "move param, buffer, shared and const declarations to the top of the "
                      "kernel body");
        }
        VYRE_TRY(parse_declaration(program));
      } else {
        statements_started = true;
        program.body.push_back(VYRE_TRY(parse_statement()));
      }
      VYRE_TRY(end_of_statement());
    }
    return Ok{};
  }

  // const NAME [: TYPE] = LITERAL, where the literal may be negated.
  Status parse_const(ProgramData& program) {
    next();  // const
    const Token name = VYRE_TRY(expect_name("const name"));
    ConstDecl decl;
    decl.name = std::string(name.text);
    decl.loc = name.loc;
    if (at(TokenKind::Colon)) {
      next();
      decl.type = VYRE_TRY(expect_type("for the const"));
    }
    VYRE_TRY(expect(TokenKind::Assign, "`=`", "after the const's name",
                    "constants are written `const NAME = 16` or `const NAME: f32 = 0.5`"));
    const Token& value_token = peek();
    Parsed value = VYRE_TRY(parse_unary());
    const Expr* literal = value.expr.get();
    const bool negated = literal->kind == ExprKind::Unary &&
                         static_cast<UnaryOp>(literal->op) == UnaryOp::Neg &&
                         literal->args.size() == 1;
    if (negated) literal = literal->args[0].get();
    const bool continues = !at(TokenKind::Semicolon) && !at(TokenKind::RBrace) &&
                           !at(TokenKind::End) && !peek().line_start;
    if (literal->kind != ExprKind::Literal || (value.expr->kind == ExprKind::Unary && !negated) ||
        continues) {
      return fail(value_token, code::UnexpectedToken,
                  "expected a literal value for const `" + decl.name + "`, found an expression",
                  "a const is a literal such as 16, -1, 0.5 or true; compute anything else with "
                  "a let in the body");
    }
    const auto form = static_cast<LiteralForm>(literal->op);
    if (!negated && form == LiteralForm::UntypedInt &&
        (decl.type == Type::Unknown || is_integer(decl.type))) {
      plain_consts_[decl.name] = literal->bits;
    }
    decl.value = std::move(value.expr);
    program.constants.push_back(std::move(decl));
    return Ok{};
  }

  Status parse_declaration(ProgramData& program) {
    if (at_word("const")) return parse_const(program);
    const Token keyword = next();
    const Token name = VYRE_TRY(expect_name(std::string(keyword.text) + " name"));
    VYRE_TRY(expect(TokenKind::Colon, "`:`", "after the " + std::string(keyword.text) + " name"));
    if (keyword.text == "param") {
      const Type type = VYRE_TRY(expect_type("for the param"));
      program.params.push_back(ParamDecl{std::string(name.text), type, name.loc});
      return Ok{};
    }
    if (keyword.text == "shared") {
      SharedDecl decl{std::string(name.text), Type::Unknown, 0, name.loc};
      decl.element = VYRE_TRY(expect_type("for the shared array's elements"));
      VYRE_TRY(expect(TokenKind::LBracket, "`[`", "after the element type",
                      "shared arrays are written `shared NAME: TYPE[COUNT]`"));
      const Token& count_token = peek();
      const SizeExpr count = VYRE_TRY(parse_size("a shared array count"));
      if (!count.fixed()) {
        return fail(count_token, code::UnexpectedToken,
                    "shared array count must be a fixed integer, found size symbol `" +
                        count.symbols.front() + "`",
                    "shared arrays have a size known at compile time, e.g. shared t: f32[256]");
      }
      decl.count = count.constant;
      VYRE_TRY(expect(TokenKind::RBracket, "`]`", "after the shared array count"));
      program.shared.push_back(std::move(decl));
      return Ok{};
    }
    BufferDecl decl;
    decl.name = std::string(name.text);
    decl.loc = name.loc;
    decl.binding = static_cast<std::uint32_t>(program.buffers.size());
    const Token& access = peek();
    if (at_word("read")) {
      decl.access = Access::Read;
    } else if (at_word("write")) {
      decl.access = Access::Write;
    } else if (at_word("read_write")) {
      decl.access = Access::ReadWrite;
    } else {
      return fail(
          access, code::UnexpectedToken,
          "expected an access mode `read`, `write` or `read_write`, found " + describe(access),
          "buffers are written `buffer NAME: ACCESS TYPE[COUNT]`, e.g. buffer x: read f32[n]");
    }
    next();
    decl.element = VYRE_TRY(expect_type("for the buffer's elements"));
    VYRE_TRY(expect(TokenKind::LBracket, "`[`", "after the element type",
                    "buffers are written `buffer NAME: ACCESS TYPE[COUNT]`"));
    decl.count = VYRE_TRY(parse_size("a buffer count"));
    VYRE_TRY(expect(TokenKind::RBracket, "`]`", "after the buffer count"));
    if (at_word("binding")) {
      next();
      VYRE_TRY(expect(TokenKind::LParen, "`(`", "after `binding`"));
      const Token& slot_token = peek();
      const std::uint64_t slot = VYRE_TRY(expect_plain_integer("a binding slot"));
      if (slot > UINT32_MAX) {
        return fail(slot_token, code::BadNumber,
                    "binding slot " + std::string(slot_token.text) + " does not fit in 32 bits",
                    "use a small binding number");
      }
      decl.binding = static_cast<std::uint32_t>(slot);
      VYRE_TRY(expect(TokenKind::RParen, "`)`", "after the binding slot"));
    }
    program.buffers.push_back(std::move(decl));
    return Ok{};
  }

  // ---- statements -----------------------------------------------------------------------------
  Result<std::vector<Stmt>> parse_block(std::string_view context) {
    NestingGuard guard(block_depth_);
    if (block_depth_ > kMaxTreeDepth) {
      return fail(peek(), code::TooDeeplyNested,
                  "blocks nest more than " + std::to_string(kMaxTreeDepth) + " deep",
                  "move deeply nested code into fewer levels");
    }
    VYRE_TRY(expect(TokenKind::LBrace, "`{`", context));
    std::vector<Stmt> body;
    while (!at(TokenKind::RBrace)) {
      if (at(TokenKind::Semicolon)) {
        next();
        continue;
      }
      if (at(TokenKind::End) || at(TokenKind::Error)) {
        return fail(peek(), code::UnexpectedToken,
                    "expected `}` to close the block, found " + describe(peek()),
                    "every `{` needs a matching `}`");
      }
      if (at_declaration()) {
        return fail(
            peek(), code::UnexpectedToken,
            "expected a statement, found declaration " + describe(peek()) + " inside a block",
            "declare params, buffers, shared arrays and consts at the top of the kernel body");
      }
      body.push_back(VYRE_TRY(parse_statement()));
      VYRE_TRY(end_of_statement());
    }
    next();  // }
    return body;
  }

  // C's `x++`, `x--`, `++x` and `--x` (two adjacent `+` or `-` next to a name) are not vyre.
  std::optional<Diagnostic> increment_operator() const {
    auto doubled = [&](std::size_t at) {
      const Token& a = peek(at);
      const Token& b = peek(at + 1);
      return (a.kind == TokenKind::Plus || a.kind == TokenKind::Minus) && b.kind == a.kind &&
             b.loc.line == a.loc.line && b.loc.column == a.loc.column + 1;
    };
    std::size_t op = 0;
    if (peek().kind == TokenKind::Identifier && doubled(1)) {
      op = 1;
    } else if (!doubled(0) || peek(2).kind != TokenKind::Identifier) {
      return std::nullopt;
    }
    const Token& name = peek(op == 1 ? 0 : 2);
    const bool plus = peek(op).kind == TokenKind::Plus;
    return fail(peek(op), code::UnexpectedToken,
                std::string("vyre has no `") + (plus ? "++" : "--") + "` operator",
                "write `" + std::string(name.text) + (plus ? " += 1`" : " -= 1`") +
                    " (on a var: `var " + std::string(name.text) + " = 0`)");
  }

  Result<Stmt> parse_statement() {
    const Token& first = peek();
    Stmt stmt;
    stmt.loc = first.loc;
    if (at_word("let") || at_word("var")) {
      stmt.kind = first.text == "let" ? StmtKind::Let : StmtKind::Var;
      next();
      stmt.name = VYRE_TRY(expect_name("local name")).text;
      if (at(TokenKind::Colon)) {
        next();
        stmt.type = VYRE_TRY(expect_type("for the local"));
        stmt.type_declared = true;
      }
      VYRE_TRY(expect(TokenKind::Assign, "`=`", "after the local's name",
                      "locals are initialised: let x = 0"));
      stmt.exprs.push_back(VYRE_TRY(parse_expr()).expr);
      return stmt;
    }
    if (at_word("if")) return parse_if();
    if (at_word("for")) {
      next();
      stmt.kind = StmtKind::For;
      stmt.name = VYRE_TRY(expect_name("loop variable")).text;
      VYRE_TRY(expect_word("in", "after the loop variable"));
      stmt.exprs.push_back(VYRE_TRY(parse_expr()).expr);
      VYRE_TRY(expect(TokenKind::DotDot, "`..`", "between the loop's start and end",
                      "for loops are written `for i in START..END { }`"));
      stmt.exprs.push_back(VYRE_TRY(parse_expr()).expr);
      if (at_word("step")) {
        next();
        stmt.step = VYRE_TRY(expect_loop_number("step"));  // step 0 is the checker's VY2010
      }
      stmt.body = VYRE_TRY(parse_block("to open the loop body"));
      return stmt;
    }
    if (at_word("while")) {
      next();
      stmt.kind = StmtKind::While;
      stmt.exprs.push_back(VYRE_TRY(parse_expr()).expr);
      if (at_word("max")) {
        next();
        stmt.max_iterations = VYRE_TRY(expect_loop_number("max"));
      }
      stmt.body = VYRE_TRY(parse_block("to open the loop body"));
      return stmt;
    }
    if (at_word("break") || at_word("continue") || at_word("return")) {
      stmt.kind = first.text == "break"      ? StmtKind::Break
                  : first.text == "continue" ? StmtKind::Continue
                                             : StmtKind::Return;
      next();
      return stmt;
    }
    if (at_word("barrier")) {
      next();
      stmt.kind = StmtKind::Barrier;
      VYRE_TRY(expect(TokenKind::LParen, "`(`", "after `barrier`", "write barrier()"));
      VYRE_TRY(expect(TokenKind::RParen, "`)`", "in `barrier()`", "write barrier()"));
      return stmt;
    }
    if (at_word("else")) {
      return fail(first, code::UnexpectedToken, "expected a statement, found `else` without `if`",
                  "`else` follows the `}` of an if block");
    }

    if (const std::optional<Diagnostic> step = increment_operator()) return *step;

    // An assignment, a store or an expression evaluated for its effect.
    Parsed target = VYRE_TRY(parse_expr());
    if (at(TokenKind::CompoundAssign)) return parse_compound_assignment(std::move(stmt), target);
    if (!at(TokenKind::Assign)) {
      stmt.kind = StmtKind::Eval;
      stmt.exprs.push_back(std::move(target.expr));
      return stmt;
    }
    const Token& assign = next();
    Expr& lhs = *target.expr;
    if (lhs.kind == ExprKind::Local) {
      stmt.kind = StmtKind::Assign;
      stmt.name = std::move(lhs.name);
    } else if (lhs.kind == ExprKind::Load) {
      stmt.kind = StmtKind::Store;
      stmt.name = std::move(lhs.name);
      stmt.exprs.push_back(std::move(lhs.args[0]));
    } else {
      return fail(assign, code::UnexpectedToken,
                  "expected a variable or `memory[index]` before `=`, found an expression",
                  "only var locals and buffer or shared elements can be assigned");
    }
    stmt.exprs.push_back(VYRE_TRY(parse_expr()).expr);
    return stmt;
  }

  // `x op= e` is `x = x op e` and `m[i] op= e` is `m[i] = m[i] op e` (the index is evaluated
  // twice, so it may not hold an atomic).
  Result<Stmt> parse_compound_assignment(Stmt stmt, Parsed& target) {
    const Token& assign = next();
    Expr& lhs = *target.expr;
    if (lhs.kind != ExprKind::Local && lhs.kind != ExprKind::Load) {
      return fail(assign, code::UnexpectedToken,
                  "expected a variable or `memory[index]` before `" + std::string(assign.text) +
                      "`, found an expression",
                  "only var locals and buffer or shared elements can be assigned");
    }
    if (lhs.kind == ExprKind::Load && contains_atomic(*lhs.args[0])) {
      return fail(
          assign, code::UnexpectedToken,
          "`" + std::string(assign.text) + "` would evaluate the index's atomic twice",
          "compute the index first: let k = ...; then m[k] " + std::string(assign.text) + " value");
    }
    Parsed value = VYRE_TRY(parse_expr());
    ExprPtr current = lhs.clone();
    ExprPtr combined = node(ExprKind::Binary, assign);
    combined->op = static_cast<std::uint8_t>(compound_op(assign.text));
    const unsigned depth = 1 + std::max(target.depth, value.depth);
    VYRE_TRY(check_depth(assign, depth));
    combined->args.push_back(std::move(current));
    combined->args.push_back(std::move(value.expr));
    if (lhs.kind == ExprKind::Local) {
      stmt.kind = StmtKind::Assign;
      stmt.name = lhs.name;
    } else {
      stmt.kind = StmtKind::Store;
      stmt.name = lhs.name;
      stmt.exprs.push_back(lhs.args[0]->clone());
    }
    stmt.exprs.push_back(std::move(combined));
    return stmt;
  }

  // A loop's step or cap: a plain integer, or a const holding one.
  Result<std::uint64_t> expect_loop_number(std::string_view keyword) {
    const Token& token = peek();
    const bool step = keyword == "step";
    if (token.kind == TokenKind::Identifier) {
      auto known = plain_consts_.find(std::string(token.text));
      if (known != plain_consts_.end()) {
        next();
        return known->second;
      }
    }
    if (token.kind == TokenKind::Number) {
      return read_plain_integer(next(), step ? "the loop step" : "the loop's iteration cap");
    }
    const std::string what = step ? "a for-loop step" : "a while-loop cap";
    if (token.kind == TokenKind::Minus) {
      return fail(token, step ? code::BadLoopStep : code::UnexpectedToken,
                  "expected " + what + ", found a negative number",
                  step ? "loops count up: for a downward loop write `for k in 0..n` and use "
                         "`let i = n - 1u - k`"
                       : "a cap is a positive integer, e.g. max 1000");
    }
    return fail(token, step ? code::BadLoopStep : code::UnexpectedToken,
                "expected " + what + " (an integer literal or a const), found " + describe(token),
                step ? "the step is fixed when the kernel is compiled: write a literal (step 4) or "
                       "a const (const STRIDE = 4, then step STRIDE); for a step known only at "
                       "run time, loop over k and compute i = start + k * stride"
                     : "the cap is fixed when the kernel is compiled: write a literal (max 1000) "
                       "or a const");
  }

  // An else-if nests the next if in the else-body, so each link of a chain counts as a level.
  Result<Stmt> parse_if() {
    Stmt stmt;
    stmt.kind = StmtKind::If;
    stmt.loc = next().loc;  // if
    stmt.exprs.push_back(VYRE_TRY(parse_expr()).expr);
    stmt.body = VYRE_TRY(parse_block("to open the if body"));
    if (at_word("else")) {
      next();
      if (at_word("if")) {
        NestingGuard guard(block_depth_);
        if (block_depth_ > kMaxTreeDepth) {
          return fail(peek(), code::TooDeeplyNested,
                      "else-if chain nests more than " + std::to_string(kMaxTreeDepth) + " deep",
                      "split the chain, e.g. into several ifs that return early");
        }
        stmt.orelse.push_back(VYRE_TRY(parse_if()));
      } else {
        stmt.orelse = VYRE_TRY(parse_block("after `else`"));
      }
    }
    return stmt;
  }

  // ---- expressions ----------------------------------------------------------------------------
  Status check_depth(const Token& at_token, unsigned depth) const {
    if (depth <= kMaxTreeDepth) return Ok{};
    return fail(at_token, code::TooDeeplyNested,
                "expression nests more than " + std::to_string(kMaxTreeDepth) + " deep",
                "split it into several let statements");
  }

  ExprPtr node(ExprKind kind, const Token& token) const {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->loc = token.loc;
    return e;
  }

  // Precedence climbing over the binary operators; all are left-associative. An operator that
  // starts a new line (outside brackets) ends the expression, since a line break ends a statement.
  Result<Parsed> parse_expr(int min_precedence = 1) {
    NestingGuard guard(recursion_);
    if (recursion_ > kMaxRecursion) {
      return fail(peek(), code::TooDeeplyNested, "expression nests too deeply",
                  "split it into several let statements");
    }
    Parsed lhs = VYRE_TRY(parse_unary());
    for (;;) {
      const Token& op = peek();
      const int prec = precedence(op.kind);
      if (prec == 0 || prec < min_precedence || (op.line_start && brackets_ == 0)) break;
      next();
      Parsed rhs = VYRE_TRY(parse_expr(prec + 1));
      ExprPtr e = node(ExprKind::Binary, op);
      e->op = static_cast<std::uint8_t>(binary_op(op.kind));
      const unsigned depth = 1 + std::max(lhs.depth, rhs.depth);
      VYRE_TRY(check_depth(op, depth));
      e->args.push_back(std::move(lhs.expr));
      e->args.push_back(std::move(rhs.expr));
      lhs = Parsed{std::move(e), depth};
    }
    if (at(TokenKind::Question) && (!peek().line_start || brackets_ != 0)) {
      return fail(peek(), code::ConditionalOperator, "vyre has no conditional operator `c ? a : b`",
                  "write select(c, a, b): it is a when the bool c is true, else b");
    }
    return lhs;
  }

  // Prefix operators are collected in a loop, not by recursion, so long chains stay cheap.
  Result<Parsed> parse_unary() {
    std::vector<Token> ops;
    while (at(TokenKind::Minus) || at(TokenKind::Bang) || at(TokenKind::Tilde)) {
      ops.push_back(next());
      if (ops.size() > kMaxTreeDepth) VYRE_TRY(check_depth(ops.back(), ops.size()));
    }
    const bool negated = !ops.empty() && ops.back().kind == TokenKind::Minus;
    Parsed operand = VYRE_TRY(parse_primary(negated));
    for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
      ExprPtr e = node(ExprKind::Unary, *it);
      e->op = static_cast<std::uint8_t>(it->kind == TokenKind::Minus  ? UnaryOp::Neg
                                        : it->kind == TokenKind::Bang ? UnaryOp::Not
                                                                      : UnaryOp::BitNot);
      e->args.push_back(std::move(operand.expr));
      operand = Parsed{std::move(e), operand.depth + 1};
      VYRE_TRY(check_depth(*it, operand.depth));
    }
    return operand;
  }

  Result<Parsed> parse_primary(bool negated) {
    const Token& token = peek();
    switch (token.kind) {
      case TokenKind::Number: {
        next();
        const LiteralValue value = VYRE_TRY(read_number(token, negated));
        ExprPtr e = node(ExprKind::Literal, token);
        e->op = static_cast<std::uint8_t>(value.form);
        e->type = value.type;
        e->bits = value.bits;
        return Parsed{std::move(e), 1};
      }
      case TokenKind::LParen: {
        next();
        ++brackets_;
        Parsed inner = VYRE_TRY(parse_expr());
        --brackets_;
        VYRE_TRY(expect(TokenKind::RParen, "`)`", "to close the parenthesis"));
        return inner;
      }
      case TokenKind::Identifier:
        return parse_name_expression();
      default: {
        // `+ b[i]` starting a line: meant to continue the line above, which a line break ended.
        const bool operator_first = token.line_start && precedence(token.kind) != 0;
        return fail(
            token, code::UnexpectedToken, "expected an expression, found " + describe(token),
            operator_first ? "a line break ends a statement, so a line cannot start with an "
                             "operator; to continue the line above, end that line with the "
                             "operator (`a[i] +`, then `b[i]`)"
                           : "an expression is a name, a literal, a call, `memory[index]` or "
                             "`(expr)`");
      }
    }
  }

  Result<Parsed> parse_name_expression() {
    const Token& token = next();
    const std::string_view word = token.text;
    if (word == "true" || word == "false") {
      ExprPtr e = node(ExprKind::Literal, token);
      e->op = static_cast<std::uint8_t>(LiteralForm::Typed);
      e->type = Type::Bool;
      e->bits = word == "true" ? 1 : 0;
      return Parsed{std::move(e), 1};
    }
    if (const std::optional<Type> type = type_from_name(word)) {
      if (at(TokenKind::Dot)) return parse_special_float(token, *type);
      return parse_cast(token, *type);
    }
    if (const std::optional<Builtin> builtin = builtin_from_name(word)) {
      VYRE_TRY(expect(TokenKind::Dot, "`.x`, `.y` or `.z`", "after " + describe(token),
                      "builtins are vectors: write " + std::string(word) + ".x"));
      const Token& component = peek();
      int index = -1;
      if (component.kind == TokenKind::Identifier && component.text.size() == 1) {
        index = component.text[0] == 'x'   ? 0
                : component.text[0] == 'y' ? 1
                : component.text[0] == 'z' ? 2
                                           : -1;
      }
      if (index < 0) {
        return fail(component, code::UnexpectedToken,
                    "expected `x`, `y` or `z` after `" + std::string(word) + ".`, found " +
                        describe(component),
                    "builtins have three components: .x, .y and .z");
      }
      next();
      ExprPtr e = node(ExprKind::Builtin, token);
      e->op = static_cast<std::uint8_t>(*builtin);
      e->component = static_cast<std::uint8_t>(index);
      return Parsed{std::move(e), 1};
    }
    if (is_reserved(word)) {
      return fail(token, code::UnexpectedToken,
                  "expected an expression, found keyword " + describe(token),
                  "keywords cannot be used as values");
    }
    if (at(TokenKind::LBracket)) {
      next();
      ++brackets_;
      Parsed index = VYRE_TRY(parse_expr());
      --brackets_;
      VYRE_TRY(expect(TokenKind::RBracket, "`]`", "after the index"));
      ExprPtr e = node(ExprKind::Load, token);
      e->name = std::string(word);
      const unsigned depth = index.depth + 1;
      e->args.push_back(std::move(index.expr));
      VYRE_TRY(check_depth(token, depth));
      return Parsed{std::move(e), depth};
    }
    if (!at(TokenKind::LParen)) {
      ExprPtr e = node(ExprKind::Local, token);
      e->name = std::string(word);
      return Parsed{std::move(e), 1};
    }
    if (word == "len") return parse_len(token);
    if (const std::optional<AtomicOp> atomic = atomic_from_name(word))
      return parse_atomic(token, *atomic);
    ExprPtr e = node(word == "select" ? ExprKind::Select : ExprKind::Call, token);
    if (e->kind == ExprKind::Call) e->name = std::string(word);
    const unsigned depth = VYRE_TRY(parse_arguments(*e, 0));
    if (e->kind == ExprKind::Select && e->args.size() != 3) {
      return fail(token, code::UnexpectedToken,
                  "select takes 3 arguments, found " + std::to_string(e->args.size()),
                  "write select(condition, value_if_true, value_if_false)");
    }
    return Parsed{std::move(e), depth};
  }

  // `(` [expr {`,` expr}] `)` appended to e.args; returns the call's tree depth.
  Result<unsigned> parse_arguments(Expr& e, unsigned depth) {
    const Token& open = VYRE_TRY(expect(TokenKind::LParen, "`(`", "to open the arguments"));
    ++brackets_;
    if (!at(TokenKind::RParen)) {
      for (;;) {
        Parsed arg = VYRE_TRY(parse_expr());
        depth = std::max(depth, arg.depth);
        e.args.push_back(std::move(arg.expr));
        if (!at(TokenKind::Comma)) break;
        next();
      }
    }
    --brackets_;
    VYRE_TRY(expect(TokenKind::RParen, "`,` or `)`", "after the arguments",
                    "separate arguments with `,` and close them with `)`"));
    VYRE_TRY(check_depth(open, depth + 1));
    return depth + 1;
  }

  Result<Parsed> parse_cast(const Token& type_token, Type type) {
    if (!at(TokenKind::LParen)) {
      return fail(
          peek(), code::UnexpectedToken,
          "expected `(` after type " + describe(type_token) + ", found " + describe(peek()),
          "a type name in an expression is a cast: " + std::string(type_token.text) + "(x)");
    }
    ExprPtr e = node(ExprKind::Cast, type_token);
    e->type = type;
    const unsigned depth = VYRE_TRY(parse_arguments(*e, 0));
    if (e->args.size() != 1) {
      return fail(type_token, code::UnexpectedToken,
                  "a cast takes 1 argument, found " + std::to_string(e->args.size()),
                  "write " + std::string(type_token.text) + "(value)");
    }
    return Parsed{std::move(e), depth};
  }

  // f32.inf, f32.nan, f32.bits(0x7fc00001) and the f64 forms: every float bit pattern has a
  // spelling, so the printer can round-trip any literal.
  Result<Parsed> parse_special_float(const Token& type_token, Type type) {
    next();  // .
    const Token& what = peek();
    if (!is_float(type) || what.kind != TokenKind::Identifier ||
        (what.text != "inf" && what.text != "nan" && what.text != "bits")) {
      return fail(what, code::UnexpectedToken,
                  "expected `inf`, `nan` or `bits(...)` after `" + std::string(type_token.text) +
                      ".`, found " + describe(what),
                  "special float literals are f32.inf, f32.nan, f32.bits(0x7fc00001) and the same "
                  "for f64");
    }
    next();
    ExprPtr e = node(ExprKind::Literal, type_token);
    e->op = static_cast<std::uint8_t>(LiteralForm::Typed);
    e->type = type;
    const bool f32 = type == Type::F32;
    if (what.text == "inf") {
      e->bits = f32 ? 0x7f800000u : 0x7ff0000000000000ull;
    } else if (what.text == "nan") {
      e->bits = f32 ? 0x7fc00000u : 0x7ff8000000000000ull;
    } else {
      VYRE_TRY(expect(TokenKind::LParen, "`(`", "after `bits`"));
      const Token& pattern = peek();
      e->bits = VYRE_TRY(expect_plain_integer("a float bit pattern"));
      if (f32 && e->bits > UINT32_MAX) {
        return fail(pattern, code::BadNumber,
                    "bit pattern " + std::string(pattern.text) + " does not fit in 32 bits",
                    "f32.bits takes at most 0xffffffff");
      }
      VYRE_TRY(expect(TokenKind::RParen, "`)`", "after the bit pattern"));
    }
    return Parsed{std::move(e), 1};
  }

  Result<Parsed> parse_len(const Token& token) {
    next();  // (
    const Token& memory = peek();
    if (memory.kind != TokenKind::Identifier || peek(1).kind != TokenKind::RParen) {
      return fail(memory, code::UnexpectedToken,
                  "expected a buffer or shared array name in `len(...)`, found " + describe(memory),
                  "write len(NAME), e.g. len(y)");
    }
    ExprPtr e = node(ExprKind::Len, token);
    e->name = std::string(VYRE_TRY(expect_name("buffer or shared array name")).text);
    next();  // )
    return Parsed{std::move(e), 1};
  }

  // atomic_OP(memory[index], value) and atomic_compare_exchange(memory[index], expected, desired).
  Result<Parsed> parse_atomic(const Token& token, AtomicOp op) {
    next();  // (
    ++brackets_;
    const std::string name(VYRE_TRY(expect_name("buffer or shared array name")).text);
    VYRE_TRY(
        expect(TokenKind::LBracket, "`[`", "after the atomic's memory name",
               "atomics take an element: " + std::string(token.text) + "(NAME[index], value)"));
    ExprPtr e = node(ExprKind::Atomic, token);
    e->op = static_cast<std::uint8_t>(op);
    e->name = name;
    Parsed index = VYRE_TRY(parse_expr());
    unsigned depth = index.depth;
    e->args.push_back(std::move(index.expr));
    VYRE_TRY(expect(TokenKind::RBracket, "`]`", "after the index"));
    const int operands = op == AtomicOp::CompareExchange ? 2 : 1;
    for (int i = 0; i < operands; ++i) {
      VYRE_TRY(expect(TokenKind::Comma, "`,`",
                      i == 0 ? "after the atomic's element" : "after the expected value",
                      op == AtomicOp::CompareExchange
                          ? "write atomic_compare_exchange(NAME[index], expected, desired)"
                          : "write " + std::string(token.text) + "(NAME[index], value)"));
      Parsed value = VYRE_TRY(parse_expr());
      depth = std::max(depth, value.depth);
      e->args.push_back(std::move(value.expr));
    }
    --brackets_;
    VYRE_TRY(expect(TokenKind::RParen, "`)`", "after the atomic's operands"));
    VYRE_TRY(check_depth(token, depth + 1));
    return Parsed{std::move(e), depth + 1};
  }

  Lexed lexed_;
  std::string_view file_;
  std::size_t pos_ = 0;
  unsigned block_depth_ = 0;
  unsigned recursion_ = 0;
  unsigned brackets_ = 0;  // open ( and [ inside expressions: line breaks do not end statements
  std::map<std::string, std::uint64_t> plain_consts_;  // consts usable as sizes, steps and caps
};

}  // namespace
}  // namespace text

Result<ProgramData> parse_unchecked(std::string_view text, std::string_view file) {
  Result<ProgramData> result = text::Parser(text::lex(text), file).parse_kernel();
  if (result.ok()) return result;
  Diagnostic error = std::move(result).error();
  error.file = std::string(file);  // literal errors are raised before fail() can add it
  return error;
}

Result<Program> parse_program(std::string_view text, const CheckOptions& options) {
  ProgramData draft = VYRE_TRY(parse_unchecked(text, options.file));
  return check(std::move(draft), options);
}

}  // namespace vyre::ir
