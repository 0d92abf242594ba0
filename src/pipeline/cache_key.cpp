#include "vyre/pipeline/cache_key.h"

#include "vyre/backend/backend.h"
#include "vyre/backend/environment.h"
#include "vyre/ir/program.h"
#include "vyre/pipeline/entry_format.h"

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

std::string shorten(const std::string& name, const std::string& value) {
  if (name == "program" && value.size() > 12) return value.substr(0, 12);
  return value;
}

}  // namespace

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

[[gnu::hot]] Digest key_of_factor_bytes(std::span<const std::uint8_t> factor_bytes,
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
