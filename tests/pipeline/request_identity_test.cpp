#include "pipeline/request_identity.h"

#include <gtest/gtest.h>

namespace vyre::pipeline {
namespace {

std::shared_ptr<const RequestIdentity> identity_of(std::vector<std::uint8_t> factor_bytes,
                                                   std::uint8_t key_byte) {
  auto identity = std::make_shared<RequestIdentity>();
  identity->key.fill(key_byte);
  identity->factor_bytes = std::move(factor_bytes);
  return identity;
}

// The memo is found by a hash but answers only for the exact factor bytes: a request whose
// bytes share the hash (an XXH3 collision, forced here) gets nothing, never the other's key.
TEST(RequestIdentityMemo, AnswersOnlyForTheSameFactorBytes) {
  RequestIdentityMemo memo;
  const std::vector<std::uint8_t> a = {1, 2, 3};
  const std::vector<std::uint8_t> b = {1, 2, 4};
  const XXH128_hash_t shared = XXH3_128bits(a.data(), a.size());
  memo.insert(shared, identity_of(a, 0xaa));
  auto found = memo.find(shared, a);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->key[0], 0xaa);
  EXPECT_EQ(memo.find(shared, b), nullptr);
  // The later identity replaces the earlier under the shared hash.
  memo.insert(shared, identity_of(b, 0xbb));
  ASSERT_NE(memo.find(shared, b), nullptr);
  EXPECT_EQ(memo.find(shared, b)->key[0], 0xbb);
  EXPECT_EQ(memo.find(shared, a), nullptr);
  const XXH128_hash_t other = XXH3_128bits(b.data(), b.size());
  EXPECT_EQ(memo.find(other, b), nullptr);
}

}  // namespace
}  // namespace vyre::pipeline
