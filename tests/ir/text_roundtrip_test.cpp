// Round trips of the text format: every example, every special f32/f64 value and integer edge,
// and a few hundred generated programs. For checked programs parse(print(p)) == p; for unchecked
// trees parse_unchecked(print(d)) == d; in both cases printing again gives identical text.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "vyre/ir/text.h"

namespace vyre::ir {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::filesystem::path> example_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(VYRE_SOURCE_DIR) / "examples")) {
    if (entry.path().extension() == ".vy") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// parse_program(text) succeeds, and printing is a fixed point: parse(print(p)) == p and
// print(parse(print(p))) == print(p). Returns the canonical text.
std::string expect_checked_round_trip(const std::string& text, const std::string& what) {
  auto first = parse_program(text, CheckOptions{.file = what});
  EXPECT_TRUE(first.ok()) << what << ": "
                          << (first.ok() ? ""
                                         : first.error().code + " " +
                                               std::to_string(first.error().location.line) + ":" +
                                               std::to_string(first.error().location.column) + " " +
                                               first.error().message)
                          << "\n"
                          << text;
  if (!first.ok()) return {};
  const std::string printed = print_program(*first);
  auto second = parse_program(printed);
  EXPECT_TRUE(second.ok()) << what << " (printed): " << (second.ok() ? "" : second.error().message)
                           << "\n"
                           << printed;
  if (!second.ok()) return printed;
  EXPECT_TRUE(*second == *first) << what << ": re-parsed program differs\n" << printed;
  EXPECT_EQ(print_program(*second), printed) << what;
  return printed;
}

void expect_unchecked_round_trip(const std::string& text, const std::string& what) {
  auto first = parse_unchecked(text);
  ASSERT_TRUE(first.ok()) << what << ": " << first.error().message << "\n" << text;
  const std::string printed = print_program(*first);
  auto second = parse_unchecked(printed);
  ASSERT_TRUE(second.ok()) << what << " (printed): " << second.error().message << "\n" << printed;
  EXPECT_TRUE(*second == *first) << what << ": re-parsed tree differs\n" << printed;
  EXPECT_EQ(print_program(*second), printed) << what;
}

TEST(TextRoundTrip, EveryExample) {
  const auto files = example_files();
  EXPECT_GE(files.size(), 10u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    const std::string text = read_file(path);
    EXPECT_EQ(text.rfind("//", 0), 0u) << "examples start with a comment saying what they compute";
    expect_unchecked_round_trip(text, path.filename().string());
    expect_checked_round_trip(text, path.filename().string());
  }
}

TEST(TextRoundTrip, CanonicalFormOfSaxpy) {
  const std::string printed = expect_checked_round_trip(R"(
kernel saxpy workgroup(256) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
})",
                                                        "saxpy");
  EXPECT_EQ(printed, R"(kernel saxpy workgroup(256) {
  param a: f32
  buffer x: read f32[n] binding(0)
  buffer y: read_write f32[n] binding(1)

  let i = global_id.x
  if i < len(y) {
    y[i] = a * x[i] + y[i]
  }
}
)");
}

// A kernel storing `value` into a one-element buffer of `type`.
std::string store_kernel(std::string_view type, const std::string& value) {
  return "kernel k workgroup(1) {\n  buffer out: write " + std::string(type) +
         "[1]\n  out[0u] = " + value + "\n}\n";
}

// The literal stored by a checked store_kernel.
std::uint64_t stored_bits(const Program& p) {
  const Stmt& store = p->body.at(0);
  const Expr& value = *store.exprs.at(1);
  EXPECT_EQ(value.kind, ExprKind::Literal);
  return value.bits;
}

