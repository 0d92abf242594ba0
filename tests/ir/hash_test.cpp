// vyre's BLAKE3 wrapper (ir/hash.h): the official test vectors, one-shot and incremental
// hashing agreeing, and HashDomain hashers giving the digests of their context string.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vyre/ir/hash.h"

namespace vyre {
namespace {

TEST(Blake3, HashesMatchTheOfficialVectors) {
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

// Hashers started from a HashDomain give exactly the digests of hashers given the context
// string, for short and multi-block contexts and inputs, and each starts fresh (hashing with one
// does not change the domain).
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
