// The text format's tokens and lexer (docs/IR.md, "Lexical structure"). Private to src/ir/text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/diag/diagnostic.h"

namespace vyre::ir::text {

enum class TokenKind : std::uint8_t {
  End,         // end of input
  Error,       // the lexer stopped here; Lexed::error says why
  Identifier,  // names, keywords and type names alike; the parser tells them apart
  Number,      // integer or float literal with its suffix, unconverted
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Semicolon,
  Dot,
  DotDot,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Amp,
  Pipe,
  Caret,
  Tilde,
  Bang,
  Assign,
  EqEq,
  NotEq,
  Lt,
  Le,
  Gt,
  Ge,
  Shl,
  Shr,
  AndAnd,
  OrOr,
  CompoundAssign,  // += -= *= /= %= &= |= ^= <<= >>=: the operator is the text without `=`
  Question,        // `?`, only to explain that vyre has select() instead
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string_view text;  // the token's spelling in the source
  SourceLocation loc;
  bool line_start = false;  // the first token on its line (statements end at line breaks)
};

// The whole token stream. When the lexer meets a bad character or comment it stops: the last
// token is then Error and `error` explains it, so the parser reports errors in source order.
struct Lexed {
  std::vector<Token> tokens;  // always ends with End or Error
  std::optional<Diagnostic> error;
};

Lexed lex(std::string_view source);

// "`)`", "name `foo`", "number `1.5`", "end of input": how messages name a token.
std::string describe(const Token& token);

}  // namespace vyre::ir::text