std::vector<std::uint32_t> f32_patterns() {
  std::vector<std::uint32_t> bits = {
      0x00000000u, 0x80000000u,                            // +0, -0
      0x00000001u, 0x80000001u,                            // smallest denormals
      0x007fffffu, 0x00800000u,                            // largest denormal, smallest normal
      0x7f7fffffu, 0xff7fffffu,                            // max, lowest
      0x7f800000u, 0xff800000u,                            // +inf, -inf
      0x7fc00000u, 0xffc00000u,                            // quiet NaNs
      0x7fc00001u, 0x7f800001u, 0x7fbfffffu, 0xffffffffu,  // NaN payloads, signalling
      0x3f800000u, 0x3dcccccdu, 0x40490fdbu, 0xc0490fdbu,  // 1, 0.1, pi, -pi
      0x4b800000u, 0x4b800001u, 0x33800000u, 0x3effffffu};
  std::mt19937 rng(1234);
  for (int i = 0; i < 200; ++i) bits.push_back(static_cast<std::uint32_t>(rng()));
  return bits;
}

std::vector<std::uint64_t> f64_patterns() {
  std::vector<std::uint64_t> bits = {
      0x0000000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull, 0x8000000000000001ull,
      0x000fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull, 0xffefffffffffffffull,
      0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000000ull,
      0x7ff8000000000001ull, 0x7ff0000000000001ull, 0xffffffffffffffffull, 0x3ff0000000000000ull,
      0x3fb999999999999aull, 0x400921fb54442d18ull, 0x4340000000000000ull, 0x4340000000000001ull,
      0x3ca0000000000000ull};
  std::mt19937_64 rng(5678);
  for (int i = 0; i < 200; ++i) bits.push_back(rng());
  return bits;
}

