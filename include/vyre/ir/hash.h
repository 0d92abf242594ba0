// BLAKE3 digests: the program digest, cache keys and any other content identity in vyre.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vyre {

using Digest = std::array<std::uint8_t, 32>;

std::string to_hex(std::span<const std::uint8_t> bytes);  // lowercase
std::optional<Digest> digest_from_hex(std::string_view hex);

// A BLAKE3 derive_key context string naming one kind of digest, kept as a named constant so
// every hasher of that kind uses the same one.
class HashDomain {
 public:
  explicit HashDomain(std::string_view context) : context_(context) {}
  std::string_view context() const { return context_; }

 private:
  std::string context_;
};

// Incremental BLAKE3. `domain` (if given) selects keyed derivation: BLAKE3's derive_key mode
// with that context string, so digests of different kinds of thing can never collide.
// Hasher(HashDomain{c}) and Hasher(c) give the same digests.
class Hasher {
 public:
  Hasher();
  explicit Hasher(std::string_view domain);
  explicit Hasher(const HashDomain& domain);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  Hasher& update(std::span<const std::uint8_t> bytes);
  Hasher& update(std::string_view text);
  // Length-prefixed field, so ("ab","c") and ("a","bc") differ.
  Hasher& field(std::string_view text);
  Hasher& field(std::uint64_t value);
  Digest finish() const;

 private:
  // A blake3_hasher (blake3.h, public), kept opaque so this header does not include BLAKE3's;
  // hash.cpp checks at compile time that it fits.
  alignas(8) std::uint8_t state_[1912];
};

Digest blake3(std::span<const std::uint8_t> bytes);

}  // namespace vyre
