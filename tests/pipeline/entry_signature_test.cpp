// Signed shared-cache entries: only what a trusted key signed for exactly this key is opened;
// every other value is refused with its own reason.
#include "vyre/pipeline/entry_signature.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "pipeline/fake_backend.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/entry_format.h"

namespace vyre::pipeline {
namespace {

using namespace testing;

KeyFactors factors_for(std::uint8_t program) {
  KeyFactors f;
  f.program.fill(program);
  f.policy = {{"ulp_budget", "0"}};
  f.backend = "fake";
  f.fingerprint = {"vyre", "fake-device", "driver 1", "fakecc 1"};
  return f;
}

std::vector<std::uint8_t> entry_for(const KeyFactors& f, std::size_t payload_bytes = 300) {
  std::vector<std::uint8_t> payload(payload_bytes);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7);
  auto entry = encode_entry(EntryMetadata{f, 1234}, payload, public_entry_secret());
  EXPECT_TRUE(entry.ok());
  return std::move(entry).value();
}

TEST(EntrySignature, TrustedSignatureOpensTheExactEntry) {
  SigningKey signer = SigningKey::generate();
  KeyFactors f = factors_for(1);
  auto entry = entry_for(f);
  auto envelope = sign_entry(signer, f.key(), entry);
  ASSERT_EQ(envelope.size(), entry.size() + kSignedEnvelopeHeaderBytes);
  std::vector<PublicKey> trusted = {SigningKey::generate().public_key(), signer.public_key()};
  OpenedEntry opened = open_signed_entry(envelope, f.key(), trusted);
  ASSERT_FALSE(opened.refused) << opened.defect->message;
  EXPECT_TRUE(std::equal(opened.entry.begin(), opened.entry.end(), entry.begin(), entry.end()));
  const Digest key = f.key();
  EXPECT_TRUE(decode_entry(opened.entry, public_entry_secret(), &key).ok());
}

TEST(EntrySignature, UntrustedEntryHasAStableMetricName) {
  EXPECT_EQ(metric_name(MissReason::UntrustedEntry), "untrusted_entry");
  EXPECT_EQ(miss_reason_from_name("untrusted_entry"), MissReason::UntrustedEntry);
}

TEST(EntrySignature, UnsignedAndUntrustedValuesAreRefusedAsUntrusted) {
  SigningKey signer = SigningKey::generate();
  SigningKey stranger = SigningKey::generate();
  KeyFactors f = factors_for(2);
  auto entry = entry_for(f);
  std::vector<PublicKey> trusted = {signer.public_key()};

  OpenedEntry bare = open_signed_entry(entry, f.key(), trusted);
  ASSERT_TRUE(bare.refused);
  EXPECT_EQ(*bare.refused, MissReason::UntrustedEntry);
  EXPECT_EQ(bare.defect->code, code::RemoteEntryUntrusted);
  EXPECT_TRUE(bare.entry.empty());

  OpenedEntry foreign = open_signed_entry(sign_entry(stranger, f.key(), entry), f.key(), trusted);
  ASSERT_TRUE(foreign.refused);
  EXPECT_EQ(*foreign.refused, MissReason::UntrustedEntry);
  EXPECT_NE(foreign.defect->message.find("does not list"), std::string::npos);

  // A trusted signer's public key pasted over a stranger's signature: the signature fails.
  auto forged = sign_entry(stranger, f.key(), entry);
  std::copy(signer.public_key().begin(), signer.public_key().end(), forged.begin() + 8);
  OpenedEntry bad = open_signed_entry(forged, f.key(), trusted);
  ASSERT_TRUE(bad.refused);
  EXPECT_EQ(*bad.refused, MissReason::UntrustedEntry);
  EXPECT_NE(bad.defect->message.find("does not verify"), std::string::npos);

  OpenedEntry nobody = open_signed_entry(sign_entry(signer, f.key(), entry), f.key(), {});
  EXPECT_EQ(nobody.refused, MissReason::UntrustedEntry) << "an empty list trusts nothing";
}

TEST(EntrySignature, EveryChangedByteIsRefused) {
  SigningKey signer = SigningKey::generate();
  KeyFactors f = factors_for(3);
  auto envelope = sign_entry(signer, f.key(), entry_for(f, 64));
  std::vector<PublicKey> trusted = {signer.public_key()};
  std::size_t corrupt = 0, untrusted = 0;
  for (std::size_t i = 0; i < envelope.size(); ++i) {
    for (std::uint8_t flip : {0x01, 0x80}) {
      auto changed = envelope;
      changed[i] ^= flip;
      OpenedEntry opened = open_signed_entry(changed, f.key(), trusted);
      ASSERT_TRUE(opened.refused) << "byte " << i << " ^ " << int(flip) << " was loaded";
      EXPECT_TRUE(opened.entry.empty());
      (*opened.refused == MissReason::CorruptEntry ? corrupt : untrusted) += 1;
    }
  }
  // Changes inside the entry are damage (its checksums fail); in the signature or signer, forgery.
  EXPECT_GT(corrupt, 0u);
  EXPECT_GT(untrusted, 0u);
}

TEST(EntrySignature, EveryTruncationIsRefusedAsCorrupt) {
  SigningKey signer = SigningKey::generate();
  KeyFactors f = factors_for(4);
  auto envelope = sign_entry(signer, f.key(), entry_for(f, 64));
  std::vector<PublicKey> trusted = {signer.public_key()};
  for (std::size_t n = 0; n < envelope.size(); ++n) {
    OpenedEntry opened = open_signed_entry(std::span(envelope).first(n), f.key(), trusted);
    ASSERT_TRUE(opened.refused) << "a prefix of " << n << " bytes was loaded";
    EXPECT_EQ(*opened.refused, MissReason::CorruptEntry) << n;
  }
}

TEST(EntrySignature, AnEntrySignedForAnotherKeyIsRefused) {
  SigningKey signer = SigningKey::generate();
  KeyFactors a = factors_for(5);
  KeyFactors b = factors_for(6);
  auto envelope = sign_entry(signer, a.key(), entry_for(a));
  OpenedEntry opened = open_signed_entry(envelope, b.key(), std::vector{signer.public_key()});
  ASSERT_TRUE(opened.refused);
  EXPECT_EQ(*opened.refused, MissReason::CorruptEntry);
  EXPECT_EQ(opened.defect->code, code::CacheEntryCorrupt);
}

TEST(SigningKeyFile, KeygenWritesAPrivateKeyAndItsPublicHalf) {
  TempDir dir;
  SigningKey key = SigningKey::generate();
  ASSERT_TRUE(write_key_pair(key, dir / "fleet.key").ok());
  struct stat st {};
  ASSERT_EQ(::stat((dir / "fleet.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = SigningKey::load(dir / "fleet.key");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->public_key(), key.public_key());
  auto trusted = parse_trusted_keys((dir / "fleet.key.pub").string());
  ASSERT_TRUE(trusted.ok()) << trusted.error().message;
  ASSERT_EQ(trusted->size(), 1u);
  EXPECT_EQ((*trusted)[0], key.public_key());

  auto again = write_key_pair(SigningKey::generate(), dir / "fleet.key");
  ASSERT_FALSE(again.ok()) << "an existing key must never be replaced";
  EXPECT_EQ(again.error().code, code::BadSigningKey);
  EXPECT_EQ(SigningKey::load(dir / "fleet.key")->public_key(), key.public_key());
}

TEST(SigningKeyFile, AKeyReadableByGroupOrOthersIsRefused) {
  TempDir dir;
  ASSERT_TRUE(write_key_pair(SigningKey::generate(), dir / "k").ok());
  for (mode_t mode : {0640, 0604, 0644}) {
    ASSERT_EQ(::chmod((dir / "k").c_str(), mode), 0);
    auto loaded = SigningKey::load(dir / "k");
    ASSERT_FALSE(loaded.ok()) << std::oct << mode;
    EXPECT_EQ(loaded.error().code, code::SigningKeyExposed);
    EXPECT_NE(loaded.error().help.find("chmod 600"), std::string::npos);
  }
}

TEST(SigningKeyFile, MalformedKeysAreDiagnosed) {
  TempDir dir;
  std::vector<std::uint8_t> junk = {'n', 'o', 't', ' ', 'a', ' ', 'k', 'e', 'y'};
  write_file(dir / "junk", junk);
  ::chmod((dir / "junk").c_str(), 0600);
  auto loaded = SigningKey::load(dir / "junk");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, code::BadSigningKey);
  EXPECT_FALSE(SigningKey::load(dir / "missing").ok());

  auto list = parse_trusted_keys("abcd, " + std::string(64, 'a'));
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, code::BadSigningKey);
  auto two = parse_trusted_keys(std::string(64, 'a') + ", " + std::string(64, 'B'));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
}

}  // namespace
}  // namespace vyre::pipeline
