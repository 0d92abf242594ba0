#include "vyre/pipeline/telemetry.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace vyre::pipeline {

std::string_view cache_tier_name(CacheTier tier) {
  switch (tier) {
    case CacheTier::Memory:
      return "memory";
    case CacheTier::Disk:
      return "disk";
    case CacheTier::Compiled:
      return "compiled";
  }
  return "compiled";
}

std::uint64_t Telemetry::total_misses() const {
  std::uint64_t total = 0;
  for (std::uint64_t m : misses) total += m;
  return total;
}

double Telemetry::hit_rate() const {
  std::uint64_t all = hits() + total_misses();
  return all == 0 ? 0.0 : static_cast<double>(hits()) / static_cast<double>(all);
}

namespace {
nlohmann::json histogram_json(const Histogram& h) {
  nlohmann::json buckets = nlohmann::json::array();
  for (std::size_t i = 0; i < Histogram::kBuckets; ++i) {
    if (h.counts[i] == 0) continue;
    double bound = Histogram::upper_bound_ms(i);
    buckets.push_back({{"le_ms", std::isinf(bound) ? nlohmann::json("inf") : nlohmann::json(bound)},
                       {"count", h.counts[i]}});
  }
  return {{"count", h.count},
          {"sum_ms", h.sum_ms()},
          {"mean_ms", h.mean_ms()},
          {"p50_ms", h.quantile_ms(0.5)},
          {"p99_ms", h.quantile_ms(0.99)},
          {"buckets", buckets}};
}

nlohmann::json named_json(const NamedValues& values) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : values) out[name] = value;
  return out;
}
}  // namespace

std::string Telemetry::to_json() const {
  nlohmann::json miss_json = nlohmann::json::object();
  for (MissReason reason : kMissReasons)
    miss_json[std::string(metric_name(reason))] = misses_for(reason);
  nlohmann::json j = {
      {"hits", {{"memory", memory_hits}, {"stores", store_hits}}},
      {"corrupt_entries_removed", corrupt_entries_removed},
      {"coalesced", coalesced},
      {"misses", miss_json},
      {"hit_rate", hit_rate()},
      {"compiles", compiles},
      {"compile_failures", compile_failures},
      {"load_failures", load_failures},
      {"jit_forbidden", jit_forbidden},
      {"jit_warnings", jit_warnings},
      {"lookup_only", {{"hits", lookup_only_hits}, {"misses", lookup_only_misses}}},
      {"memory",
       {{"entries", memory_entries}, {"bytes", memory_bytes}, {"evictions", memory_evictions}}},
      {"warnings", warnings},
      {"compile_seconds", compile_seconds},
      {"compile_seconds_saved", compile_seconds_saved},
      {"compile_ms", histogram_json(compile_ms)},
      {"load_ms", histogram_json(load_ms)},
  };
  nlohmann::json stores_json = nlohmann::json::object();
  for (const StoreTelemetry& st : stores) {
    nlohmann::json row = nlohmann::json::parse(st.counters.to_json());
    row["location"] = st.location;
    row["writable"] = st.writable;
    row["served"] = st.served;
    row["promoted"] = st.promoted;
    if (!st.extra.empty()) {
      nlohmann::json extra = nlohmann::json::object();
      for (const auto& [name, value] : st.extra.sums) extra[name] = value;
      for (const auto& [name, value] : st.extra.maxima) extra[name] = value;
      row["extra"] = std::move(extra);
    }
    stores_json[st.name] = row;
  }
  j["stores"] = stores_json;
  return j.dump();
}

const StoreTelemetry* Telemetry::store(std::string_view name) const {
  for (const StoreTelemetry& st : stores) {
    if (st.name == name) return &st;
  }
  return nullptr;
}

bool Telemetry::any_store_writable() const {
  for (const StoreTelemetry& st : stores) {
    if (st.writable) return true;
  }
  return false;
}

std::string manifest_json(const CacheOutcome& outcome) {
  nlohmann::json j = {{"manifest", "vyre pipeline v1"},
                      {"key", to_hex(outcome.key)},
                      {"outcome",
                       {{"tier", cache_tier_name(outcome.tier)},
                        {"miss", outcome.miss ? nlohmann::json(metric_name(*outcome.miss))
                                              : nlohmann::json(nullptr)},
                        {"explanation", outcome.miss_explanation},
                        {"lookup_ms", outcome.lookup_ms},
                        {"load_ms", outcome.load_ms},
                        {"compile_ms", outcome.compile_ms}}}};
  if (const KeyFactors* f = outcome.factors.get()) {
    j["backend"] = f->backend;
    j["program_digest"] = to_hex(f->program);
    j["policy"] = named_json(f->policy);
    j["policy_digest"] = to_hex(f->policy_digest());
    j["fingerprint"] = {{"vendor", f->fingerprint.vendor},
                        {"device", f->fingerprint.device},
                        {"driver", f->fingerprint.driver},
                        {"compiler", f->fingerprint.compiler}};
    j["environment"] = named_json(f->environment);
    j["cache_format"] = f->format_version;
  }
  return j.dump();
}

}  // namespace vyre::pipeline
