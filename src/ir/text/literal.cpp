#include "ir/text/literal.h"

#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "vyre/diag/codes.h"

namespace vyre::ir::text {
namespace {

constexpr std::string_view kSuffixHelp =
    "integer suffixes are u (u32), i (i32), u64 and i64; float suffixes are f32 (or f) and f64; "
    "no suffix lets the type come from context";

Diagnostic bad_number(const Token& token, std::string message, std::string help) {
  return Diagnostic::error(code::BadNumber, std::move(message), std::move(help)).at(token.loc);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A number token split into its digits and its suffix.
struct Spelling {
  std::string_view digits;
  std::string_view suffix;
  bool hex = false;
  bool has_point_or_exponent = false;
};

Spelling split(std::string_view text) {
  Spelling s;
  std::size_t i = 0;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    s.hex = true;
    i = 2;
    while (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) ++i;
  } else {
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i < text.size() && text[i] == '.') {
      s.has_point_or_exponent = true;
      ++i;
      while (i < text.size() && is_digit(text[i])) ++i;
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
      // The lexer only keeps an `e` in the number when digits follow it.
      std::size_t j = i + 1;
      if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
      if (j < text.size() && is_digit(text[j])) {
        s.has_point_or_exponent = true;
        i = j;
        while (i < text.size() && is_digit(text[i])) ++i;
      }
    }
  }
  s.digits = text.substr(0, i);
  s.suffix = text.substr(i);
  return s;
}

std::optional<Type> suffix_type(std::string_view suffix) {
  if (suffix == "u" || suffix == "u32") return Type::U32;
  if (suffix == "i" || suffix == "i32") return Type::I32;
  if (suffix == "u64") return Type::U64;
  if (suffix == "i64") return Type::I64;
  if (suffix == "f" || suffix == "f32") return Type::F32;
  if (suffix == "f64") return Type::F64;
  return std::nullopt;
}

// Digits (after any 0x) to a u64, or nullopt on overflow or no digits.
std::optional<std::uint64_t> to_u64(std::string_view digits, bool hex) {
  if (hex) digits.remove_prefix(2);
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  auto [ptr, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return value;
}

std::string hex_string(std::uint64_t bits, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(bits));
  return buf;
}

// Shortest decimal that reads back to exactly `value`, always with a `.` or exponent so that it
// lexes as a float literal.
template <class F>
std::string shortest_decimal(F value) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  std::string out(buf, result.ptr);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

// A negative value prints as `-` and its magnitude: the parser reads that as a unary minus on a
// literal, which the checker folds back into this literal (check.cpp). NaNs other than the
// canonical quiet NaN keep their sign and payload through the bit-exact form.
std::string format_f32(std::uint32_t bits) {
  const auto value = std::bit_cast<float>(bits);
  if (value != value)
    return bits == 0x7fc00000u ? "f32.nan" : "f32.bits(" + hex_string(bits, 8) + ")";
  const std::string sign = (bits >> 31) != 0 ? "-" : "";
  if (std::isinf(value)) return sign + "f32.inf";
  return sign + shortest_decimal(std::fabs(value)) + "f32";
}

std::string format_f64(std::uint64_t bits, LiteralForm form) {
  const auto value = std::bit_cast<double>(bits);
  const bool typed = form == LiteralForm::Typed;
  if (value != value) {
    return bits == 0x7ff8000000000000ull ? "f64.nan" : "f64.bits(" + hex_string(bits, 16) + ")";
  }
  const std::string sign = (bits >> 63) != 0 ? "-" : "";
  if (std::isinf(value)) return sign + "f64.inf";
  return sign + shortest_decimal(std::fabs(value)) + (typed ? "f64" : "");
}

std::string signed_integer(std::uint64_t bits, unsigned width, std::string_view suffix) {
  const std::uint64_t sign = std::uint64_t{1} << (width - 1);
  if ((bits & sign) == 0) return std::to_string(bits) + std::string(suffix);
  const std::uint64_t mask = width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
  return "-" + std::to_string((0 - bits) & mask) + std::string(suffix);
}

}  // namespace

