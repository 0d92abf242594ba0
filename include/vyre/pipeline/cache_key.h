// Cache identity: what makes two compiled pipelines interchangeable. KeyFactors holds every
// factor (program digest, dispatch policy, backend, device fingerprint, generated-code
// environment, cache format); its key() hashes their canonical encoding, with domain
// separation, into the 32-byte key that names a cache entry. Entries store their factors, so
// a miss can say which differ.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vyre/backend/dispatch_config.h"
#include "vyre/backend/fingerprint.h"
#include "vyre/ir/hash.h"

namespace vyre {
class Backend;
namespace ir {
class Program;
}
}  // namespace vyre

namespace vyre::pipeline {

// Bumped whenever the key derivation or the entry layout changes: every older entry then misses.
// 2: the key hashes the factor bytes; 3: entries authenticated with a keyed BLAKE3.
inline constexpr std::uint32_t kCacheFormatVersion = 3;

using NamedValues = std::vector<std::pair<std::string, std::string>>;

// Which part of the identity a factor belongs to; miss classification compares by group.
enum class FactorGroup : std::uint8_t { Program, Policy, Device };

// One factor, flattened for display and comparison: ("ulp_budget", "4", Policy).
struct Factor {
  std::string name;
  std::string value;
  FactorGroup group = FactorGroup::Program;
  friend bool operator==(const Factor&, const Factor&) = default;
};

struct KeyFactors {
  Digest program{};               // ir::Program::digest(): normalised, names do not matter
  NamedValues policy;             // DispatchConfig::policy_fields(), in their fixed order
  std::string backend;            // Backend::id()
  DeviceFingerprint fingerprint;  // vendor, device, driver, compiler
  NamedValues environment;        // every variable marked changes_generated_code, "" when unset
  std::uint32_t format_version = kCacheFormatVersion;

  Digest policy_digest() const;  // over `policy` only
  // Over backend, fingerprint, environment and format: the "device or runtime" group.
  Digest device_digest() const;
  // The entry key: key_of_factor_bytes(encode_key_factors(*this), format_version).
  // Deterministic; holds nothing host-specific.
  Digest key() const;

  // Every factor by name, in a fixed order: program, the policy fields, backend, vendor, device,
  // driver, compiler, the environment variables, format.
  std::vector<Factor> flatten() const;

  friend bool operator==(const KeyFactors&, const KeyFactors&) = default;
};

// The canonical encoding of the key factors: program digest, policy fields, backend id, vendor,
// device, driver, compiler, environment, every string and list length-prefixed (u32 little
// endian), so two different sets of factors never encode alike. The key hashes it; entries store
// it, and the hit path compares it byte for byte.
std::vector<std::uint8_t> encode_key_factors(const KeyFactors& factors);

// Appends encode_key_factors of the factors these parts make, without building a KeyFactors
// (the request path encodes before it knows whether the identity is memoised).
void append_key_factors(std::vector<std::uint8_t>& out, const Digest& program,
                        const NamedValues& policy, std::string_view backend,
                        const DeviceFingerprint& fingerprint, const NamedValues& environment);

// The entry key of factors whose canonical encoding (encode_key_factors) is
// `factor_bytes`: one domain-separated BLAKE3 over the format version and those bytes. The
// encoding is length-prefixed throughout, so distinct factors never share bytes. The hit path
// keeps the bytes it compares with the stored ones and derives the key from them directly.
Digest key_of_factor_bytes(std::span<const std::uint8_t> factor_bytes,
                           std::uint32_t format_version = kCacheFormatVersion);

// The values of the environment variables that change generated code (environment.h), read
// now. A PipelineCache reads them once, when it opens.
NamedValues generated_code_environment();

// The factors of one request. `environment` is what generated_code_environment() returned.
KeyFactors make_key_factors(const Backend& backend, const ir::Program& program,
                            const DispatchConfig& config, const NamedValues& environment);

// A factor whose value differs between a cached entry and a request.
struct FactorDifference {
  std::string name;
  std::string cached;     // "(absent)" when the cached entry lacks the factor
  std::string requested;  // "(absent)" when the request lacks it
  FactorGroup group = FactorGroup::Program;
  std::string describe() const;  // "ulp_budget 1 → 4", "compiler nvrtc 13.0 → nvrtc 13.1"
};

// Differences in flatten() order; empty when the factors are equal.
std::vector<FactorDifference> diff_factors(const KeyFactors& cached, const KeyFactors& requested);

// Capability bits a structured key records (the seed's PipelineFeatureFlags). Bits 0..8 are
// allocated here; higher bits are reserved for backend-specific flags.
struct FeatureFlags {
  std::uint32_t bits = 0;
  static constexpr std::uint32_t kSubgroupOps = 1u << 0;
  static constexpr std::uint32_t kF16 = 1u << 1;
  static constexpr std::uint32_t kBf16 = 1u << 2;
  static constexpr std::uint32_t kTensorCores = 1u << 3;
  static constexpr std::uint32_t kAsyncCompute = 1u << 4;
  static constexpr std::uint32_t kPushConstants = 1u << 5;
  static constexpr std::uint32_t kIndirectDispatch = 1u << 6;
  static constexpr std::uint32_t kSpeculative = 1u << 7;
  static constexpr std::uint32_t kPersistentThread = 1u << 8;
  bool contains(FeatureFlags other) const { return (bits & other.bits) == other.bits; }
  FeatureFlags with(FeatureFlags other) const { return {bits | other.bits}; }
  friend bool operator==(FeatureFlags, FeatureFlags) = default;
};

// A versioned, structured key for backends that keep their own cache of lowered shaders (the
// seed's PipelineCacheKey): hashing the shader source alone would let two pipelines with
// different binding layouts, param blocks or workgroup sizes collide.
struct StructuredKey {
  std::uint32_t version = kCacheFormatVersion;
  Digest shader_hash{};          // BLAKE3 of the backend's canonical pipeline source
  Digest binding_layout_hash{};  // slot count, element types and access of every binding
  std::uint32_t param_block_bytes = 0;
  std::array<std::uint32_t, 3> workgroup{1, 1, 1};
  FeatureFlags features;
  std::string backend;

  Digest digest() const;  // domain-separated, every field length-prefixed
  friend bool operator==(const StructuredKey&, const StructuredKey&) = default;
};

}  // namespace vyre::pipeline