std::string hex(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

TEST(TextRoundTrip, EveryF32BitPattern) {
  for (std::uint32_t bits : f32_patterns()) {
    SCOPED_TRACE(hex(bits));
    const std::string text = store_kernel("f32", "f32.bits(" + hex(bits) + ")");
    auto p = parse_program(text);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(stored_bits(*p), bits);
    const std::string printed = expect_checked_round_trip(text, hex(bits));
    auto again = parse_program(printed);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(stored_bits(*again), bits) << printed;
    // Finite values print as decimals, not bit patterns.
    const float value = std::bit_cast<float>(bits);
    if (std::isfinite(value)) {
      EXPECT_EQ(printed.find("bits("), std::string::npos) << printed;
    }
  }
}

TEST(TextRoundTrip, EveryF64BitPattern) {
  for (std::uint64_t bits : f64_patterns()) {
    SCOPED_TRACE(hex(bits));
    const std::string text = store_kernel("f64", "f64.bits(" + hex(bits) + ")");
    auto p = parse_program(text);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(stored_bits(*p), bits);
    const std::string printed = expect_checked_round_trip(text, hex(bits));
    auto again = parse_program(printed);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(stored_bits(*again), bits) << printed;
  }
}

TEST(TextRoundTrip, DecimalFloatsReadCorrectlyRounded) {
  struct Case {
    const char* text;
    std::uint64_t bits;
  };
  const Case kF32[] = {{"0.1f32", 0x3dcccccdu},          {"1e-45f32", 0x00000001u},
                       {"3.4028235e38f32", 0x7f7fffffu}, {"-0.0f32", 0x80000000u},
                       {"-f32.inf", 0xff800000u},        {"16777217.0f32", 0x4b800000u}};
  for (const Case& c : kF32) {
    auto p = parse_program(store_kernel("f32", c.text));
    ASSERT_TRUE(p.ok()) << c.text << ": " << p.error().message;
    EXPECT_EQ(stored_bits(*p), c.bits) << c.text;
  }
  const Case kF64[] = {{"0.1f64", 0x3fb999999999999aull},
                       {"5e-324f64", 1},
                       {"-0.0f64", 0x8000000000000000ull},
                       {"1.7976931348623157e308f64", 0x7fefffffffffffffull}};
  for (const Case& c : kF64) {
    auto p = parse_program(store_kernel("f64", c.text));
    ASSERT_TRUE(p.ok()) << c.text << ": " << p.error().message;
    EXPECT_EQ(stored_bits(*p), c.bits) << c.text;
  }
}

TEST(TextRoundTrip, IntegerEdges) {
  struct Case {
    const char* type;
    const char* text;
    std::uint64_t bits;
    const char* canonical;  // how the printer spells it
  };
  const Case kCases[] = {
      {"i32", "0i", 0, "0i"},
      {"i32", "2147483647i", 0x7fffffff, "2147483647i"},
      {"i32", "-2147483648i", 0x80000000, "-2147483648i"},
      {"i32", "-1i", 0xffffffff, "-1i"},
      {"i32", "- 7", 0xfffffff9, "-7i"},
      {"u32", "4294967295u", 0xffffffff, "4294967295u"},
      {"u32", "0xdeadbeefu", 0xdeadbeef, "3735928559u"},
      {"u32", "7u32", 7, "7u"},
      {"i64", "9223372036854775807i64", 0x7fffffffffffffffull, "9223372036854775807i64"},
      {"i64", "-9223372036854775808i64", 0x8000000000000000ull, "-9223372036854775808i64"},
      {"u64", "18446744073709551615u64", 0xffffffffffffffffull, "18446744073709551615u64"},
      {"bool", "true", 1, "true"},
      {"bool", "false", 0, "false"},
  };
  for (const Case& c : kCases) {
    const std::string text = store_kernel(c.type, c.text);
    auto p = parse_program(text);
    ASSERT_TRUE(p.ok()) << c.text << ": " << p.error().message;
    EXPECT_EQ(stored_bits(*p), c.bits) << c.text;
    const std::string printed = expect_checked_round_trip(text, c.text);
    EXPECT_NE(printed.find(std::string("out[0u] = ") + c.canonical + "\n"), std::string::npos)
        << printed;
  }
}

// ---- generated programs -----------------------------------------------------------------------

// Builds random unchecked trees of the shapes the parser produces, then prints and re-parses
// them. Exercises precedence, parenthesisation, every node kind and literal form.
class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  ProgramData program() {
    ProgramData p;
    p.name = "gen" + std::to_string(pick(1000));
    p.workgroup = {static_cast<std::uint32_t>(1 + pick(64)),
                   static_cast<std::uint32_t>(1 + pick(4)),
                   static_cast<std::uint32_t>(1 + pick(4))};
    if (pick(2)) p.dispatch.push_back(SizeExpr{1 + pick(8), {"n"}});
    if (pick(2)) p.params.push_back(ParamDecl{"a", random_type(), {}});
    const std::uint32_t buffers = static_cast<std::uint32_t>(pick(3));
    for (std::uint32_t i = 0; i < buffers; ++i) {
      p.buffers.push_back(BufferDecl{"b" + std::to_string(i),
                                     static_cast<std::uint32_t>(pick(8)),
                                     static_cast<Access>(pick(3)),
                                     random_type(),
                                     SizeExpr{1 + pick(3), pick(2) ? std::vector<std::string>{"n"}
                                                                   : std::vector<std::string>{}},
                                     {}});
    }
    if (pick(2)) p.shared.push_back(SharedDecl{"t", random_type(), 1 + pick(512), {}});
    const int count = static_cast<int>(pick(6));
    for (int i = 0; i < count; ++i) p.body.push_back(statement(3));
    return p;
  }

 private:
  std::uint64_t pick(std::uint64_t n) {
    return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_);
  }
  Type random_type() { return static_cast<Type>(pick(kTypeCount)); }
  std::string name() {
    static const char* kNames[] = {"x", "y", "i", "acc", "n", "a", "_tmp1", "step", "max"};
    return kNames[pick(9)];
  }

  ExprPtr literal() {
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::Literal;
    switch (pick(8)) {
      case 0:
        e->op = static_cast<std::uint8_t>(LiteralForm::UntypedInt);
        e->bits = pick(2) ? pick(100) : rng_();
        break;
      case 1: {
        e->op = static_cast<std::uint8_t>(LiteralForm::UntypedFloat);
        const double v =
            std::ldexp(static_cast<double>(pick(1 << 20)), static_cast<int>(pick(80)) - 40);
        e->bits = std::bit_cast<std::uint64_t>(v);
        break;
      }
      case 2:
        e->type = Type::I32;
        e->bits = pick(0x80000000ull);
        break;
      case 3:
        e->type = pick(2) ? Type::U32 : Type::U64;
        e->bits = e->type == Type::U32 ? static_cast<std::uint32_t>(rng_()) : rng_();
        break;
      case 4:
        e->type = Type::I64;
        e->bits = rng_() >> 1;
        break;
      case 5: {
        // Non-negative f32 (any NaN keeps its payload through the bit-exact form).
        e->type = Type::F32;
        const std::uint32_t bits = static_cast<std::uint32_t>(rng_()) & 0x7fffffffu;
        const bool nan = std::isnan(std::bit_cast<float>(bits));
        e->bits = nan && pick(2) ? bits | 0x80000000u : bits;
        break;
      }
      case 6: {
        e->type = Type::F64;
        e->bits = rng_() & 0x7fffffffffffffffull;
        break;
      }
      default:
        e->type = Type::Bool;
        e->bits = pick(2);
        break;
    }
    return e;
  }

  ExprPtr expr(int depth) {
    auto e = std::make_unique<Expr>();
    const int choice = depth <= 0 ? static_cast<int>(pick(3)) : static_cast<int>(pick(12));
    switch (choice) {
      case 0:
        return literal();
      case 1:
        e->kind = ExprKind::Local;
        e->name = name();
        return e;
      case 2:
        e->kind = ExprKind::Builtin;
        e->op = static_cast<std::uint8_t>(pick(5));
        e->component = static_cast<std::uint8_t>(pick(3));
        return e;
      case 3:
        e->kind = ExprKind::Unary;
        e->op = static_cast<std::uint8_t>(pick(3));
        e->args.push_back(expr(depth - 1));
        return e;
      case 4:
      case 5:
      case 6:
        e->kind = ExprKind::Binary;
        e->op = static_cast<std::uint8_t>(pick(18));
        e->args.push_back(expr(depth - 1));
        e->args.push_back(expr(depth - 1));
        return e;
      case 7:
        e->kind = ExprKind::Load;
        e->name = "b0";
        e->args.push_back(expr(depth - 1));
        return e;
      case 8:
        e->kind = ExprKind::Len;
        e->name = "t";
        return e;
      case 9:
        e->kind = ExprKind::Select;
        for (int i = 0; i < 3; ++i) e->args.push_back(expr(depth - 1));
        return e;
      case 10:
        e->kind = ExprKind::Cast;
        e->type = random_type();
        e->args.push_back(expr(depth - 1));
        return e;
      default: {
        if (pick(2)) {
          e->kind = ExprKind::Call;
          static const char* kOps[] = {"sqrt", "fma", "min", "popcount", "my_op"};
          e->name = kOps[pick(5)];
          const int n = static_cast<int>(pick(4));
          for (int i = 0; i < n; ++i) e->args.push_back(expr(depth - 1));
        } else {
          e->kind = ExprKind::Atomic;
          e->op = static_cast<std::uint8_t>(pick(8));
          e->name = "t";
          const int n = e->op == static_cast<std::uint8_t>(AtomicOp::CompareExchange) ? 3 : 2;
          for (int i = 0; i < n; ++i) e->args.push_back(expr(depth - 1));
        }
        return e;
      }
    }
  }

  std::vector<Stmt> block(int depth) {
    std::vector<Stmt> body;
    const int n = depth <= 0 ? 0 : static_cast<int>(pick(3));
    for (int i = 0; i < n; ++i) body.push_back(statement(depth - 1));
    return body;
  }

  Stmt statement(int depth) {
    Stmt s;
    switch (pick(12)) {
      case 0:
      case 1:
        s.kind = pick(2) ? StmtKind::Let : StmtKind::Var;
        s.name = name();
        if (pick(2)) {
          s.type = random_type();
          s.type_declared = true;
        }
        s.exprs.push_back(expr(3));
        break;
      case 2:
        s.kind = StmtKind::Assign;
        s.name = name();
        s.exprs.push_back(expr(3));
        break;
      case 3:
        s.kind = StmtKind::Store;
        s.name = "b1";
        s.exprs.push_back(expr(2));
        s.exprs.push_back(expr(3));
        break;
      case 4:
        s.kind = StmtKind::If;
        s.exprs.push_back(expr(2));
        s.body = block(depth);
        if (pick(3) == 0) {
          s.orelse.push_back(statement(depth - 1));
          if (s.orelse[0].kind != StmtKind::If && pick(2)) s.orelse.push_back(statement(0));
        } else if (pick(2)) {
          s.orelse = block(depth);
        }
        break;
      case 5:
        s.kind = StmtKind::For;
        s.name = name();
        s.exprs.push_back(expr(1));
        s.exprs.push_back(expr(2));
        s.step = pick(2) ? 1 : pick(10);
        s.body = block(depth);
        break;
      case 6:
        s.kind = StmtKind::While;
        s.exprs.push_back(expr(2));
        s.max_iterations = pick(2) ? pick(1000) : 0;
        s.body = block(depth);
        break;
      case 7:
        s.kind = StmtKind::Break;
        break;
      case 8:
        s.kind = StmtKind::Continue;
        break;
      case 9:
        s.kind = StmtKind::Barrier;
        break;
      case 10:
        s.kind = StmtKind::Return;
        break;
      default:
        s.kind = StmtKind::Eval;
        s.exprs.push_back(expr(3));
        break;
    }
    return s;
  }

  std::mt19937_64 rng_;
};

