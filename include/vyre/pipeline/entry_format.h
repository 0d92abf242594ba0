// The bytes of one disk cache entry (one entry = one file):
//
//   offset  size  field
//        0     8  magic "VYREPIPE"
//        8     4  format version (little endian, kCacheFormatVersion)
//       12     4  metadata length M (<= kMaxMetadataBytes)
//       16     8  payload length P (<= kMaxPayloadBytes)
//       24    32  key echo: the entry's full key
//       56    16  payload tag: keyed BLAKE3 over "P", the key echo and the payload
//       72    16  header tag: keyed BLAKE3 over "H", bytes [0, 56) and the metadata
//       88     M  metadata: the key factors and the compile time (see entry_format.cpp)
//     88+M     P  payload: what Backend::serialize produced
//
// The tags are keyed with the secret of the store the entry lives in (the disk store's per-user
// secret; the public pack secret for packs), so bytes written by anyone without that secret never
// authenticate. A file is valid only when its size is exactly 88 + M + P, both tags match, the
// key echo equals the expected key and the metadata's factors hash to that key (or, on the hit
// path, are byte for byte the requested factors). Nothing else is served.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/pipeline/cache_key.h"

namespace vyre::pipeline {

inline constexpr std::size_t kEntryHeaderBytes = 88;
inline constexpr std::uint64_t kMaxPayloadBytes = 64ull << 20;  // bounded reads
inline constexpr std::uint32_t kMaxMetadataBytes = 64u << 10;
inline constexpr std::uint64_t kMaxEntryBytes =
    kEntryHeaderBytes + kMaxMetadataBytes + kMaxPayloadBytes;

// The 32-byte key an entry's tags are computed with.
using EntrySecret = std::array<std::uint8_t, 32>;

// The key of entries whose store has no secret of its own (read-only packs): public, so their
// tags are integrity checks only; a pack is trusted because it was configured.
const EntrySecret& public_entry_secret();

struct EntryMetadata {
  KeyFactors factors;
  std::uint64_t compile_us = 0;  // how long the compile took: what a hit saves (not identity)
  friend bool operator==(const EntryMetadata&, const EntryMetadata&) = default;
};

// Encodes an entry keyed by metadata.factors.key(). Fails (VY5006) when the payload is larger
// than kMaxPayloadBytes or the metadata larger than kMaxMetadataBytes.
Result<std::vector<std::uint8_t>> encode_entry(const EntryMetadata& metadata,
                                               std::span<const std::uint8_t> payload,
                                               const EntrySecret& secret);

// A copy of a valid entry with its tags computed under `secret`: how a hit in one store is
// promoted into a store with another secret. The caller has validated `bytes`.
std::vector<std::uint8_t> reauthenticate_entry(std::span<const std::uint8_t> bytes,
                                               const EntrySecret& secret);

struct DecodedEntry {
  Digest key{};
  EntryMetadata metadata;
  std::span<const std::uint8_t> payload;  // points into the decoded bytes
};

// Fully validates `bytes` (see the layout above). `expected_key` (when given) must equal the key
// echo. Every defect is a VY5003 diagnostic saying what was wrong.
Result<DecodedEntry> decode_entry(std::span<const std::uint8_t> bytes, const EntrySecret& secret,
                                  const Digest* expected_key = nullptr);

// The hit path's decoder: the checks of decode_entry, except that instead of decoding the
// metadata and re-deriving the key from it, the stored factors must be byte for byte
// `expected_factors`, which is encode_key_factors of the request whose key is `key`. As strict
// (the entry's factors are exactly the requested ones) and cheaper: no allocation, no hashing.
// Sets metadata.compile_us and leaves metadata.factors empty.
Result<DecodedEntry> decode_entry_matching(std::span<const std::uint8_t> bytes, const Digest& key,
                                           std::span<const std::uint8_t> expected_factors,
                                           const EntrySecret& secret);

// The checks behind both decoders, for the cache's read of a store's bytes: with `expected_factors`
// those of decode_entry_matching, without them those of decode_entry. Fills `out` (its payload a
// view into `bytes`) and returns nothing when every check passes, else the defect; no Result
// wrapping or moves of a DecodedEntry on the hit path.
std::optional<Diagnostic> check_entry(std::span<const std::uint8_t> bytes, const Digest& key,
                                      std::span<const std::uint8_t> expected_factors,
                                      const EntrySecret& secret, DecodedEntry* out);

// The VY5003 diagnostic every defect of a cache entry is reported with ("corrupt pipeline cache
// entry: <what>"), so the decoders and the disk tier word it alike.
Diagnostic entry_defect(std::string what);

// Validates only the header and metadata of a prefix of an entry (for listing and miss
// explanation without reading payloads). `file_size` is the whole file's size.
Result<DecodedEntry> decode_entry_header(std::span<const std::uint8_t> prefix,
                                         std::uint64_t file_size, const EntrySecret& secret);

}  // namespace vyre::pipeline
