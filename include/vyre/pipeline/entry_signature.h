// Ed25519 signatures over shared-cache entries. What the remote tier stores is an envelope:
//
//   offset  size  field
//        0     8  magic "VYRESIG1"
//        8    32  signer's public key
//       40    64  Ed25519 signature of: domain string, the 32-byte cache key, the entry
//      104     N  the entry, in the disk entry format (entry_format.h)
//
// so a reader loads an entry only when a key it trusts signed exactly these bytes for exactly this
// cache key. The signature says who wrote an entry, not that the entry is a correct compile of
// the program: see docs/SHARED_CACHE.md for what it protects and what it does not.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/ir/hash.h"
#include "vyre/pipeline/miss_reason.h"

namespace vyre::pipeline {

inline constexpr std::size_t kSignedEnvelopeHeaderBytes = 104;

using PublicKey = std::array<std::uint8_t, 32>;

// A writer's Ed25519 key pair, held in memory only as long as the signer lives.
class SigningKey {
 public:
  // A fresh random key pair.
  static SigningKey generate();
  // From a 32-byte seed (what a key file holds).
  static SigningKey from_seed(std::span<const std::uint8_t, 32> seed);
  // Reads a key file written by write_key_pair: 64 hex digits of the seed. Fails with
  // VY5203 when the file is readable by group or others, VY5204 when it is not a key.
  static Result<SigningKey> load(const std::filesystem::path& path);

  const PublicKey& public_key() const { return public_; }
  std::span<const std::uint8_t, 32> seed() const { return std::span(secret_).first<32>(); }
  // The detached signature of `message`.
  std::array<std::uint8_t, 64> sign(std::span<const std::uint8_t> message) const;

 private:
  SigningKey() = default;
  std::array<std::uint8_t, 64> secret_{};  // libsodium's layout: seed then public key
  PublicKey public_{};
};

// Writes `key` as <secret_path> (mode 0600, the seed in hex) and <secret_path>.pub (the public
// key in hex). Refuses to replace an existing file (VY5204).
Status write_key_pair(const SigningKey& key, const std::filesystem::path& secret_path);

// The trimmed first line of a small file that must be readable by its owner only (a Redis
// password): VY5203 when group or others may read it, VY5204 when it cannot be read.
Result<std::string> read_secret_file(const std::filesystem::path& path, std::string_view what);

std::string public_key_hex(const PublicKey& key);
// 64 hex digits; `what` names the source in the VY5204 error.
Result<PublicKey> parse_public_key(std::string_view hex, std::string_view what);
// VYRE_REMOTE_CACHE_TRUSTED_KEYS: comma or whitespace separated items, each 64 hex digits or the
// path of a file of such lines ('#' starts a comment). An empty list trusts nothing.
Result<std::vector<PublicKey>> parse_trusted_keys(std::string_view list);

// The envelope of `entry` for `key`, signed by `signer`.
std::vector<std::uint8_t> sign_entry(const SigningKey& signer, const Digest& key,
                                     std::span<const std::uint8_t> entry);

// What a reader makes of an envelope: the entry inside it, or why it was refused.
struct OpenedEntry {
  std::span<const std::uint8_t> entry;  // into the envelope; empty when refused
  std::optional<MissReason> refused;    // UntrustedEntry or CorruptEntry
  std::optional<Diagnostic> defect;     // VY5202 (untrusted) or VY5003 (corrupt), saying what
};

// Verifies `envelope` for `key`: too short -> CorruptEntry; no vyre signature, a signer not in
// `trusted`, or a signature that does not verify over intact entry bytes -> UntrustedEntry; a
// signature that fails because the entry itself is damaged (its own checksums fail) or a signed
// entry whose key echo is not `key` -> CorruptEntry. Only an entry that passes is returned; the
// caller still checks the entry's factors as for a disk hit.
OpenedEntry open_signed_entry(std::span<const std::uint8_t> envelope, const Digest& key,
                              std::span<const PublicKey> trusted);

}  // namespace vyre::pipeline
