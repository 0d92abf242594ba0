#include <gtest/gtest.h>

#include <map>
#include <set>

#include "builder_samples.h"
#include "vyre/ir/encoding.h"
#include "vyre/ir/text.h"

namespace vyre::ir {
namespace {

using samples::Knobs;

TEST(Digest, IsBlake3OfTheNormalisedEncodingUnderItsDomain) {
  Program p = samples::saxpy();
  std::vector<std::uint8_t> normalised = encode_program(p, EncodingMode::Normalised);
  Hasher hasher("vyre program digest v1");
  hasher.update(normalised);
  EXPECT_EQ(p.digest(), hasher.finish());
  EXPECT_EQ(compute_program_digest(p.data()), p.digest());
  EXPECT_NE(p.digest(), blake3(normalised));  // the domain matters
}

TEST(Digest, IsComputedByCheckAndSharedByCopies) {
  Program p = samples::everything();
  Program copy = p;
  EXPECT_EQ(&copy.digest(), &p.digest());
  EXPECT_EQ(p.digest(), compute_program_digest(p.data()));
  // Every way to make a Program goes through check(), so each carries the same digest.
  auto parsed = parse_program(print_program(p));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->digest(), p.digest());
  auto decoded = decode_program(encode_program(p));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->digest(), p.digest());
}

TEST(Digest, RenamingChangesNothing) {
  // Every name differs: kernel, params, buffers, shared arrays, size symbols, locals.
  EXPECT_EQ(samples::saxpy().digest(), samples::saxpy("_renamed").digest());
  EXPECT_NE(encode_program(samples::saxpy()), encode_program(samples::saxpy("_renamed")));
  EXPECT_EQ(samples::everything().digest(), samples::everything("2").digest());
  EXPECT_EQ(samples::matmul().digest(), samples::matmul("_q").digest());
  Knobs renamed;
  renamed.suffix = "_other";
  EXPECT_EQ(samples::tiled_sum().digest(), samples::tiled_sum(renamed).digest());
}

TEST(Digest, RenamingOnlyTheKernelChangesNothing) {
  using namespace vyre::ir::dsl;
  auto build = [](const std::string& kernel) {
    KernelBuilder k(kernel, {64});
    auto y = k.buffer("y", Access::Write, Type::U32, "n");
    k.store(y, global_id_x(), 1u);
    return k.finish().value();
  };
  EXPECT_EQ(build("one").digest(), build("two").digest());
}

TEST(Digest, EverythingThatChangesCodeChangesIt) {
  std::vector<std::pair<std::string, Knobs>> variants;
  auto add = [&](std::string what, auto change) {
    Knobs k;
    change(k);
    variants.emplace_back(std::move(what), k);
  };
  add("base", [](Knobs&) {});
  add("element type", [](Knobs& k) { k.element = Type::F64; });
  add("shared count", [](Knobs& k) { k.shared_count = 128; });
  add("binding", [](Knobs& k) { k.out_binding = 2; });
  add("access", [](Knobs& k) { k.in_access = Access::ReadWrite; });
  add("workgroup", [](Knobs& k) { k.workgroup_x = 128; });
  add("literal", [](Knobs& k) { k.literal = 4; });
  add("operator", [](Knobs& k) { k.combine = BinaryOp::Sub; });
  add("statement order", [](Knobs& k) { k.swap_statements = true; });
  add("loop step", [](Knobs& k) { k.step = 2; });
  add("loop cap", [](Knobs& k) { k.cap = 101; });
  add("buffer count", [](Knobs& k) { k.count_factor = 2; });
  std::map<Digest, std::string> seen;
  for (const auto& [what, knobs] : variants) {
    Program p = samples::tiled_sum(knobs);
    auto [it, inserted] = seen.emplace(p.digest(), what);
    EXPECT_TRUE(inserted) << what << " has the same digest as " << it->second;
  }
}

TEST(Digest, DistinguishesProgramsAndDeclarationShapes) {
  using namespace vyre::ir::dsl;
  auto build = [](int variant) {
    KernelBuilder k("k", {64});
    auto x = k.buffer("x", Access::Read, Type::U32, "n");
    auto y = k.buffer("y", Access::Write, Type::U32, variant == 1 ? Extent(64) : Extent("n"));
    auto i = k.let("i", global_id_x());
    if (variant == 2) k.param("unused", Type::U32);
    if (variant == 3) k.dispatch({"n"});
    Value value = variant == 4 ? x[i] + 1u : x[i];
    if (variant == 5) value = cast(Type::U32, cast(Type::I32, x[i]));
    if (variant == 6) value = select(i < 3u, x[i], 0u);
    if (variant == 7) value = x[local_id_x()];
    if (variant == 8) value = x[global_id_y()];
    k.store(y, i, value);
    return k.finish().value();
  };
  std::set<Digest> digests;
  for (int v = 0; v <= 8; ++v) EXPECT_TRUE(digests.insert(build(v).digest()).second) << v;
  std::set<Digest> samples_seen;
  for (const Program& p : samples::all_samples()) samples_seen.insert(p.digest());
  EXPECT_EQ(samples_seen.size(), samples::all_samples().size());
}

TEST(Digest, TextAndBuilderFrontEndsAgree) {
  Result<Program> text = parse_program(R"(
    kernel axpy workgroup(256) {
      param alpha: f32
      buffer xs: read f32[cnt]
      buffer ys: read_write f32[cnt]
      let idx = global_id.x
      if idx < len(ys) { ys[idx] = alpha * xs[idx] + ys[idx] }
    })");
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(text->digest(), samples::saxpy().digest());
}

// Pinned so a change to the encoding or the digest cannot go unnoticed: cache keys depend on it.
// If you change the format on purpose, bump kEncodingVersion and update this value.
TEST(Digest, SaxpyDigestIsPinned) {
  EXPECT_EQ(to_hex(samples::saxpy().digest()),
            "b8fb4b17c8f172cd8ff2ada5eedd2fbd8946027e2b964493ec7400b646111523");
}

}  // namespace
}  // namespace vyre::ir
