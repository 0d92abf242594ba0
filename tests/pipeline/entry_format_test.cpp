#include "vyre/pipeline/entry_format.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include "pipeline/fake_backend.h"

namespace vyre::pipeline {
namespace {

// Any 32 bytes: the per-user secret a disk store would hold.
const EntrySecret kSecret = [] {
  EntrySecret s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i * 13 + 1);
  return s;
}();

EntryMetadata sample_metadata() {
  testing::FakeBackend backend;
  EntryMetadata m;
  m.factors = make_key_factors(backend, testing::make_program(3), DispatchConfig{},
                               {{"VYRE_CUDA_ARCH", ""}});
  m.compile_us = 1234;
  return m;
}

std::vector<std::uint8_t> sample_payload() {
  std::vector<std::uint8_t> payload(100);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7);
  return payload;
}

TEST(EntryFormat, RoundTrips) {
  EntryMetadata m = sample_metadata();
  auto payload = sample_payload();
  auto bytes = encode_entry(m, payload, kSecret);
  ASSERT_TRUE(bytes.ok());
  Digest key = m.factors.key();
  auto decoded = decode_entry(*bytes, kSecret, &key);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->key, key);
  EXPECT_EQ(decoded->metadata, m);
  EXPECT_TRUE(
      std::equal(decoded->payload.begin(), decoded->payload.end(), payload.begin(), payload.end()));
  auto header = decode_entry_header(std::span(*bytes).first(bytes->size() - payload.size()),
                                    bytes->size(), kSecret);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->metadata, m);
}

TEST(EntryFormat, HoldsNoHostSpecificValue) {
  auto bytes = encode_entry(sample_metadata(), sample_payload(), kSecret);
  ASSERT_TRUE(bytes.ok());
  std::string text(bytes->begin(), bytes->end());
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(text.find(std::filesystem::temp_directory_path().string()), std::string::npos);
  if (std::string(host).size() > 3) {
    EXPECT_EQ(text.find(host), std::string::npos);
  }
  // Encoding is deterministic: the same inputs give the same bytes.
  EXPECT_EQ(*bytes, *encode_entry(sample_metadata(), sample_payload(), kSecret));
}

TEST(EntryFormat, EveryTruncationIsDetected) {
  auto bytes = encode_entry(sample_metadata(), sample_payload(), kSecret);
  ASSERT_TRUE(bytes.ok());
  Digest key = sample_metadata().factors.key();
  const std::vector<std::uint8_t> factors = encode_key_factors(sample_metadata().factors);
  for (std::size_t n = 0; n < bytes->size(); ++n) {
    auto decoded = decode_entry(std::span(*bytes).first(n), kSecret, &key);
    ASSERT_FALSE(decoded.ok()) << "truncated to " << n << " bytes was accepted";
    EXPECT_EQ(decoded.error().code, code::CacheEntryCorrupt);
    auto matched = decode_entry_matching(std::span(*bytes).first(n), key, factors, kSecret);
    ASSERT_FALSE(matched.ok()) << "hit path: truncated to " << n << " bytes was accepted";
    EXPECT_EQ(matched.error().code, code::CacheEntryCorrupt);
  }
  auto extended = *bytes;
  extended.push_back(0);
  EXPECT_FALSE(decode_entry(extended, kSecret, &key).ok());
}

TEST(EntryFormat, EveryBitFlipIsDetected) {
  auto bytes = encode_entry(sample_metadata(), sample_payload(), kSecret);
  ASSERT_TRUE(bytes.ok());
  Digest key = sample_metadata().factors.key();
  const std::vector<std::uint8_t> factors = encode_key_factors(sample_metadata().factors);
  for (std::size_t i = 0; i < bytes->size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto flipped = *bytes;
      flipped[i] ^= static_cast<std::uint8_t>(1u << bit);
      ASSERT_FALSE(decode_entry(flipped, kSecret, &key).ok())
          << "flip at byte " << i << " bit " << bit;
      ASSERT_FALSE(decode_entry_matching(flipped, key, factors, kSecret).ok())
          << "hit path: flip at byte " << i << " bit " << bit;
    }
  }
}

TEST(EntryFormat, MismatchedKeyIsRejected) {
  auto bytes = encode_entry(sample_metadata(), sample_payload(), kSecret);
  ASSERT_TRUE(bytes.ok());
  Digest other{};
  other[0] = 1;
  auto decoded = decode_entry(*bytes, kSecret, &other);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("key echo"), std::string::npos);
}

