#include "vyre/ir/encoding.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "builder_samples.h"
#include "ir/encoding_draft.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"

namespace vyre::ir {
namespace {

using Bytes = std::vector<std::uint8_t>;

void expect_round_trip(const Program& p) {
  Bytes bytes = encode_program(p);
  Result<Program> back = decode_program(bytes);
  ASSERT_TRUE(back.ok()) << p->name << ": " << back.error().code << " " << back.error().message
                         << " at " << back.error().path;
  EXPECT_TRUE(back->data() == p.data()) << p->name;
  // Encoding is deterministic, so the decoded program encodes to the same bytes.
  EXPECT_EQ(encode_program(*back), bytes) << p->name;
}

TEST(Encoding, HeaderLayout) {
  Bytes bytes = encode_program(samples::saxpy());
  ASSERT_GE(bytes.size(), 9u);
  EXPECT_EQ(std::memcmp(bytes.data(), "VYIR", 4), 0);
  EXPECT_EQ(bytes[4], kEncodingVersion);  // u32 little-endian
  EXPECT_EQ(bytes[5], 0);
  EXPECT_EQ(bytes[6], 0);
  EXPECT_EQ(bytes[7], 0);
  EXPECT_EQ(bytes[8], static_cast<std::uint8_t>(EncodingMode::Full));
  Bytes normalised = encode_program(samples::saxpy(), EncodingMode::Normalised);
  EXPECT_EQ(normalised[8], static_cast<std::uint8_t>(EncodingMode::Normalised));
  EXPECT_LT(normalised.size(), bytes.size());  // no names
  EXPECT_LT(bytes.size(), 160u);               // compact: saxpy is a few dozen bytes
}

TEST(Encoding, FullRoundTripOfEverySample) {
  for (const Program& p : samples::all_samples()) expect_round_trip(p);
}

TEST(Encoding, RoundTripOfLiteralEdgeCases) {
  using namespace vyre::ir::dsl;
  KernelBuilder k("literals");
  auto i32s = k.buffer("i32s", Access::ReadWrite, Type::I32, 8);
  auto i64s = k.buffer("i64s", Access::ReadWrite, Type::I64, 8);
  auto u32s = k.buffer("u32s", Access::ReadWrite, Type::U32, 8);
  auto f32s = k.buffer("f32s", Access::ReadWrite, Type::F32, 8);
  auto f64s = k.buffer("f64s", Access::ReadWrite, Type::F64, 8);
  k.store(i32s, 0u, lit_i32(INT32_MIN));
  k.store(i32s, 1u, -(-lit_i32(5)));  // a minus over a folded literal stays a minus
  k.store(i32s, 2u, -(-(-lit_i32(0))));
  k.store(i64s, 0u, lit_i64(INT64_MIN));
  k.store(i64s, 1u, lit_i64(INT64_MAX));
  k.store(u32s, 0u, -lit_u32(5));
  k.store(u32s, 1u, -(-lit_u32(5)));
  k.store(f32s, 0u, lit_f32(-0.0f));
  k.store(f32s, 1u, -(-lit_f32(1.5f)));
  k.store(f32s, 2u, -lit_float(2.5));
  k.store(f64s, 0u, -(-(-lit_f64(-3.0))));
  k.store(f64s, 1u, lit_f64(1e300) * -1);
  Result<Program> p = k.finish();
  ASSERT_TRUE(p.ok()) << p.error().message;
  expect_round_trip(*p);
}

TEST(Encoding, NormalisedDecodesToAFixedPoint) {
  for (const Program& p : samples::all_samples()) {
    Bytes normalised = encode_program(p, EncodingMode::Normalised);
    Result<Program> back = decode_program(normalised);
    ASSERT_TRUE(back.ok()) << p->name << ": " << back.error().message << " " << back.error().path;
    EXPECT_EQ(back->data().name, "kernel");
    EXPECT_EQ(encode_program(*back, EncodingMode::Normalised), normalised) << p->name;
    EXPECT_EQ(back->digest(), p.digest());
  }
}

TEST(Encoding, RejectsBadMagicAndVersion) {
  Bytes bytes = encode_program(samples::saxpy());
  Bytes bad = bytes;
  bad[0] = 'X';
  EXPECT_EQ(decode_program(bad).error().code, code::BadEncodingMagic);
  Bytes text = {'k', 'e', 'r', 'n', 'e', 'l'};
  EXPECT_EQ(decode_program(text).error().code, code::BadEncodingMagic);
  bad = bytes;
  bad[4] = kEncodingVersion + 1;
  EXPECT_EQ(decode_program(bad).error().code, code::BadEncodingVersion);
  bad = bytes;
  bad[7] = 0x80;
  EXPECT_EQ(decode_program(bad).error().code, code::BadEncodingVersion);
  bad = bytes;
  bad[8] = 2;  // no such mode
  EXPECT_EQ(decode_program(bad).error().code, code::TruncatedEncoding);
}

TEST(Encoding, RejectsEveryTruncationAndTrailingBytes) {
  for (const Program& p : samples::all_samples()) {
    for (EncodingMode mode : {EncodingMode::Full, EncodingMode::Normalised}) {
      Bytes bytes = encode_program(p, mode);
      for (std::size_t n = 0; n < bytes.size(); ++n) {
        Result<Program> r = decode_program(std::span(bytes.data(), n));
        ASSERT_FALSE(r.ok()) << p->name << " prefix " << n;
        EXPECT_EQ(r.error().code, code::TruncatedEncoding) << p->name << " prefix " << n;
      }
      Bytes longer = bytes;
      longer.push_back(0);
      Result<Program> r = decode_program(longer);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code, code::TruncatedEncoding);
      EXPECT_NE(r.error().message.find("trailing"), std::string::npos);
    }
  }
}

// Every single-bit flip yields a diagnostic or a valid program, never a crash (ASan/UBSan builds
// run this too). A valid program must itself round-trip.
TEST(Encoding, SurvivesEverySingleBitFlip) {
  std::size_t decoded = 0;
  std::size_t rejected = 0;
  for (const Program& p : samples::all_samples()) {
    for (EncodingMode mode : {EncodingMode::Full, EncodingMode::Normalised}) {
      Bytes bytes = encode_program(p, mode);
      for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
        Bytes flipped = bytes;
        flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        Result<Program> r = decode_program(flipped);
        if (r.ok()) {
          ++decoded;
          Bytes again = encode_program(*r);
          Result<Program> back = decode_program(again);
          ASSERT_TRUE(back.ok()) << back.error().message;
          EXPECT_TRUE(back->data() == r->data());
        } else {
          ++rejected;
          EXPECT_EQ(r.error().code.substr(0, 2), "VY") << r.error().code;
        }
      }
    }
  }
  EXPECT_GT(rejected, 0u);
  EXPECT_GT(decoded, 0u);  // flips in names and literal bits still decode
}

