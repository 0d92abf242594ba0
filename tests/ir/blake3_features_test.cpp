// BLAKE3 with its CPU feature cache seeded from glibc (src/ir/blake3_cpu_features.c): the seeded
// features must be exactly what BLAKE3's own CPUID detection finds, and hashes must stay right.
#include <gtest/gtest.h>

#include "vyre/ir/hash.h"

extern "C" int vyre_blake3_detected_features(void);
extern "C" int vyre_blake3_glibc_features(void);

namespace vyre {
namespace {

TEST(Blake3CpuFeatures, SeededFeaturesAreWhatBlake3DetectsItself) {
  const int detected = vyre_blake3_detected_features();
  if (detected < 0) {
    GTEST_SKIP() << "this build does not seed BLAKE3's CPU features (not x86-64, no "
                    "<sys/platform/x86.h>, or a BLAKE3 release with another dispatcher layout)";
  }
  EXPECT_EQ(vyre_blake3_glibc_features(), detected)
      << "bits: 1 SSE2, 2 SSSE3, 4 SSE4.1, 8 AVX, 16 AVX2, 32 AVX512F, 64 AVX512VL";
}

TEST(Blake3CpuFeatures, HashesMatchTheOfficialVectors) {
  // From BLAKE3's test_vectors.json: input byte i is i % 251.
  auto input = [](std::size_t n) {
    std::vector<std::uint8_t> bytes(n);
    for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::uint8_t>(i % 251);
    return bytes;
  };
  EXPECT_EQ(to_hex(blake3(input(0))),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
  EXPECT_EQ(to_hex(blake3(input(1))),
            "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213");
  // 8 KiB + 1 at once takes the many-chunk SIMD path (hash_many); fed a byte at a time, the
  // same input goes block by block through compress_in_place. Both must agree.
  const std::vector<std::uint8_t> long_input = input(8193);
  Hasher bytewise;
  for (std::uint8_t byte : long_input) bytewise.update(std::span<const std::uint8_t>(&byte, 1));
  EXPECT_EQ(blake3(long_input), bytewise.finish());
}

// A HashDomain derives its context once; hashers started from it give exactly the digests of
// hashers given the context string, for short and multi-block contexts and inputs, and each
// hasher starts from a fresh copy (hashing with one does not change the domain).
TEST(HashDomain, GivesTheDigestsOfTheContextString) {
  const std::string contexts[] = {"vyre test domain", std::string(200, 'c')};
  for (const std::string& context : contexts) {
    const HashDomain domain(context);
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{64}, std::size_t{8193}}) {
      std::vector<std::uint8_t> input(n);
      for (std::size_t i = 0; i < n; ++i) input[i] = static_cast<std::uint8_t>(i % 251);
      Hasher from_string(context);
      from_string.update(input);
      Hasher from_domain(domain);
      from_domain.update(input);
      EXPECT_EQ(from_domain.finish(), from_string.finish()) << context.size() << " " << n;
    }
    Hasher first(domain);
    first.update(std::string_view("something"));
    Hasher fresh(domain);
    Hasher plain(context);
    EXPECT_EQ(fresh.finish(), plain.finish());
    EXPECT_NE(first.finish(), fresh.finish());
  }
}

}  // namespace
}  // namespace vyre
