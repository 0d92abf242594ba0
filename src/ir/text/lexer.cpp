#include "ir/text/lexer.h"

#include <cstdio>

#include "vyre/diag/codes.h"

namespace vyre::ir::text {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}

// Walks the source once, tracking line and column (1-based, in bytes).
class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}

  Lexed run() {
    Lexed out;
    for (;;) {
      if (auto error = skip_space_and_comments()) {
        out.tokens.push_back(Token{TokenKind::Error, {}, error->location, line_start_});
        out.error = std::move(error);
        return out;
      }
      Token token;
      token.loc = here();
      token.line_start = line_start_;
      line_start_ = false;
      if (pos_ >= src_.size()) {
        token.kind = TokenKind::End;
        out.tokens.push_back(token);
        return out;
      }
      const std::size_t start = pos_;
      const char c = src_[pos_];
      if (is_name_start(c)) {
        while (pos_ < src_.size() && is_name_char(src_[pos_])) advance();
        token.kind = TokenKind::Identifier;
      } else if (is_digit(c)) {
        lex_number();
        token.kind = TokenKind::Number;
      } else if (auto kind = lex_punctuation()) {
        token.kind = *kind;
      } else {
        token.kind = TokenKind::Error;
        out.tokens.push_back(token);
        out.error = bad_character(c, token.loc);
        return out;
      }
      token.text = src_.substr(start, pos_ - start);
      out.tokens.push_back(token);
    }
  }

 private:
  SourceLocation here() const { return {line_, column_}; }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }
  void advance() {
    if (src_[pos_] == '\n') {
      ++line_;
      column_ = 1;
      line_start_ = true;
    } else {
      ++column_;
    }
    ++pos_;
  }

  std::optional<Diagnostic> skip_space_and_comments() {
    while (pos_ < src_.size()) {
      const char c = src_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        advance();
      } else if (c == '/' && peek(1) == '/') {
        while (pos_ < src_.size() && src_[pos_] != '\n') advance();
      } else if (c == '/' && peek(1) == '*') {
        const SourceLocation opened = here();
        advance();
        advance();
        for (;;) {
          if (pos_ >= src_.size()) {
            return Diagnostic::error(code::UnterminatedComment,
                                     "unterminated block comment: found end of input before `*/`",
                                     "close the comment with `*/`")
                .at(opened);
          }
          if (src_[pos_] == '*' && peek(1) == '/') {
            advance();
            advance();
            break;
          }
          advance();
        }
      } else {
        break;
      }
    }
    return std::nullopt;
  }

  // Shapes only: digits, optional fraction and exponent, then any suffix letters. The parser
  // converts the spelling and reports bad suffixes and out-of-range values (VY1003).
  void lex_number() {
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      advance();
      advance();
      while (is_hex_digit(peek())) advance();
    } else {
      while (is_digit(peek())) advance();
      if (peek() == '.' && is_digit(peek(1))) {
        advance();
        while (is_digit(peek())) advance();
      }
      if ((peek() == 'e' || peek() == 'E') &&
          (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
        advance();
        if (peek() == '+' || peek() == '-') advance();
        while (is_digit(peek())) advance();
      }
    }
    while (is_name_char(peek())) advance();
  }

  std::optional<TokenKind> lex_punctuation() {
    const char c = peek();
    const char n = peek(1);
    auto two = [&](TokenKind kind) {
      advance();
      advance();
      return kind;
    };
    auto one = [&](TokenKind kind) {
      advance();
      return kind;
    };
    // `op=` for the arithmetic and bitwise operators (not `==`, `!=`, `<=`, `>=`).
    if (n == '=' && (c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '&' ||
                     c == '|' || c == '^')) {
      return two(TokenKind::CompoundAssign);
    }
    if ((c == '<' || c == '>') && n == c && peek(2) == '=') {
      advance();
      return two(TokenKind::CompoundAssign);
    }
    switch (c) {
      case '(':
        return one(TokenKind::LParen);
      case ')':
        return one(TokenKind::RParen);
      case '{':
        return one(TokenKind::LBrace);
      case '}':
        return one(TokenKind::RBrace);
      case '[':
        return one(TokenKind::LBracket);
      case ']':
        return one(TokenKind::RBracket);
      case ',':
        return one(TokenKind::Comma);
      case ':':
        return one(TokenKind::Colon);
      case ';':
        return one(TokenKind::Semicolon);
      case '.':
        return n == '.' ? two(TokenKind::DotDot) : one(TokenKind::Dot);
      case '?':
        return one(TokenKind::Question);
      case '+':
        return one(TokenKind::Plus);
      case '-':
        return one(TokenKind::Minus);
      case '*':
        return one(TokenKind::Star);
      case '/':
        return one(TokenKind::Slash);
      case '%':
        return one(TokenKind::Percent);
      case '^':
        return one(TokenKind::Caret);
      case '~':
        return one(TokenKind::Tilde);
      case '&':
        return n == '&' ? two(TokenKind::AndAnd) : one(TokenKind::Amp);
      case '|':
        return n == '|' ? two(TokenKind::OrOr) : one(TokenKind::Pipe);
      case '!':
        return n == '=' ? two(TokenKind::NotEq) : one(TokenKind::Bang);
      case '=':
        return n == '=' ? two(TokenKind::EqEq) : one(TokenKind::Assign);
      case '<':
        if (n == '<') return two(TokenKind::Shl);
        return n == '=' ? two(TokenKind::Le) : one(TokenKind::Lt);
      case '>':
        if (n == '>') return two(TokenKind::Shr);
        return n == '=' ? two(TokenKind::Ge) : one(TokenKind::Gt);
      default:
        return std::nullopt;
    }
  }

  static Diagnostic bad_character(char c, SourceLocation where) {
    std::string shown;
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      shown = std::string("`") + c + "`";
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", byte);
      shown = std::string("byte ") + hex;
    }
    return Diagnostic::error(code::UnexpectedCharacter, "unexpected character " + shown,
                             "remove it; vyre text uses ASCII names, numbers and the operators "
                             "listed in docs/IR.md (non-ASCII text is allowed only in comments)")
        .at(where);
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
  bool line_start_ = true;
};

}  // namespace

Lexed lex(std::string_view source) {
  return Lexer(source).run();
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::End:
      return "end of input";
    case TokenKind::Error:
      return "an invalid character";
    case TokenKind::Identifier:
      return "`" + std::string(token.text) + "`";
    case TokenKind::Number:
      return "number `" + std::string(token.text) + "`";
    default:
      return "`" + std::string(token.text) + "`";
  }
}

}  // namespace vyre::ir::text