Bytes header(EncodingMode mode = EncodingMode::Full) {
  Bytes b = {'V',
             'Y',
             'I',
             'R',
             static_cast<std::uint8_t>(kEncodingVersion),
             0,
             0,
             0,
             static_cast<std::uint8_t>(mode)};
  return b;
}

TEST(Encoding, RejectsAbsurdCountsWithoutAllocating) {
  // A kernel name claiming 2^63 bytes.
  Bytes b = header();
  for (int i = 0; i < 8; ++i) b.push_back(0xFF);
  b.push_back(0x7F);
  Result<Program> r = decode_program(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::TruncatedEncoding);
  EXPECT_NE(r.error().message.find("exceeds"), std::string::npos) << r.error().message;

  // A statement count of 2^32 after a valid header.
  b = header();
  b.push_back(1);  // name "k"
  b.push_back('k');
  b.insert(b.end(), {1, 1, 1, 0, 0, 0, 0});  // workgroup, no dispatch/params/buffers/shared
  b.insert(b.end(), {0x80, 0x80, 0x80, 0x80, 0x10});
  r = decode_program(b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("exceeds"), std::string::npos) << r.error().message;
}

TEST(Encoding, RejectsOverlongAndOverflowingIntegers) {
  Bytes b = header();
  b.insert(b.end(), {0x81, 0x00});  // name length 1, over-long
  EXPECT_NE(decode_program(b).error().message.find("minimally"), std::string::npos);
  b = header();
  b.insert(b.end(), {1, 'k'});
  for (int i = 0; i < 9; ++i) b.push_back(0xFF);
  b.push_back(0x02);  // 2^64 and more
  EXPECT_NE(decode_program(b).error().message.find("64 bits"), std::string::npos);
  b = header();
  b.insert(b.end(), {1, 'k', 0x80, 0x80, 0x80, 0x80, 0x10});  // workgroup x = 2^32
  EXPECT_NE(decode_program(b).error().message.find("32 bits"), std::string::npos);
}