Result<LiteralValue> read_number(const Token& token, bool negated) {
  const Spelling s = split(token.text);
  std::optional<Type> type;
  if (!s.suffix.empty()) {
    type = suffix_type(s.suffix);
    if (!type) {
      return bad_number(token,
                        "unknown suffix `" + std::string(s.suffix) + "` on number `" +
                            std::string(token.text) + "`",
                        std::string(kSuffixHelp));
    }
  }
  const bool is_float_literal = s.has_point_or_exponent || (type && is_float(*type));
  if (is_float_literal) {
    if (type && !is_float(*type)) {
      return bad_number(token,
                        "integer suffix `" + std::string(s.suffix) + "` on float literal `" +
                            std::string(token.text) + "`",
                        "write an integer without `.` or exponent, or use a float suffix (f32, "
                        "f64), or cast: u32(1.5)");
    }
    const char* first = s.digits.data();
    const char* last = first + s.digits.size();
    if (type == Type::F32) {
      float value = 0;
      auto [ptr, ec] = std::from_chars(first, last, value);
      if (ec != std::errc() || ptr != last) {
        return bad_number(token,
                          "float literal `" + std::string(token.text) + "` is out of range for f32",
                          "f32 holds magnitudes from about 1.4e-45 to 3.4e38; use f64, or "
                          "f32.inf / f32.bits(...) for special values");
      }
      return LiteralValue{LiteralForm::Typed, Type::F32, std::bit_cast<std::uint32_t>(value)};
    }
    double value = 0;
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last) {
      return bad_number(token,
                        "float literal `" + std::string(token.text) + "` is out of range for f64",
                        "f64 holds magnitudes from about 4.9e-324 to 1.8e308; use f64.inf or "
                        "f64.bits(...) for special values");
    }
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(value);
    if (type) return LiteralValue{LiteralForm::Typed, Type::F64, bits};
    return LiteralValue{LiteralForm::UntypedFloat, Type::Unknown, bits};
  }

  const std::optional<std::uint64_t> value = to_u64(s.digits, s.hex);
  if (!value) {
    if (s.hex && s.digits.size() == 2) {
      return bad_number(token, "hex literal `" + std::string(token.text) + "` has no digits",
                        "write hex digits after 0x, e.g. 0xff");
    }
    return bad_number(token,
                      "integer literal `" + std::string(token.text) + "` does not fit in 64 bits",
                      "the largest integer literal is 18446744073709551615 (0xffffffffffffffff)");
  }
  if (!type) return LiteralValue{LiteralForm::UntypedInt, Type::Unknown, *value};

  const unsigned width = bit_width(*type);
  const std::uint64_t all_bits = width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
  std::uint64_t limit = all_bits;
  // Literals are magnitudes (a leading minus is an operator): a signed literal reaches its
  // type's maximum, or one more directly under a minus (-2147483648i).
  if (is_signed_integer(*type)) limit = (all_bits >> 1) + (negated ? 1 : 0);
  if (*value > limit) {
    return bad_number(token,
                      "integer literal `" + std::string(token.text) + "` is out of range for " +
                          std::string(type_name(*type)),
                      "the largest " + std::string(type_name(*type)) + " literal is " +
                          std::to_string(limit) + "; use a wider type (u64, i64)");
  }
  return LiteralValue{LiteralForm::Typed, *type, *value};
}

Result<std::uint64_t> read_plain_integer(const Token& token, std::string_view what) {
  const Spelling s = split(token.text);
  if (!s.suffix.empty() || s.has_point_or_exponent) {
    return bad_number(token,
                      "expected a plain integer for " + std::string(what) + ", found `" +
                          std::string(token.text) + "`",
                      "write it without suffix, point or exponent, e.g. 256");
  }
  const std::optional<std::uint64_t> value = to_u64(s.digits, s.hex);
  if (!value) {
    return bad_number(token, "integer `" + std::string(token.text) + "` does not fit in 64 bits",
                      "use a smaller value");
  }
  return *value;
}

std::string format_literal(const Expr& literal) {
  const std::uint64_t bits = literal.bits;
  const auto form = static_cast<LiteralForm>(literal.op);
  if (form == LiteralForm::UntypedInt) return std::to_string(bits);
  if (form == LiteralForm::UntypedFloat) return format_f64(bits, form);
  switch (literal.type) {
    case Type::Bool:
      return bits != 0 ? "true" : "false";
    case Type::I32:
      return signed_integer(bits & 0xffffffffu, 32, "i");
    case Type::U32:
      return std::to_string(bits & 0xffffffffu) + "u";
    case Type::I64:
      return signed_integer(bits, 64, "i64");
    case Type::U64:
      return std::to_string(bits) + "u64";
    case Type::F32:
      return format_f32(static_cast<std::uint32_t>(bits));
    case Type::F64:
      return format_f64(bits, form);
    case Type::Unknown:
      break;
  }
  return std::to_string(bits);  // best effort for an unchecked, malformed literal
}

}  // namespace vyre::ir::text