TEST(EntryFormat, HitPathDecodeComparesTheRequestedFactors) {
  EntryMetadata m = sample_metadata();
  auto payload = sample_payload();
  auto bytes = encode_entry(m, payload, kSecret);
  ASSERT_TRUE(bytes.ok());
  const Digest key = m.factors.key();
  auto decoded = decode_entry_matching(*bytes, key, encode_key_factors(m.factors), kSecret);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->key, key);
  EXPECT_EQ(decoded->metadata.compile_us, 1234u);
  EXPECT_TRUE(
      std::equal(decoded->payload.begin(), decoded->payload.end(), payload.begin(), payload.end()));

  // Factors that differ in one value (here the environment) are refused, even under this key.
  KeyFactors other = m.factors;
  other.environment[0].second = "sm_80";
  auto refused = decode_entry_matching(*bytes, key, encode_key_factors(other), kSecret);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, code::CacheEntryCorrupt);
  EXPECT_NE(refused.error().message.find("not the requested"), std::string::npos);
  EXPECT_FALSE(decode_entry_matching(*bytes, key, {}, kSecret).ok());
  // The key echo is still checked.
  Digest wrong = key;
  wrong[5] ^= 1;
  EXPECT_FALSE(decode_entry_matching(*bytes, wrong, encode_key_factors(m.factors), kSecret).ok());
}

// The header checksum is XXH3-128 of bytes [0, 72) followed by the metadata (the layout in
// entry_format.h), for metadata that fits the decoder's stack buffer and for metadata that does
// not; in both, a flipped metadata byte is caught.
// The header tag covers the header and the whole metadata, however long: a flip in its last
// byte is refused by the tag, and once re-signed (what only the secret's holder can do) the same
// bytes pass the tag and are refused by the factor check instead.
TEST(EntryFormat, HeaderTagCoversHeaderAndMetadata) {
  for (std::size_t value_length : {std::size_t{1}, std::size_t{3000}}) {
    EntryMetadata m = sample_metadata();
    m.factors.policy.emplace_back("long_value", std::string(value_length, 'v'));
    auto bytes = encode_entry(m, sample_payload(), kSecret);
    ASSERT_TRUE(bytes.ok());
    const std::size_t metadata_length = bytes->size() - kEntryHeaderBytes - sample_payload().size();
    ASSERT_EQ(metadata_length > 1024, value_length > 1024);
    const Digest key = m.factors.key();
    ASSERT_TRUE(decode_entry(*bytes, kSecret, &key).ok()) << value_length;
    ASSERT_TRUE(decode_entry_matching(*bytes, key, encode_key_factors(m.factors), kSecret).ok());
    std::vector<std::uint8_t> flipped = *bytes;
    flipped[kEntryHeaderBytes + metadata_length - 1] ^= 1;
    auto refused = decode_entry(flipped, kSecret, &key);
    ASSERT_FALSE(refused.ok()) << value_length;
    EXPECT_NE(refused.error().message.find("header does not authenticate"), std::string::npos);
    std::vector<std::uint8_t> resigned = reauthenticate_entry(flipped, kSecret);
    auto header = decode_entry_header(resigned, resigned.size(), kSecret);
    // Authenticated now; refused only because the changed factors no longer hash to the key.
    ASSERT_FALSE(header.ok()) << value_length;
    EXPECT_EQ(header.error().message.find("header does not authenticate"), std::string::npos)
        << header.error().message;
  }
}

TEST(EntryFormat, OversizedPayloadIsRefused) {
  std::vector<std::uint8_t> huge(kMaxPayloadBytes + 1);
  auto bytes = encode_entry(sample_metadata(), huge, kSecret);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().code, code::PipelineNotPersisted);
}

// An entry written with another user's secret never authenticates, and re-signing a valid
// entry (what promotion does) makes it valid under the new secret only.
TEST(EntryFormat, AnotherSecretNeverAuthenticates) {
  auto bytes = encode_entry(sample_metadata(), sample_payload(), kSecret);
  ASSERT_TRUE(bytes.ok());
  const Digest key = sample_metadata().factors.key();
  EntrySecret other = kSecret;
  other[0] ^= 1;
  auto refused = decode_entry(*bytes, other, &key);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, code::CacheEntryCorrupt);
  EXPECT_NE(refused.error().message.find("another secret"), std::string::npos);
  EXPECT_FALSE(
      decode_entry_matching(*bytes, key, encode_key_factors(sample_metadata().factors), other)
          .ok());
  EXPECT_FALSE(decode_entry_header(*bytes, bytes->size(), other).ok());

  std::vector<std::uint8_t> resigned = reauthenticate_entry(*bytes, other);
  EXPECT_TRUE(decode_entry(resigned, other, &key).ok());
  EXPECT_FALSE(decode_entry(resigned, kSecret, &key).ok());
  EXPECT_TRUE(decode_entry(reauthenticate_entry(resigned, public_entry_secret()),
                           public_entry_secret(), &key)
                  .ok());
}

}  // namespace
}  // namespace vyre::pipeline
