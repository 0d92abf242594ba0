// The bytes of one disk cache entry (one entry = one file):
//
//   offset  size  field
//        0     8  magic "VYREPIPE"
//        8     4  format version (little endian, kCacheFormatVersion)
//       12     4  metadata length M (<= kMaxMetadataBytes)
//       16     8  payload length P (<= kMaxPayloadBytes)
//       24    32  key echo: the entry's full key
//       56    16  XXH3-128 of the payload
//       72    16  XXH3-128 of bytes [0, 72) followed by the metadata
//       88     M  metadata: the key factors and the compile time (see entry_format.cpp)
//     88+M     P  payload: what Backend::serialize produced
//
// A file is valid only when its size is exactly 88 + M + P, both checksums match, the key echo
// equals the expected key and the metadata's factors hash to that key (or, on the hit path, are
// byte for byte the requested factors). Nothing else is served.
#pragma once

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

struct EntryMetadata {
  KeyFactors factors;
  std::uint64_t compile_us = 0;  // how long the compile took: what a hit saves (not identity)
  friend bool operator==(const EntryMetadata&, const EntryMetadata&) = default;
};

// Encodes an entry keyed by metadata.factors.key(). Fails (VY5006) when the payload is larger
// than kMaxPayloadBytes or the metadata larger than kMaxMetadataBytes.
Result<std::vector<std::uint8_t>> encode_entry(const EntryMetadata& metadata,
                                               std::span<const std::uint8_t> payload);

struct DecodedEntry {
  Digest key{};
  EntryMetadata metadata;
  std::span<const std::uint8_t> payload;  // points into the decoded bytes
};

// Fully validates `bytes` (see the layout above). `expected_key` (when given) must equal the key
// echo. Every defect is a VY5003 diagnostic saying what was wrong.
Result<DecodedEntry> decode_entry(std::span<const std::uint8_t> bytes,
                                  const Digest* expected_key = nullptr);

// The key factors as the metadata stores them (after the compile time). Length-prefixed
// throughout, so two different sets of factors never encode alike; key_of_factor_bytes hashes it.
std::vector<std::uint8_t> encode_key_factors(const KeyFactors& factors);

// Appends encode_key_factors of the factors these parts make, without building a KeyFactors
// (the request path encodes before it knows whether the identity is memoised).
void append_key_factors(std::vector<std::uint8_t>& out, const Digest& program,
                        const NamedValues& policy, std::string_view backend,
                        const DeviceFingerprint& fingerprint, const NamedValues& environment);

// The hit path's decoder: the checks of decode_entry, except that instead of decoding the
// metadata and re-deriving the key from it, the stored factors must be byte for byte
// `expected_factors`, which is encode_key_factors of the request whose key is `key`. As strict
// (the entry's factors are exactly the requested ones) and cheaper: no allocation, no hashing.
// Sets metadata.compile_us and leaves metadata.factors empty.
Result<DecodedEntry> decode_entry_matching(std::span<const std::uint8_t> bytes, const Digest& key,
                                           std::span<const std::uint8_t> expected_factors);

// The checks behind both decoders, for the disk tier's read: with `expected_factors` those of
// decode_entry_matching, without them those of decode_entry. Fills `out` (its payload a view
// into `bytes`) and returns nothing when every check passes, else the defect; no Result wrapping
// or moves of a DecodedEntry on the hit path.
std::optional<Diagnostic> check_entry(std::span<const std::uint8_t> bytes, const Digest& key,
                                      std::span<const std::uint8_t> expected_factors,
                                      DecodedEntry* out);

// The VY5003 diagnostic every defect of a cache entry is reported with ("corrupt pipeline cache
// entry: <what>"), so the decoders and the disk tier word it alike.
[[gnu::cold]] Diagnostic entry_defect(std::string what);

// Validates only the header and metadata of a prefix of an entry (for listing and miss
// explanation without reading payloads). `file_size` is the whole file's size.
Result<DecodedEntry> decode_entry_header(std::span<const std::uint8_t> prefix,
                                         std::uint64_t file_size);

}  // namespace vyre::pipeline
