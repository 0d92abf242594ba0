// Literal spellings of the text format: reading a number token into a value and bit pattern,
// and printing any literal so that it reads back to the same bits (docs/IR.md, "Literals").
#pragma once

#include <cstdint>
#include <string>

#include "ir/text/lexer.h"
#include "vyre/diag/result.h"
#include "vyre/ir/ast.h"

namespace vyre::ir::text {

struct LiteralValue {
  LiteralForm form = LiteralForm::Typed;
  Type type = Type::Unknown;
  std::uint64_t bits = 0;
};

// Converts a Number token. `negated`: the literal is the operand of a unary minus, which lets a
// signed literal reach the magnitude of its type's minimum (-2147483648i).
Result<LiteralValue> read_number(const Token& token, bool negated);

// An unsuffixed integer literal (counts, caps, steps, bindings) as a plain value.
Result<std::uint64_t> read_plain_integer(const Token& token, std::string_view what);

// The canonical spelling of a literal node: "1.5f32", "7u", "0xffffffffi", "f32.nan",
// "f64.bits(0x8000000000000000)", "true".
std::string format_literal(const Expr& literal);

}  // namespace vyre::ir::text