TEST(TextRoundTrip, GeneratedUncheckedPrograms) {
  Generator gen(42);
  for (int i = 0; i < 400; ++i) {
    const ProgramData original = gen.program();
    const std::string printed = print_program(original);
    auto parsed = parse_unchecked(printed);
    ASSERT_TRUE(parsed.ok()) << "program " << i << ": " << parsed.error().message << " at "
                             << parsed.error().location.line << ":"
                             << parsed.error().location.column << "\n"
                             << printed;
    EXPECT_TRUE(*parsed == original) << "program " << i << "\n"
                                     << printed << "\nre-printed:\n"
                                     << print_program(*parsed);
    EXPECT_EQ(print_program(*parsed), printed) << "program " << i;
  }
}

// The printer parenthesises exactly as needed: a handful of shapes, printed canonically.
TEST(TextRoundTrip, MinimalParentheses) {
  const std::pair<const char*, const char*> kCases[] = {
      {"(a + b) * c", "(a + b) * c"},
      {"a + (b * c)", "a + b * c"},
      {"(a - b) - c", "a - b - c"},
      {"a - (b - c)", "a - (b - c)"},
      {"a + (b + c)", "a + (b + c)"},
      {"-(a + b)", "-(a + b)"},
      {"(-a) + b", "-a + b"},
      {"((a))", "a"},
      {"(a < b) == (c < d)", "a < b == c < d"},
      {"(a == b) < c", "(a == b) < c"},
      {"a & (b | c)", "a & (b | c)"},
      {"(a ^ b) | c", "a ^ b | c"},
      {"(a << 1) + 2", "(a << 1) + 2"},
      {"a << (1 + 2)", "a << 1 + 2"},
      {"(a || b) && c", "(a || b) && c"},
      {"f((a + b), (c))", "f(a + b, c)"},
      {"- -a", "--a"},
      {"x[(i + 1)]", "x[i + 1]"},
  };
  for (auto [in, want] : kCases) {
    auto p = parse_unchecked(std::string("kernel k workgroup(1) {\n  let v = ") + in + "\n}");
    ASSERT_TRUE(p.ok()) << in;
    const std::string printed = print_program(*p);
    EXPECT_NE(printed.find(std::string("let v = ") + want + "\n"), std::string::npos)
        << in << " printed as\n"
        << printed;
    expect_unchecked_round_trip(printed, in);
  }
}

}  // namespace
}  // namespace vyre::ir
