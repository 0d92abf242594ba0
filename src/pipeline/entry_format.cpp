#include "vyre/pipeline/entry_format.h"

#include <xxhash.h>

#include <cstring>

#include "vyre/diag/codes.h"

namespace vyre::pipeline {
namespace {

constexpr char kMagic[8] = {'V', 'Y', 'R', 'E', 'P', 'I', 'P', 'E'};
constexpr std::size_t kChecksumBytes = 16;
constexpr std::size_t kPayloadChecksumAt = 56;
constexpr std::size_t kHeaderChecksumAt = 72;
static_assert(kHeaderChecksumAt + kChecksumBytes == kEntryHeaderBytes);

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_str(std::vector<std::uint8_t>& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}
void put_named(std::vector<std::uint8_t>& out, const NamedValues& values) {
  put_u32(out, static_cast<std::uint32_t>(values.size()));
  for (const auto& [name, value] : values) {
    put_str(out, name);
    put_str(out, value);
  }
}
std::uint32_t get_u32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}
std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

void put_checksum(std::uint8_t* at, XXH128_hash_t h) {
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, h);
  std::memcpy(at, canonical.digest, kChecksumBytes);
}
bool checksum_equals(const std::uint8_t* at, XXH128_hash_t h) {
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, h);
  return std::memcmp(at, canonical.digest, kChecksumBytes) == 0;
}

XXH128_hash_t header_checksum(const std::uint8_t* header, std::span<const std::uint8_t> metadata) {
  XXH3_state_t state;
  XXH3_INITSTATE(&state);
  XXH3_128bits_reset(&state);
  XXH3_128bits_update(&state, header, kHeaderChecksumAt);
  XXH3_128bits_update(&state, metadata.data(), metadata.size());
  return XXH3_128bits_digest(&state);
}