TEST(Encoding, RejectsUnknownTagsAndOutOfRangeIndices) {
  Bytes b = header();
  b.insert(b.end(), {1, 'k', 1, 1, 1, 0, 1, 1, 'a', 9});  // param a: type tag 9
  Result<Program> r = decode_program(b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unknown type tag 9"), std::string::npos) << r.error().message;

  // Normalised: a param index past the declared params.
  Program p = samples::saxpy();
  Bytes n = encode_program(p, EncodingMode::Normalised);
  // Find the Param expression (tag 2) followed by index 0 and make it index 5.
  bool patched = false;
  for (std::size_t i = 0; i + 1 < n.size(); ++i) {
    if (n[i] == static_cast<std::uint8_t>(ExprKind::Binary) &&
        n[i + 1] == static_cast<std::uint8_t>(BinaryOp::Mul) && i + 3 < n.size() &&
        n[i + 2] == static_cast<std::uint8_t>(ExprKind::Param)) {
      n[i + 3] = 5;
      patched = true;
      break;
    }
  }
  ASSERT_TRUE(patched);
  r = decode_program(n);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("out of range"), std::string::npos) << r.error().message;
}

TEST(Encoding, NestingLimit) {
  auto nested = [](int depth) {
    using namespace vyre::ir::dsl;
    KernelBuilder k("deep");
    auto out = k.buffer("out", Access::Write, Type::U32, 1);
    std::function<void(int)> level = [&](int d) {
      if (d == 0) {
        k.store(out, 0u, 1u);
        return;
      }
      k.if_(lit_bool(true), [&] { level(d - 1); });
    };
    level(depth);
    Result<Program> p = k.finish();
    EXPECT_TRUE(p.ok());
    return encode_program(*p);
  };
  // The checker bounds blocks and expressions at 256 each, so everything it accepts decodes.
  EXPECT_TRUE(decode_program(nested(250)).ok());
  Result<Program> r = decode_program(nested(0));
  ASSERT_TRUE(r.ok());

  // A hand-made chain of 100000 unary minuses is refused without deep recursion.
  Bytes b = header();
  b.insert(b.end(), {1, 'k', 1, 1, 1, 0, 0, 0, 0, 1, static_cast<std::uint8_t>(StmtKind::Eval)});
  for (int i = 0; i < 100000; ++i) {
    b.push_back(static_cast<std::uint8_t>(ExprKind::Unary));
    b.push_back(static_cast<std::uint8_t>(UnaryOp::Neg));
  }
  r = decode_program(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::EncodingTooDeep);
}

TEST(Encoding, DecodedDraftIsTheBuilderForm) {
  Program p = samples::saxpy();
  Result<ProgramData> draft = decode_program_data(encode_program(p));
  ASSERT_TRUE(draft.ok());
  EXPECT_TRUE(draft->local_names.empty());
  EXPECT_TRUE(draft->size_symbols.empty());
  const Expr& product = *draft->body[1].body[0].exprs[1]->args[0];
  EXPECT_EQ(product.args[0]->kind, ExprKind::Local);  // "a": check() makes it a Param again
  EXPECT_EQ(product.args[0]->name, "a");
  EXPECT_EQ(product.type, Type::Unknown);
}

TEST(Encoding, CheckOptionsReachTheChecker) {
  Program p = samples::tiled_sum();
  CheckOptions tight;
  tight.max_shared_bytes = 16;
  Result<Program> r = decode_program(encode_program(p), tight);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::SharedMemoryTooLarge);
}

TEST(Encoding, RoundTripOfEveryExample) {
  std::filesystem::path dir = std::filesystem::path(VYRE_SOURCE_DIR) / "examples";
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".vy") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    Result<Program> p = parse_program(text.str());
    ASSERT_TRUE(p.ok()) << entry.path() << ": " << p.error().message;
    SCOPED_TRACE(entry.path().string());
    expect_round_trip(*p);
    Result<Program> normalised = decode_program(encode_program(*p, EncodingMode::Normalised));
    ASSERT_TRUE(normalised.ok()) << normalised.error().message;
    EXPECT_EQ(normalised->digest(), p->digest());
    ++seen;
  }
  EXPECT_GE(seen, 5);
}

TEST(Encoding, CastInsideACallRoundTrips) {
  using namespace vyre::ir::dsl;
  KernelBuilder k("k");
  auto out = k.buffer("out", Access::Write, Type::F32, 4);
  auto i = k.let("i", global_id_x());
  k.store(out, i, max(1.0f, cast(Type::F32, i)));
  Result<Program> p = k.finish();
  ASSERT_TRUE(p.ok()) << p.error().message;
  // check() must resolve the name inside the cast even though the cast's type is preset.
  const Expr& c = *p.value()->body[1].exprs[1]->args[1];
  ASSERT_EQ(c.kind, ExprKind::Cast);
  EXPECT_EQ(c.args[0]->type, Type::U32);
  EXPECT_EQ(c.args[0]->ref, 0u);
  expect_round_trip(*p);
}

}  // namespace
}  // namespace vyre::ir
