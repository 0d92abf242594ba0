#include "vyre/pipeline/entry_format.h"

#include <blake3.h>

#include <cstring>
#include <optional>

#include "vyre/diag/codes.h"

namespace vyre::pipeline {
namespace {

constexpr char kMagic[8] = {'V', 'Y', 'R', 'E', 'P', 'I', 'P', 'E'};
constexpr std::size_t kChecksumBytes = 16;
constexpr std::size_t kPayloadChecksumAt = 56;
constexpr std::size_t kHeaderChecksumAt = 72;
static_assert(kHeaderChecksumAt + kChecksumBytes == kEntryHeaderBytes);

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  const std::uint8_t le[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                              static_cast<std::uint8_t>(v >> 16),
                              static_cast<std::uint8_t>(v >> 24)};
  out.insert(out.end(), le, le + 4);
}
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  put_u32(out, static_cast<std::uint32_t>(v));
  put_u32(out, static_cast<std::uint32_t>(v >> 32));
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

// A 16-byte tag: BLAKE3 keyed with `secret` over a domain byte and the parts, in order.
void compute_tag(std::uint8_t* out, const EntrySecret& secret, std::uint8_t domain,
                 std::span<const std::uint8_t> first, std::span<const std::uint8_t> second) {
  blake3_hasher hasher;
  blake3_hasher_init_keyed(&hasher, secret.data());
  blake3_hasher_update(&hasher, &domain, 1);
  blake3_hasher_update(&hasher, first.data(), first.size());
  blake3_hasher_update(&hasher, second.data(), second.size());
  blake3_hasher_finalize(&hasher, out, kChecksumBytes);
}

bool tag_equals(const std::uint8_t* at, const EntrySecret& secret, std::uint8_t domain,
                std::span<const std::uint8_t> first, std::span<const std::uint8_t> second) {
  std::uint8_t tag[kChecksumBytes];
  compute_tag(tag, secret, domain, first, second);
  std::uint8_t diff = 0;  // constant time: the comparison says nothing about where they differ
  for (std::size_t i = 0; i < kChecksumBytes; ++i)
    diff |= static_cast<std::uint8_t>(at[i] ^ tag[i]);
  return diff == 0;
}

constexpr std::uint8_t kHeaderDomain = 'H';
constexpr std::uint8_t kPayloadDomain = 'P';
constexpr std::size_t kKeyEchoAt = 24;

void put_header_tag(std::uint8_t* header, std::span<const std::uint8_t> metadata,
                    const EntrySecret& secret) {
  compute_tag(header + kHeaderChecksumAt, secret, kHeaderDomain, {header, kPayloadChecksumAt},
              metadata);
}
void put_payload_tag(std::uint8_t* header, std::span<const std::uint8_t> payload,
                     const EntrySecret& secret) {
  compute_tag(header + kPayloadChecksumAt, secret, kPayloadDomain, {header + kKeyEchoAt, 32},
              payload);
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

// Metadata = the compile time (8 bytes), then the key factors (encode_key_factors).
constexpr std::size_t kCompileTimeBytes = 8;

std::vector<std::uint8_t> encode_metadata(const EntryMetadata& m) {
  std::vector<std::uint8_t> out;
  put_u64(out, m.compile_us);
  const KeyFactors& f = m.factors;
  append_key_factors(out, f.program, f.policy, f.backend, f.fingerprint, f.environment);
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

// Where an entry's parts lie once its header has passed the checks.
struct Layout {
  std::uint32_t version = 0;
  std::span<const std::uint8_t> metadata;
  std::uint64_t payload_length = 0;
};

// Header checks shared by every decoder: magic, version, length bounds, exact file size, header
// checksum. Failures return the defect; nothing is allocated on success.
std::optional<Diagnostic> check_header(std::span<const std::uint8_t> prefix,
                                       std::uint64_t file_size, const EntrySecret& secret,
                                       Layout* layout) {
  if (file_size < kEntryHeaderBytes || prefix.size() < kEntryHeaderBytes) {
    return entry_defect("truncated header (" + std::to_string(file_size) + " bytes)");
  }
  const std::uint8_t* h = prefix.data();
  if (std::memcmp(h, kMagic, sizeof kMagic) != 0) return entry_defect("bad magic");
  const std::uint32_t version = get_u32(h + 8);
  if (version != kCacheFormatVersion) {
    return entry_defect("format version " + std::to_string(version) + ", this build reads " +
                        std::to_string(kCacheFormatVersion));
  }
  const std::uint32_t metadata_length = get_u32(h + 12);
  const std::uint64_t payload_length = get_u64(h + 16);
  if (metadata_length > kMaxMetadataBytes) return entry_defect("metadata length out of range");
  if (payload_length > kMaxPayloadBytes) return entry_defect("payload length out of range");
  const std::uint64_t expected = kEntryHeaderBytes + metadata_length + payload_length;
  if (file_size != expected) {
    return entry_defect("size " + std::to_string(file_size) + " bytes, header says " +
                        std::to_string(expected) + " (truncated or extended)");
  }
  if (prefix.size() < kEntryHeaderBytes + metadata_length)
    return entry_defect("truncated metadata");
  std::span<const std::uint8_t> metadata = prefix.subspan(kEntryHeaderBytes, metadata_length);
  if (!tag_equals(h + kHeaderChecksumAt, secret, kHeaderDomain, {h, kPayloadChecksumAt},
                  metadata)) {
    return entry_defect("header does not authenticate (corrupt, or written with another secret)");
  }
  *layout = Layout{version, metadata, payload_length};
  return std::nullopt;
}

// The stored factors against the key echo `key`. With `expected_factors` they must be exactly
// those bytes (and are not decoded); without, they are decoded and must hash to the key.
std::optional<Diagnostic> check_factors(const Layout& layout, const Digest& key,
                                        std::span<const std::uint8_t> expected_factors,
                                        EntryMetadata* metadata) {
  if (!expected_factors.empty()) {
    if (layout.metadata.size() != kCompileTimeBytes + expected_factors.size() ||
        std::memcmp(layout.metadata.data() + kCompileTimeBytes, expected_factors.data(),
                    expected_factors.size()) != 0) {
      return entry_defect("stored factors are not the requested ones");
    }
    metadata->compile_us = get_u64(layout.metadata.data());
    return std::nullopt;
  }
  if (!decode_metadata(layout.metadata, layout.version, metadata)) {
    return entry_defect("malformed metadata");
  }
  if (metadata->factors.key() != key)
    return entry_defect("stored factors do not hash to the stored key");
  return std::nullopt;
}

// Every check of a whole entry, filling `out` (its payload a view into `bytes`).
std::optional<Diagnostic> check_whole(std::span<const std::uint8_t> bytes,
                                      const Digest* expected_key,
                                      std::span<const std::uint8_t> expected_factors,
                                      const EntrySecret& secret, DecodedEntry* out) {
  Layout layout;
  if (auto bad = check_header(bytes, bytes.size(), secret, &layout)) return bad;
  std::memcpy(out->key.data(), bytes.data() + 24, out->key.size());
  if (auto bad = check_factors(layout, out->key, expected_factors, &out->metadata)) return bad;
  if (expected_key != nullptr && out->key != *expected_key) {
    return entry_defect("key echo " + to_hex(out->key).substr(0, 16) + " does not match its name " +
                        to_hex(*expected_key).substr(0, 16));
  }
  out->payload = bytes.subspan(kEntryHeaderBytes + layout.metadata.size(), layout.payload_length);
  if (!tag_equals(bytes.data() + kPayloadChecksumAt, secret, kPayloadDomain,
                  bytes.subspan(kKeyEchoAt, 32), out->payload)) {
    return entry_defect("payload does not authenticate (corrupt, or written with another secret)");
  }
  return std::nullopt;
}

Result<DecodedEntry> as_result(std::optional<Diagnostic> bad, DecodedEntry&& entry) {
  if (bad) return std::move(*bad);
  return std::move(entry);
}

}  // namespace

const EntrySecret& public_entry_secret() {
  static const EntrySecret secret = [] {
    EntrySecret s{};
    blake3_hasher hasher;
    blake3_hasher_init_derive_key(&hasher, "vyre pipeline cache: public pack entry secret v1");
    blake3_hasher_finalize(&hasher, s.data(), s.size());
    return s;
  }();
  return secret;
}

Result<std::vector<std::uint8_t>> encode_entry(const EntryMetadata& metadata,
                                               std::span<const std::uint8_t> payload,
                                               const EntrySecret& secret) {
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
  put_payload_tag(out.data(), payload, secret);
  put_header_tag(out.data(), meta, secret);
  out.insert(out.end(), meta.begin(), meta.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::vector<std::uint8_t> reauthenticate_entry(std::span<const std::uint8_t> bytes,
                                               const EntrySecret& secret) {
  std::vector<std::uint8_t> out(bytes.begin(), bytes.end());
  if (out.size() < kEntryHeaderBytes) return out;
  const std::uint32_t metadata_length = get_u32(out.data() + 12);
  if (out.size() < kEntryHeaderBytes + metadata_length) return out;
  std::span<const std::uint8_t> all = out;
  put_payload_tag(out.data(), all.subspan(kEntryHeaderBytes + metadata_length), secret);
  put_header_tag(out.data(), all.subspan(kEntryHeaderBytes, metadata_length), secret);
  return out;
}

Result<DecodedEntry> decode_entry(std::span<const std::uint8_t> bytes, const EntrySecret& secret,
                                  const Digest* expected_key) {
  DecodedEntry entry;
  auto bad = check_whole(bytes, expected_key, {}, secret, &entry);
  return as_result(std::move(bad), std::move(entry));
}

std::optional<Diagnostic> check_entry(std::span<const std::uint8_t> bytes, const Digest& key,
                                      std::span<const std::uint8_t> expected_factors,
                                      const EntrySecret& secret, DecodedEntry* out) {
  return check_whole(bytes, &key, expected_factors, secret, out);
}

Result<DecodedEntry> decode_entry_matching(std::span<const std::uint8_t> bytes, const Digest& key,
                                           std::span<const std::uint8_t> expected_factors,
                                           const EntrySecret& secret) {
  if (expected_factors.empty()) return entry_defect("no expected factors given");
  DecodedEntry entry;
  auto bad = check_whole(bytes, &key, expected_factors, secret, &entry);
  return as_result(std::move(bad), std::move(entry));
}

Diagnostic entry_defect(std::string what) {
  return Diagnostic::error(code::CacheEntryCorrupt, "corrupt pipeline cache entry: " + what,
                           "the entry is never served; the cache removes it and recompiles "
                           "(`vyre cache verify --fix` removes every such entry)");
}

Result<DecodedEntry> decode_entry_header(std::span<const std::uint8_t> prefix,
                                         std::uint64_t file_size, const EntrySecret& secret) {
  Layout layout;
  if (auto bad = check_header(prefix, file_size, secret, &layout)) return std::move(*bad);
  DecodedEntry entry;
  std::memcpy(entry.key.data(), prefix.data() + 24, entry.key.size());
  auto bad = check_factors(layout, entry.key, {}, &entry.metadata);
  return as_result(std::move(bad), std::move(entry));
}

}  // namespace vyre::pipeline
