// Syntax errors: every VY1xxx code from a real bad input, at the right line:column, with a
// message naming what was expected and found and a help line; and no crash or hang on hostile
// input (deep nesting, long chains, truncations of valid programs).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"

namespace vyre::ir {
namespace {

struct BadInput {
  const char* text;
  std::string_view code;
  std::uint32_t line;
  std::uint32_t column;
  const char* message_part;  // a substring the message must contain
};

// Wraps a statement list in a kernel: statement text starts on line 2, column 3.
std::string in_kernel(std::string_view statements) {
  return "kernel k workgroup(1) {\n  " + std::string(statements) + "\n}\n";
}

void expect_error(const std::string& text, std::string_view code, std::uint32_t line,
                  std::uint32_t column, std::string_view message_part) {
  auto result = parse_unchecked(text, "bad.vy");
  ASSERT_FALSE(result.ok()) << "parsed, but should fail with " << code << ":\n" << text;
  const Diagnostic& d = result.error();
  EXPECT_EQ(d.code, code) << d.message << "\n" << text;
  EXPECT_EQ(d.location, (SourceLocation{line, column})) << d.message << "\n" << text;
  EXPECT_NE(d.message.find(message_part), std::string::npos)
      << "message: " << d.message << "\nwanted: " << message_part;
  EXPECT_FALSE(d.help.empty()) << d.message;
  EXPECT_EQ(d.file, "bad.vy");
  EXPECT_NE(find_code(d.code), nullptr) << d.code << " is not in the catalogue";
}

TEST(TextErrors, EveryCodeAtItsPosition) {
  const BadInput kCases[] = {
      // VY1001 unexpected character
      {"kernel k workgroup(1) {\n  let x = $\n}", code::UnexpectedCharacter, 2, 11, "`$`"},
      {"kernel k workgroup(1) {\n  let x = 1 @ 2\n}", code::UnexpectedCharacter, 2, 13, "`@`"},
      {"kernel k workgroup(1) {\n  let \xc3\xa9 = 1\n}", code::UnexpectedCharacter, 2, 7, "0xc3"},
      {"kernel k workgroup(1) {\n  let s = \"text\"\n}", code::UnexpectedCharacter, 2, 11, "`\"`"},
      // VY1002 unexpected token
      {"kernel k workgroup(1) {\n  let y = f(a, b {\n}", code::UnexpectedToken, 2, 18,
       "expected `,` or `)` after the arguments, found `{`"},
      {"kernel k workgroup(1) {\n  let = 1\n}", code::UnexpectedToken, 2, 7,
       "expected a local name, found `=`"},
      {"kernel k workgroup(1) {\n  let x 1\n}", code::UnexpectedToken, 2, 9, "expected `=`"},
      {"kernel k workgroup(1) {\n  if x < 1 {\n", code::UnexpectedToken, 3, 1,
       "expected `}` to close the block, found end of input"},
      {"kernel k workgroup(1) {\n  let x = 1 let y = 2\n}", code::UnexpectedToken, 2, 13,
       "expected a line break or `;` after the statement, found `let`"},
      {"kern k workgroup(1) {}", code::UnexpectedToken, 1, 1, "expected `kernel`"},
      {"kernel k {}", code::UnexpectedToken, 1, 10, "expected `workgroup`"},
      {"kernel k workgroup(1) {}\nkernel j workgroup(1) {}", code::UnexpectedToken, 2, 1,
       "expected end of input after the kernel"},
      {"kernel let workgroup(1) {}", code::UnexpectedToken, 1, 8, "reserved word `let`"},
      {"kernel k workgroup(1) {\n  let f32 = 1\n}", code::UnexpectedToken, 2, 7,
       "reserved word `f32`"},
      {"kernel k workgroup(1) {\n  let x = 1\n  param a: f32\n}", code::UnexpectedToken, 3, 3,
       "after the first statement"},
      {"kernel k workgroup(1) {\n  if c { buffer b: read f32[4] }\n}", code::UnexpectedToken, 2, 10,
       "inside a block"},
      {"kernel k workgroup(1) {\n  buffer b: f32[4]\n}", code::UnexpectedToken, 2, 13,
       "expected an access mode"},
      {"kernel k workgroup(1) {\n  shared t: f32[n]\n}", code::UnexpectedToken, 2, 17,
       "must be a fixed integer"},
      {"kernel k workgroup(1) {\n  let x = global_id\n}", code::UnexpectedToken, 3, 1,
       "expected `.x`, `.y` or `.z`"},
      {"kernel k workgroup(1) {\n  let x = global_id.w\n}", code::UnexpectedToken, 2, 21,
       "expected `x`, `y` or `z`"},
      {"kernel k workgroup(1) {\n  let x = len(a + 1)\n}", code::UnexpectedToken, 2, 15,
       "expected a buffer or shared array name in `len(...)`"},
      {"kernel k workgroup(1) {\n  atomic_add(h, 1)\n}", code::UnexpectedToken, 2, 15,
       "expected `[`"},
      {"kernel k workgroup(1) {\n  atomic_compare_exchange(h[0], 1)\n}", code::UnexpectedToken, 2,
       34, "expected `,` after the expected value"},
      {"kernel k workgroup(1) {\n  let x = select(a, b)\n}", code::UnexpectedToken, 2, 11,
       "select takes 3 arguments, found 2"},
      {"kernel k workgroup(1) {\n  let x = f32(a, b)\n}", code::UnexpectedToken, 2, 11,
       "a cast takes 1 argument"},
      {"kernel k workgroup(1) {\n  let x = f32 + 1\n}", code::UnexpectedToken, 2, 15,
       "expected `(` after type `f32`"},
      {"kernel k workgroup(1) {\n  let x = u32.inf\n}", code::UnexpectedToken, 2, 15,
       "expected `inf`, `nan` or `bits(...)`"},
      {"kernel k workgroup(1) {\n  a + b = 1\n}", code::UnexpectedToken, 2, 9,
       "expected a variable or `memory[index]` before `=`"},
      {"kernel k workgroup(1) {\n  else { }\n}", code::UnexpectedToken, 2, 3,
       "`else` without `if`"},
      {"kernel k workgroup(1) {\n  for i in 0 to 10 {}\n}", code::UnexpectedToken, 2, 14,
       "expected `..`"},
      {"kernel k workgroup(1) {\n  let x = (1 + 2\n}", code::UnexpectedToken, 3, 1,
       "expected `)` to close the parenthesis"},
      {"kernel k workgroup(1) {\n  barrier\n}", code::UnexpectedToken, 3, 1, "expected `(`"},
      {"kernel k workgroup(1) {\n  let x = let\n}", code::UnexpectedToken, 2, 11, "keyword `let`"},
      {"kernel k workgroup(1) {\n  let x = 1 +\n}", code::UnexpectedToken, 3, 1,
       "expected an expression, found `}`"},
      {"kernel k workgroup(1) {\n  while c max x {}\n}", code::UnexpectedToken, 2, 15,
       "expected a while-loop cap (an integer literal or a const)"},
      {"kernel k workgroup(1) dispatch(n + 1) {}", code::UnexpectedToken, 1, 34,
       "sizes are products"},
      // VY1003 bad number
      {"kernel k workgroup(1) {\n  let x = 300000000000u\n}", code::BadNumber, 2, 11,
       "out of range for u32"},
      {"kernel k workgroup(1) {\n  let x = 2147483648i\n}", code::BadNumber, 2, 11,
       "out of range for i32"},
      {"kernel k workgroup(1) {\n  let x = -2147483649i\n}", code::BadNumber, 2, 12,
       "out of range for i32"},
      {"kernel k workgroup(1) {\n  let x = 99999999999999999999\n}", code::BadNumber, 2, 11,
       "does not fit in 64 bits"},
      {"kernel k workgroup(1) {\n  let x = 12abc\n}", code::BadNumber, 2, 11,
       "unknown suffix `abc`"},
      {"kernel k workgroup(1) {\n  let x = 1.5u\n}", code::BadNumber, 2, 11,
       "integer suffix `u` on float literal"},
      {"kernel k workgroup(1) {\n  let x = 1e39f32\n}", code::BadNumber, 2, 11,
       "out of range for f32"},
      {"kernel k workgroup(1) {\n  let x = 1e999\n}", code::BadNumber, 2, 11,
       "out of range for f64"},
      {"kernel k workgroup(1) {\n  let x = 0x\n}", code::BadNumber, 2, 11, "has no digits"},
      {"kernel k workgroup(1) {\n  let x = 1e\n}", code::BadNumber, 2, 11, "unknown suffix `e`"},
      {"kernel k workgroup(1) {\n  let x = f32.bits(0x100000000)\n}", code::BadNumber, 2, 20,
       "does not fit in 32 bits"},
      {"kernel k workgroup(1) {\n  for i in 0..4 step 2u {}\n}", code::BadNumber, 2, 22,
       "expected a plain integer for the loop step"},
      {"kernel k workgroup(1.5) {}", code::BadNumber, 1, 20, "plain integer"},
      {"kernel k workgroup(1) {\n  buffer b: read f32[4] binding(4294967296)\n}", code::BadNumber,
       2, 33, "does not fit in 32 bits"},
      // VY1004 unknown type
      {"kernel k workgroup(1) {\n  param a: float\n}", code::UnknownType, 2, 12,
       "unknown type `float`"},
      {"kernel k workgroup(1) {\n  buffer b: read int[4]\n}", code::UnknownType, 2, 18,
       "unknown type `int`"},
      {"kernel k workgroup(1) {\n  let x: f16 = 1\n}", code::UnknownType, 2, 10,
       "unknown type `f16`"},
      // VY1005 unterminated comment
      {"kernel k workgroup(1) {\n  /* never closed\n}", code::UnterminatedComment, 2, 3,
       "unterminated block comment"},
      {"/*", code::UnterminatedComment, 1, 1, "unterminated block comment"},
      // VY1006 workgroup and dispatch sizes
      {"kernel k workgroup(0) {}", code::BadWorkgroupSize, 1, 20, "out of range"},
      {"kernel k workgroup(2048) {}", code::BadWorkgroupSize, 1, 20, "out of range"},
      {"kernel k workgroup(64, 32) {}", code::BadWorkgroupSize, 1, 10, "2048 invocations"},
      {"kernel k workgroup(1, 1, 1, 1) {}", code::BadWorkgroupSize, 1, 27, "at most three"},
      {"kernel k workgroup(1) dispatch(0) {}", code::BadWorkgroupSize, 1, 32,
       "dispatch size is zero"},
      {"kernel k workgroup(1) dispatch(n, m, k, j) {}", code::BadWorkgroupSize, 1, 39,
       "at most three"},
  };
  for (const BadInput& c : kCases) {
    SCOPED_TRACE(c.text);
    expect_error(c.text, c.code, c.line, c.column, c.message_part);
  }
}

TEST(TextErrors, FirstErrorInSourceOrder) {
  // A parse error before a bad character is reported first, and a bad character before a parse
  // error wins.
  expect_error(in_kernel("let = 1\n  let y = $"), code::UnexpectedToken, 2, 7,
               "expected a local name");
  expect_error(in_kernel("let x = $\n  let = 1"), code::UnexpectedCharacter, 2, 11, "`$`");
}

TEST(TextErrors, NestingIsCapped) {
  const std::string deep_parens =
      in_kernel("let x = " + std::string(5000, '(') + "1" + std::string(5000, ')'));
  auto r = parse_unchecked(deep_parens);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::TooDeeplyNested);

