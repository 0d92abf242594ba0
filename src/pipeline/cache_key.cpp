#include "vyre/pipeline/cache_key.h"

#include "vyre/backend/backend.h"
#include "vyre/backend/environment.h"
#include "vyre/ir/program.h"

namespace vyre::pipeline {
namespace {

// Domains keep digests of different kinds of thing apart even when their bytes coincide.
const HashDomain kPolicyDomain{"vyre pipeline cache: dispatch policy v1"};
const HashDomain kDeviceDomain{"vyre pipeline cache: device and runtime v1"};
const HashDomain kKeyDomain{"vyre pipeline cache: entry key v2"};
const HashDomain kStructuredDomain{"vyre pipeline cache: structured key v1"};

void hash_named_values(Hasher& hasher, const NamedValues& values) {
  hasher.field(static_cast<std::uint64_t>(values.size()));
  for (const auto& [name, value] : values) hasher.field(name).field(value);
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  const std::uint8_t le[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                              static_cast<std::uint8_t>(v >> 16),
                              static_cast<std::uint8_t>(v >> 24)};
  out.insert(out.end(), le, le + 4);
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

std::string shorten(const std::string& name, const std::string& value) {
  if (name == "program" && value.size() > 12) return value.substr(0, 12);
  return value;
}

}  // namespace

void append_key_factors(std::vector<std::uint8_t>& out, const Digest& program,
                        const NamedValues& policy, std::string_view backend,
                        const DeviceFingerprint& fingerprint, const NamedValues& environment) {
  out.insert(out.end(), program.begin(), program.end());
  put_named(out, policy);
  put_str(out, backend);
  put_str(out, fingerprint.vendor);
  put_str(out, fingerprint.device);
  put_str(out, fingerprint.driver);
  put_str(out, fingerprint.compiler);
  put_named(out, environment);
}

std::vector<std::uint8_t> encode_key_factors(const KeyFactors& factors) {
  std::vector<std::uint8_t> out;
  out.reserve(512);  // typical factors take 200-300 bytes: one allocation
  append_key_factors(out, factors.program, factors.policy, factors.backend, factors.fingerprint,
                     factors.environment);
  return out;
}

Digest KeyFactors::policy_digest() const {
  Hasher hasher(kPolicyDomain);
  hash_named_values(hasher, policy);
  return hasher.finish();
}

Digest KeyFactors::device_digest() const {
  Hasher hasher(kDeviceDomain);
  hasher.field(backend)
      .field(fingerprint.vendor)
      .field(fingerprint.device)
      .field(fingerprint.driver)
      .field(fingerprint.compiler);
  hash_named_values(hasher, environment);
  hasher.field(static_cast<std::uint64_t>(format_version));
  return hasher.finish();
}

Digest KeyFactors::key() const {
  return key_of_factor_bytes(encode_key_factors(*this), format_version);
}

Digest key_of_factor_bytes(std::span<const std::uint8_t> factor_bytes,
                           std::uint32_t format_version) {
  Hasher hasher(kKeyDomain);
  hasher.field(static_cast<std::uint64_t>(format_version));
  hasher.update(factor_bytes);
  return hasher.finish();
}

std::vector<Factor> KeyFactors::flatten() const {
  std::vector<Factor> out;
  out.reserve(8 + policy.size() + environment.size());
  out.push_back({"program", to_hex(program), FactorGroup::Program});
  for (const auto& [name, value] : policy) out.push_back({name, value, FactorGroup::Policy});
  out.push_back({"backend", backend, FactorGroup::Device});
  out.push_back({"vendor", fingerprint.vendor, FactorGroup::Device});
  out.push_back({"device", fingerprint.device, FactorGroup::Device});
  out.push_back({"driver", fingerprint.driver, FactorGroup::Device});
  out.push_back({"compiler", fingerprint.compiler, FactorGroup::Device});
  for (const auto& [name, value] : environment) out.push_back({name, value, FactorGroup::Device});
  out.push_back({"cache_format", std::to_string(format_version), FactorGroup::Device});
  return out;
}

NamedValues generated_code_environment() {
  NamedValues out;
  for (const EnvVarInfo& info : environment_variables()) {
    if (!info.changes_generated_code) continue;
    out.emplace_back(std::string(info.name), env_value(info.var).value_or(""));
  }
  return out;
}

KeyFactors make_key_factors(const Backend& backend, const ir::Program& program,
                            const DispatchConfig& config, const NamedValues& environment) {
  KeyFactors factors;
  factors.program = program.digest();
  factors.policy = config.policy_fields();
  factors.backend = std::string(backend.id());
  factors.fingerprint = backend.fingerprint();
  factors.environment = environment;
  return factors;
}

std::string FactorDifference::describe() const {
  auto shown = [&](const std::string& value) {
    return value.empty() ? std::string("(unset)") : shorten(name, value);
  };
  return name + " " + shown(cached) + " \u2192 " + shown(requested);
}

std::vector<FactorDifference> diff_factors(const KeyFactors& cached, const KeyFactors& requested) {
  static const std::string kAbsent = "(absent)";
  std::vector<Factor> before = cached.flatten();
  std::vector<Factor> after = requested.flatten();
  std::vector<bool> matched(before.size(), false);
  std::vector<FactorDifference> out;
  for (const Factor& now : after) {
    const Factor* then = nullptr;
    for (std::size_t i = 0; i < before.size(); ++i) {
      if (!matched[i] && before[i].name == now.name && before[i].group == now.group) {
        matched[i] = true;
        then = &before[i];
        break;
      }
    }
    if (then == nullptr) {
      out.push_back({now.name, kAbsent, now.value, now.group});
    } else if (then->value != now.value) {
      out.push_back({now.name, then->value, now.value, now.group});
    }
  }
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (!matched[i]) out.push_back({before[i].name, before[i].value, kAbsent, before[i].group});
  }
  return out;
}

Digest StructuredKey::digest() const {
  Hasher hasher(kStructuredDomain);
  hasher.field(static_cast<std::uint64_t>(version));
  hasher.update(shader_hash);
  hasher.update(binding_layout_hash);
  hasher.field(static_cast<std::uint64_t>(param_block_bytes));
  for (std::uint32_t w : workgroup) hasher.field(static_cast<std::uint64_t>(w));
  hasher.field(static_cast<std::uint64_t>(features.bits));
  hasher.field(backend);
  return hasher.finish();
}

}  // namespace vyre::pipeline
