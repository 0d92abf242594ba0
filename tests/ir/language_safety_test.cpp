// The language's guards against silent wrong answers (docs/IR.md, issue 20): statements without
// effect, literals that do not fit their context, loop caps, and the diagnostics where a newcomer
// stumbles — plus the syntax added for them (compound assignment, named constants).
#include <gtest/gtest.h>

#include <string>

#include "vyre/diag/codes.h"
#include "vyre/ir/encoding.h"
#include "vyre/ir/loop_status.h"
#include "vyre/ir/text.h"

namespace vyre::ir {
namespace {

std::string kernel(const std::string& body) {
  return "kernel k workgroup(64) {\n" + body + "\n}\n";
}

Diagnostic fails(const std::string& text) {
  auto program = parse_program(text);
  if (program) {
    ADD_FAILURE() << "expected a diagnostic for:\n" << text;
    return Diagnostic::error("none", "", "");
  }
  EXPECT_FALSE(program.error().help.empty());
  return program.error();
}

Program passes(const std::string& text) {
  auto program = parse_program(text);
  if (!program) {
    ADD_FAILURE() << program.error().code << " " << program.error().message << "\n" << text;
    return *parse_program(kernel("buffer y: write u32[n]\ny[0u] = 1u"));
  }
  return *program;
}

TEST(LanguageSafety, ALineStartingWithAnOperatorIsAStatementWithoutEffect) {
  const Diagnostic d =
      fails(kernel("buffer a: read f32[n]\nbuffer b: read f32[n]\nbuffer out: write f32[n]\n"
                   "let i = global_id.x\nlet d = a[i]\n  - b[i]\nout[i] = d"));
  EXPECT_EQ(d.code, code::NoEffect);
  EXPECT_EQ(d.location.line, 7u);
  EXPECT_NE(d.help.find("end that line with the operator"), std::string::npos) << d.help;
}

TEST(LanguageSafety, ALineStartingWithABinaryOnlyOperatorSaysWhy) {
  // `+` and `*` are not unary, so this is a syntax error; its help names the line-break rule.
  for (const char* op : {"+", "*", "&&"}) {
    const Diagnostic d =
        fails(kernel("buffer a: read u32[n]\nbuffer b: read u32[n]\nbuffer out: write u32[n]\n"
                     "let i = global_id.x\nout[i] = a[i]\n  " +
                     std::string(op) + " b[i]"));
    EXPECT_EQ(d.code, code::UnexpectedToken) << op;
    EXPECT_EQ(d.location.line, 7u) << op;
    EXPECT_NE(d.help.find("end that line with the operator"), std::string::npos) << d.help;
  }
}

TEST(LanguageSafety, ComparisonStatementSuggestsAssignment) {
  const Diagnostic d = fails(kernel("buffer out: write u32[n]\nvar x = 1u\nx == 2u\nout[0u] = x"));
  EXPECT_EQ(d.code, code::NoEffect);
  EXPECT_NE(d.help.find("`=`"), std::string::npos) << d.help;
}

TEST(LanguageSafety, AtomicStatementsHaveAnEffect) {
  passes(
      kernel("buffer c: read_write u32[4]\natomic_add(c[0u], 1u)\n"
             "select(true, atomic_max(c[1u], 2u), 0u)"));
}

TEST(LanguageSafety, NegativeUnsuffixedLiteralDoesNotFitUnsigned) {
  const Diagnostic d =
      fails(kernel("buffer out: write u32[n]\nlet i = global_id.x\nif i > -1 {\n  out[i] = 1u\n}"));
  EXPECT_EQ(d.code, code::BadNumber);
  EXPECT_EQ(d.location.line, 4u);
  EXPECT_NE(d.message.find("no negative values"), std::string::npos) << d.message;
  // A signed comparison, or -0, is fine; so is the explicit wrap of a suffixed literal.
  passes(
      kernel("buffer out: write u32[n]\nlet i = global_id.x\n"
             "if i32(i) > -1 { out[i] = 0u - 0 }\nout[0u] = -5u"));
}

TEST(LanguageSafety, OutOfRangeLiteralIsNamedAsWritten) {
  // The message shows the literal the user wrote, not the bit pattern it would wrap to.
  const Diagnostic negative = fails(kernel("buffer out: write u32[n]\nout[global_id.x] = -1"));
  EXPECT_EQ(negative.code, code::BadNumber);
  EXPECT_NE(negative.message.find("literal -1 does not fit u32"), std::string::npos)
      << negative.message;
  EXPECT_NE(negative.help.find("0xffffffffu"), std::string::npos) << negative.help;
  const Diagnostic stored = fails(kernel("buffer out: write u64[n]\nlet x: u64 = -7\nout[0u] = x"));
  EXPECT_NE(stored.message.find("literal -7 does not fit u64"), std::string::npos)
      << stored.message;
  const Diagnostic big = fails(kernel("buffer out: write u32[1]\nout[0u] = 300000000000u"));
  const Diagnostic unsuffixed = fails(kernel("buffer out: write u32[1]\nout[0u] = 300000000000"));
  EXPECT_NE(unsuffixed.message.find("literal 300000000000 does not fit u32"), std::string::npos)
      << unsuffixed.message;
  EXPECT_NE(big.message.find("`300000000000u` is out of range for u32"), std::string::npos)
      << big.message;
}

TEST(LanguageSafety, DoubleNegationFoldsToTheLiteralItPrintsAs) {
  // - -5u is 5u, and the checked tree is the one its printed text parses back to.
  const Program p =
      passes(kernel("buffer out: write u32[n]\nbuffer s: write i32[n]\nbuffer f: write f32[n]\n"
                    "out[0u] = - -5u\ns[0u] = -(-2147483648i)\nf[0u] = -(-1.5)"));
  const std::string text = print_program(p);
  EXPECT_NE(text.find("out[0u] = 5u"), std::string::npos) << text;
  EXPECT_NE(text.find("s[0u] = -2147483648i"), std::string::npos) << text;  // wraps
  EXPECT_NE(text.find("f[0u] = 1.5f32"), std::string::npos) << text;
  const Program again = passes(text);
  EXPECT_TRUE(again == p) << text;
  EXPECT_EQ(again.digest(), p.digest());
  // A negated const keeps its name and its minus.
  EXPECT_NE(print_program(passes("kernel k workgroup(64) {\n  const C = 3\n"
                                 "  buffer out: write i32[n]\n  out[0u] = -C\n}\n"))
                .find("out[0u] = -C"),
            std::string::npos);
}

TEST(LanguageSafety, FloatLiteralTooLargeForF32) {
  EXPECT_EQ(fails(kernel("buffer out: write f32[n]\nout[0u] = 1e39")).code, code::BadNumber);
  passes(kernel("buffer out: write f64[n]\nout[0u] = 1e39"));
}

TEST(LanguageSafety, LoopCapIsBounded) {
  const Diagnostic d =
      fails(kernel("buffer out: write u32[n]\nwhile true max 4294967296 { out[0u] = 1u }"));
  EXPECT_EQ(d.code, code::LoopCapTooLarge);
  passes(kernel("buffer out: write u32[n]\nwhile false max 4294967295 { out[0u] = 1u }"));
}

TEST(LanguageSafety, WhileLoopsGetIdsAndAHiddenStatusBuffer) {
  const Program p =
      passes(kernel("buffer x: read u32[n] binding(4)\nbuffer out: write u32[n] binding(1)\n"
                    "var k = 0u\nwhile k < 3u max 8 {\n  k += 1u\n  while false max 2 {}\n}\n"
                    "if k > 0u { while false max 5 {} }\nout[0u] = k"));
  const auto index = loop_status_buffer(*p);
  ASSERT_TRUE(index.has_value());
  const BufferDecl& status = p->buffers[*index];
  EXPECT_EQ(*index, p->buffers.size() - 1);
  EXPECT_EQ(status.binding, 5u);  // after the highest binding
  EXPECT_EQ(status.access, Access::ReadWrite);
  EXPECT_EQ(status.element, Type::U32);
  const auto loops = capped_loops(*p);
  ASSERT_EQ(loops.size(), 3u);
  for (std::uint32_t k = 0; k < 3; ++k) EXPECT_EQ(loops[k]->ref, k + 1);
  EXPECT_EQ(loops[2]->max_iterations, 5u);
  // The printer leaves it out, and check() gives it back: text and encoding round-trip.
  const std::string text = print_program(p);
  EXPECT_EQ(text.find("vyre.loop_status"), std::string::npos) << text;
  const Program again = passes(text);
  EXPECT_TRUE(again == p);
  auto decoded = decode_program(encode_program(p));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->digest(), p.digest());
  EXPECT_EQ(decoded->data().buffers.size(), p->buffers.size());
  const auto diagnostic = loop_cap_diagnostic(*p, 2);
  ASSERT_TRUE(diagnostic.has_value());
  EXPECT_EQ(diagnostic->code, code::LoopCapReached);
  EXPECT_EQ(diagnostic->location.line, 7u);
  EXPECT_FALSE(loop_cap_diagnostic(*p, 0).has_value());
  // No while loop, no status buffer.
  EXPECT_FALSE(loop_status_buffer(*passes(kernel("buffer y: write u32[n]\ny[0u] = 1u"))));
}

TEST(LanguageSafety, CompoundAssignmentIsTheLongForm) {
  const Program short_form = passes(
      kernel("buffer m: read_write i32[n]\nvar x = 1\nx += 2\nx -= 1\nx *= 3\nx /= 2\nx %= 5\n"
             "x &= 7\nx |= 8\nx ^= 1\nx <<= 2\nx >>= 1\nm[0u] += x\nm[1u] <<= 1"));
  const Program long_form = passes(
      kernel("buffer m: read_write i32[n]\nvar x = 1\nx = x + 2\nx = x - 1\nx = x * 3\nx = x / 2\n"
             "x = x % 5\nx = x & 7\nx = x | 8\nx = x ^ 1\nx = x << 2\nx = x >> 1\n"
             "m[0u] = m[0u] + x\nm[1u] = m[1u] << 1"));
  EXPECT_TRUE(short_form == long_form);
  EXPECT_EQ(fails(kernel("buffer m: read_write u32[n]\nm[atomic_add(m[0u], 1u)] += 1u")).code,
            code::UnexpectedToken);
  EXPECT_EQ(fails(kernel("buffer m: read_write u32[n]\nlet x = 1u\nx += 1u")).code,
            code::AssignToImmutable);
}

TEST(LanguageSafety, ConditionalOperatorSuggestsSelect) {
  const Diagnostic d =
      fails(kernel("buffer out: write f32[n]\nlet i = global_id.x\nout[i] = i < 8u ? 1.0 : 0.0"));
  EXPECT_EQ(d.code, code::ConditionalOperator);
  EXPECT_EQ(d.location.line, 4u);
  EXPECT_NE(d.help.find("select(c, a, b)"), std::string::npos);
}

TEST(LanguageSafety, NamedConstants) {
  const Program p = passes(
      "kernel k workgroup(64) {\n  const TILE = 16\n  const SCALE: f32 = 0.5\n  const NEG = -3\n"
      "  buffer out: write f32[n]\n  buffer idx: write i32[n]\n  shared t: f32[TILE*4]\n"
      "  let i = global_id.x\n  t[local_id.x % TILE] = SCALE\n  barrier()\n"
      "  for k in 0u..TILE step TILE {\n    out[i] = t[k] * SCALE\n  }\n"
      "  idx[i] = NEG + i32(TILE)\n  while false max TILE {}\n}\n");
  EXPECT_EQ(p->shared[0].count, 64u);
  EXPECT_EQ(p->constants.size(), 3u);
  const std::string text = print_program(p);
  EXPECT_NE(text.find("const TILE = 16"), std::string::npos) << text;
  EXPECT_NE(text.find("const NEG = -3"), std::string::npos) << text;
  EXPECT_NE(text.find("* SCALE"), std::string::npos) << text;
  const Program again = passes(text);
  EXPECT_TRUE(again == p) << text;
  EXPECT_EQ(print_program(again), text);
  // Constants are literals to the encoding: the same digest as the spelled-out kernel.
  const Program spelled = passes(
      "kernel k workgroup(64) {\n  buffer out: write f32[n]\n  buffer idx: write i32[n]\n"
      "  shared t: f32[64]\n  let i = global_id.x\n  t[local_id.x % 16u] = 0.5\n  barrier()\n"
      "  for k in 0u..16u step 16 {\n    out[i] = t[k] * 0.5\n  }\n"
      "  idx[i] = -3 + i32(16)\n  while false max 16 {}\n}\n");
  EXPECT_EQ(spelled.digest(), p.digest());
  // A const takes each use's type; a declared type is kept; names are not redeclared.
  EXPECT_EQ(fails(kernel("const C: u32 = 1\nbuffer out: write i32[n]\nout[0u] = C")).code,
            code::TypeMismatch);
  EXPECT_EQ(fails(kernel("const C = 1\nbuffer out: write i32[n]\nlet C = 2\nout[0u] = C")).code,
            code::DuplicateName);
  EXPECT_EQ(fails(kernel("const C = 300000000000\nbuffer out: write u32[n]\nout[0u] = C")).code,
            code::BadNumber);
  EXPECT_EQ(fails(kernel("const C = 1 + 2\nbuffer out: write u32[n]\nout[0u] = C")).code,
            code::UnexpectedToken);
  EXPECT_EQ(fails(kernel("buffer out: write u32[n]\nif true {\n  const C = 1\n}")).code,
            code::UnexpectedToken);
}

TEST(LanguageSafety, MixedIntegerIndexSuggestsU32NotF32) {
  const Diagnostic d = fails(
      kernel("param j: i32\nbuffer x: read f32[n]\nbuffer out: write f32[n]\nlet i = global_id.x\n"
             "out[i] = x[i + j]"));
  EXPECT_EQ(d.code, code::TypeMismatch);
  EXPECT_NE(d.help.find("u32(j)"), std::string::npos) << d.help;
  EXPECT_EQ(d.help.find("f32"), std::string::npos) << d.help;
}

TEST(LanguageSafety, MixedIntegerHelpNamesTheOperandToConvert) {
  const Diagnostic d = fails(
      kernel("param k: i32\nbuffer x: read f32[n]\nbuffer out: write f32[n]\nlet i = global_id.x\n"
             "out[i] = x[k + i]"));
  EXPECT_EQ(d.code, code::TypeMismatch);
  EXPECT_NE(d.help.find("u32(k)"), std::string::npos) << d.help;
  const Diagnostic loop =
      fails(kernel("buffer x: read f32[n]\nbuffer out: write f32[n]\nlet i = global_id.x\n"
                   "for j in 0..4 {\n  out[i] = x[i * 4u + j]\n}"));
  EXPECT_NE(loop.help.find("u32(j)"), std::string::npos) << loop.help;
  const Diagnostic to_float =
      fails(kernel("buffer x: read f32[n]\nbuffer out: write f32[n]\nlet idx = global_id.x\n"
                   "out[idx] = x[idx] * idx"));
  EXPECT_NE(to_float.help.find("f32(idx)"), std::string::npos) << to_float.help;
}

TEST(LanguageSafety, IncrementOperatorsSuggestCompoundAssignment) {
  for (const char* line : {"x++", "++x", "x--"}) {
    const Diagnostic d = fails(
        kernel("buffer out: write u32[n]\nvar x = 0u\n" + std::string(line) + "\nout[0u] = x"));
    EXPECT_EQ(d.code, code::UnexpectedToken) << line;
    EXPECT_EQ(d.location.line, 4u) << line;
    const bool plus = std::string(line).find('+') != std::string::npos;
    EXPECT_NE(d.help.find(plus ? "x += 1" : "x -= 1"), std::string::npos) << d.help;
  }
  passes(kernel("buffer out: write i32[n]\nvar x = 0\nx = x - -1\nout[0u] = x"));
}

TEST(LanguageSafety, ConstDiagnostics) {
  const Diagnostic expression =
      fails(kernel("const N = 4 * 2\nbuffer out: write u32[n]\nout[0u] = N"));
  EXPECT_EQ(expression.code, code::UnexpectedToken);
  EXPECT_NE(expression.message.find("literal value for const `N`"), std::string::npos)
      << expression.message;
  EXPECT_NE(expression.help.find("let"), std::string::npos) << expression.help;
  const Diagnostic assigned =
      fails(kernel("const N = 4\nbuffer out: write u32[n]\nN = 3\nout[0u] = N"));
  EXPECT_EQ(assigned.code, code::AssignToImmutable);
  EXPECT_NE(assigned.help.find("const never changes"), std::string::npos) << assigned.help;
}

TEST(LanguageSafety, CTypeNamesSuggestVyreTypes) {
  const std::pair<const char*, const char*> names[] = {
      {"int", "i32"}, {"uint", "u32"}, {"float", "f32"}, {"double", "f64"}, {"long", "i64"}};
  for (const auto& [c, vyre] : names) {
    const Diagnostic d =
        fails(kernel("param s: " + std::string(c) + "\nbuffer out: write u32[n]\nout[0u] = 1u"));
    EXPECT_EQ(d.code, code::UnknownType);
    EXPECT_NE(d.help.find("write " + std::string(vyre) + " for " + c), std::string::npos) << d.help;
  }
}

TEST(LanguageSafety, DispatchSumExplainsSizesAreProducts) {
  const Diagnostic d = fails(
      "kernel k workgroup(64) dispatch(n + m) {\n  buffer out: write u32[n]\n  out[0u] = 1u\n}\n");
  EXPECT_EQ(d.code, code::UnexpectedToken);
  EXPECT_NE(d.message.find("products"), std::string::npos) << d.message;
  EXPECT_EQ(d.help.find("insert `)`"), std::string::npos) << d.help;
  EXPECT_NE(d.help.find("size symbol of its own"), std::string::npos) << d.help;
}

TEST(LanguageSafety, LoopStepsAreLiteralsOrConsts) {
  const Diagnostic runtime_step = fails(
      kernel("param s: u32\nbuffer out: write u32[n]\nfor k in 0u..8u step s {\n  out[k] = k\n}"));
  EXPECT_EQ(runtime_step.code, code::BadLoopStep);
  EXPECT_NE(runtime_step.help.find("const"), std::string::npos);
  const Diagnostic downward =
      fails(kernel("buffer out: write u32[n]\nfor k in 8u..0u step -1 {\n  out[k] = k\n}"));
  EXPECT_EQ(downward.code, code::BadLoopStep);
  EXPECT_NE(downward.help.find("n - 1u - k"), std::string::npos) << downward.help;
  EXPECT_EQ(fails(kernel("param c: u32\nbuffer out: write u32[n]\nwhile true max c {}")).code,
            code::UnexpectedToken);
}

TEST(LanguageSafety, SiblingBlocksMayEachDeclareAName) {
  passes(
      kernel("buffer out: write i32[n]\nif true {\n  let t = 1\n  out[0u] = t\n} else {\n"
             "  let t = 2\n  out[0u] = t\n}\nfor k in 0u..2u {\n  let t = 3\n  out[k] = t\n}"));
  EXPECT_EQ(fails(kernel("buffer out: write i32[n]\nlet t = 1\nif true {\n  let t = 2\n"
                         "  out[0u] = t\n}"))
                .code,
            code::DuplicateName);
}

}  // namespace
}  // namespace vyre::ir