  std::string chain = "let x = a";
  for (int i = 0; i < 100000; ++i) chain += " + a";
  r = parse_unchecked(in_kernel(chain));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::TooDeeplyNested);
  EXPECT_EQ(r.error().location.line, 2u);

  r = parse_unchecked(in_kernel("let x = " + std::string(100000, '-') + "1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::TooDeeplyNested);

  std::string blocks;
  for (int i = 0; i < 1000; ++i) blocks += "if c {\n";
  r = parse_unchecked(in_kernel(blocks));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::TooDeeplyNested);

  std::string chain_if = "if c {}";
  for (int i = 0; i < 1000; ++i) chain_if += " else if c {}";
  r = parse_unchecked(in_kernel(chain_if));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::TooDeeplyNested);

  std::string calls = "let x = ";
  for (int i = 0; i < 1000; ++i) calls += "f(";
  r = parse_unchecked(in_kernel(calls + "1" + std::string(1000, ')')));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::TooDeeplyNested);

  std::string loads = "let x = ";
  for (int i = 0; i < 1000; ++i) loads += "m[";
  r = parse_unchecked(in_kernel(loads + "1" + std::string(1000, ']')));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::TooDeeplyNested);
}

// Every prefix of every example is either a valid program or fails with a catalogued syntax
// code at a position inside the text; none crashes.
TEST(TextErrors, TruncatedExamplesFailCleanly) {
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(VYRE_SOURCE_DIR) / "examples")) {
    if (entry.path().extension() != ".vy") continue;
    std::ifstream in(entry.path());
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    for (std::size_t cut = 0; cut + 1 < text.size(); cut += 7) {
      auto r = parse_unchecked(std::string_view(text).substr(0, cut));
      if (r.ok()) continue;
      ++checked;
      const Diagnostic& d = r.error();
      EXPECT_EQ(d.code.substr(0, 3), "VY1") << d.code << " " << d.message;
      EXPECT_TRUE(d.location.known());
      EXPECT_NE(find_code(d.code), nullptr);
    }
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace vyre::ir