// Reads metadata fields; every read is bounds-checked, so any length is safe.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool u32(std::uint32_t* v) {
    if (bytes_.size() - at_ < 4) return false;
    *v = get_u32(bytes_.data() + at_);
    at_ += 4;
    return true;
  }
  bool u64(std::uint64_t* v) {
    if (bytes_.size() - at_ < 8) return false;
    *v = get_u64(bytes_.data() + at_);
    at_ += 8;
    return true;
  }
  bool raw(std::uint8_t* out, std::size_t n) {
    if (bytes_.size() - at_ < n) return false;
    std::memcpy(out, bytes_.data() + at_, n);
    at_ += n;
    return true;
  }
  bool str(std::string* out) {
    std::uint32_t n = 0;
    if (!u32(&n) || bytes_.size() - at_ < n) return false;
    out->assign(reinterpret_cast<const char*>(bytes_.data() + at_), n);
    at_ += n;
    return true;
  }
  bool named(NamedValues* out) {
    std::uint32_t n = 0;
    if (!u32(&n) || n > (bytes_.size() - at_) / 8) return false;  // each pair needs >= 8 bytes
    out->resize(n);
    for (auto& [name, value] : *out) {
      if (!str(&name) || !str(&value)) return false;
    }
    return true;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

Diagnostic defect(std::string what) {
  return Diagnostic::error(code::CacheEntryCorrupt, "corrupt pipeline cache entry: " + what,
                           "the entry is never served; the cache removes it and recompiles "
                           "(`vyre cache verify --fix` removes every such entry)");
}

// Metadata = the compile time (8 bytes), then the key factors (encode_key_factors).
constexpr std::size_t kCompileTimeBytes = 8;

void put_factors(std::vector<std::uint8_t>& out, const KeyFactors& f) {
  out.insert(out.end(), f.program.begin(), f.program.end());
  put_named(out, f.policy);
  put_str(out, f.backend);
  put_str(out, f.fingerprint.vendor);
  put_str(out, f.fingerprint.device);
  put_str(out, f.fingerprint.driver);
  put_str(out, f.fingerprint.compiler);
  put_named(out, f.environment);
}

std::vector<std::uint8_t> encode_metadata(const EntryMetadata& m) {
  std::vector<std::uint8_t> out;
  put_u64(out, m.compile_us);
  put_factors(out, m.factors);
  return out;
}

bool decode_metadata(std::span<const std::uint8_t> bytes, std::uint32_t version, EntryMetadata* m) {
  Reader r(bytes);
  m->factors.format_version = version;
  return r.u64(&m->compile_us) && r.raw(m->factors.program.data(), m->factors.program.size()) &&
         r.named(&m->factors.policy) && r.str(&m->factors.backend) &&
         r.str(&m->factors.fingerprint.vendor) && r.str(&m->factors.fingerprint.device) &&
         r.str(&m->factors.fingerprint.driver) && r.str(&m->factors.fingerprint.compiler) &&
         r.named(&m->factors.environment) && r.done();
}

// Header and metadata checks shared by every decoder. With `expected_factors`, the stored
// factors must equal those bytes (and are not decoded); without, they are decoded and must hash
// to the key echo.
Result<DecodedEntry> decode_prefix(std::span<const std::uint8_t> prefix, std::uint64_t file_size,
                                   std::uint32_t* metadata_length, std::uint64_t* payload_length,
                                   std::span<const std::uint8_t> expected_factors = {}) {
  if (file_size < kEntryHeaderBytes || prefix.size() < kEntryHeaderBytes) {
    return defect("truncated header (" + std::to_string(file_size) + " bytes)");
  }
  const std::uint8_t* h = prefix.data();
  if (std::memcmp(h, kMagic, sizeof kMagic) != 0) return defect("bad magic");
  std::uint32_t version = get_u32(h + 8);
  if (version != kCacheFormatVersion) {
    return defect("format version " + std::to_string(version) + ", this build reads " +
                  std::to_string(kCacheFormatVersion));
  }
  *metadata_length = get_u32(h + 12);
  *payload_length = get_u64(h + 16);
  if (*metadata_length > kMaxMetadataBytes) return defect("metadata length out of range");
  if (*payload_length > kMaxPayloadBytes) return defect("payload length out of range");
  std::uint64_t expected = kEntryHeaderBytes + *metadata_length + *payload_length;
  if (file_size != expected) {
    return defect("size " + std::to_string(file_size) + " bytes, header says " +
                  std::to_string(expected) + " (truncated or extended)");
  }
  if (prefix.size() < kEntryHeaderBytes + *metadata_length) return defect("truncated metadata");
  std::span<const std::uint8_t> metadata = prefix.subspan(kEntryHeaderBytes, *metadata_length);
  if (!checksum_equals(h + kHeaderChecksumAt, header_checksum(h, metadata))) {
    return defect("header checksum mismatch");
  }
  DecodedEntry entry;
  std::memcpy(entry.key.data(), h + 24, entry.key.size());
  if (!expected_factors.empty()) {
    if (metadata.size() != kCompileTimeBytes + expected_factors.size() ||
        std::memcmp(metadata.data() + kCompileTimeBytes, expected_factors.data(),
                    expected_factors.size()) != 0) {
      return defect("stored factors are not the requested ones");
    }
    entry.metadata.compile_us = get_u64(metadata.data());
    return entry;
  }
  if (!decode_metadata(metadata, version, &entry.metadata)) return defect("malformed metadata");
  if (entry.metadata.factors.key() != entry.key) {
    return defect("stored factors do not hash to the stored key");
  }
  return entry;
}

// The payload checks shared by decode_entry and decode_entry_matching.
Result<DecodedEntry> decode_whole(std::span<const std::uint8_t> bytes, const Digest* expected_key,
                                  std::span<const std::uint8_t> expected_factors) {
  std::uint32_t metadata_length = 0;
  std::uint64_t payload_length = 0;
  DecodedEntry entry = VYRE_TRY(
      decode_prefix(bytes, bytes.size(), &metadata_length, &payload_length, expected_factors));
  if (expected_key != nullptr && entry.key != *expected_key) {
    return defect("key echo " + to_hex(entry.key).substr(0, 16) + " does not match its name " +
                  to_hex(*expected_key).substr(0, 16));
  }
  entry.payload = bytes.subspan(kEntryHeaderBytes + metadata_length, payload_length);
  if (!checksum_equals(bytes.data() + kPayloadChecksumAt,
                       XXH3_128bits(entry.payload.data(), entry.payload.size()))) {
    return defect("payload checksum mismatch");
  }
  return entry;
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_entry(const EntryMetadata& metadata,
                                               std::span<const std::uint8_t> payload) {
  if (payload.size() > kMaxPayloadBytes) {
    return Diagnostic::warning(
        code::PipelineNotPersisted,
        "compiled pipeline of " + std::to_string(payload.size()) +
            " bytes exceeds the disk cache's entry bound of " + std::to_string(kMaxPayloadBytes),
        "the pipeline stays in the memory tier only; nothing to fix unless it recompiles often");
  }
  std::vector<std::uint8_t> meta = encode_metadata(metadata);
  if (meta.size() > kMaxMetadataBytes) {
    return Diagnostic::warning(code::PipelineNotPersisted,
                               "pipeline cache key factors take " + std::to_string(meta.size()) +
                                   " bytes, over the bound of " + std::to_string(kMaxMetadataBytes),
                               "shorten the backend's fingerprint strings or policy values");
  }
  std::vector<std::uint8_t> out;
  out.reserve(kEntryHeaderBytes + meta.size() + payload.size());
  out.insert(out.end(), kMagic, kMagic + sizeof kMagic);
  put_u32(out, kCacheFormatVersion);
  put_u32(out, static_cast<std::uint32_t>(meta.size()));
  put_u64(out, payload.size());
  Digest key = metadata.factors.key();
  out.insert(out.end(), key.begin(), key.end());
  out.resize(kEntryHeaderBytes);
  put_checksum(out.data() + kPayloadChecksumAt, XXH3_128bits(payload.data(), payload.size()));
  put_checksum(out.data() + kHeaderChecksumAt, header_checksum(out.data(), meta));
  out.insert(out.end(), meta.begin(), meta.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::vector<std::uint8_t> encode_key_factors(const KeyFactors& factors) {
  std::vector<std::uint8_t> out;
  out.reserve(512);  // typical factors take 200-300 bytes: one allocation
  put_factors(out, factors);
  return out;
}

Result<DecodedEntry> decode_entry(std::span<const std::uint8_t> bytes, const Digest* expected_key) {
  return decode_whole(bytes, expected_key, {});
}

Result<DecodedEntry> decode_entry_matching(std::span<const std::uint8_t> bytes, const Digest& key,
                                           std::span<const std::uint8_t> expected_factors) {
  if (expected_factors.empty()) return defect("no expected factors given");
  return decode_whole(bytes, &key, expected_factors);
}

Result<DecodedEntry> decode_entry_header(std::span<const std::uint8_t> prefix,
                                         std::uint64_t file_size) {
  std::uint32_t metadata_length = 0;
  std::uint64_t payload_length = 0;
  return decode_prefix(prefix, file_size, &metadata_length, &payload_length);
}

}  // namespace vyre::pipeline
