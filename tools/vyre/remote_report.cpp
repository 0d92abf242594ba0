#include "remote_report.h"

#include <cstdio>

#include "cache_folder.h"
#include "source_file.h"
#include "vyre/pipeline/redis_store.h"

namespace vyre::cli {

using namespace vyre::pipeline;

namespace {

unsigned long long u(std::uint64_t v) {
  return static_cast<unsigned long long>(v);
}

std::string where(const RemoteCacheOptions& o) {
  return o.endpoint.url() + " (" + o.key_namespace + ":)";
}

void warn_unreachable(const Diagnostic& error) {
  Diagnostic warning = error;
  warning.severity = Severity::Warning;
  write_human(warning);
}

}  // namespace

RemoteStatus remote_status(std::optional<RemoteCacheOptions> options) {
  RemoteStatus status;
  status.options = std::move(options);
  if (!status.options) return status;
  RemoteMaintenance remote(*status.options);
  status.probe = remote.probe();
  if (status.probe->error) warn_unreachable(*status.probe->error);
  return status;
}

nlohmann::json remote_stats_json(const RemoteStatus& status, const PersistedStats& s) {
  nlohmann::json j = {{"configured", status.options.has_value()}};
  if (status.options) {
    j["url"] = status.options->endpoint.url();
    j["namespace"] = status.options->key_namespace;
  }
  if (const RemoteProbe* p = status.probe ? &*status.probe : nullptr) {
    j["reachable"] = p->reachable;
    if (p->error) j["error"] = {{"code", p->error->code}, {"message", p->error->message}};
    if (p->reachable) {
      j["ping_ms"] = p->ping_ms;
      j["server_version"] = p->server_version;
      j["entries"] = p->entries ? nlohmann::json(*p->entries) : nlohmann::json(nullptr);
      j["entries_partial"] = p->entries_partial;
      j["used_memory"] = p->used_memory ? nlohmann::json(*p->used_memory) : nlohmann::json();
      j["max_memory"] = p->max_memory ? nlohmann::json(*p->max_memory) : nlohmann::json();
    }
  }
  const StoreCounters& c = s.store(kRedisStoreName).counters;
  const RemoteStats r = RemoteStats::from_extra(s.store(kRedisStoreName).extra);
  j["hits"] = c[StoreCounter::Hits];
  j["misses"] = {{"absent", c[StoreCounter::Misses]},
                 {"untrusted_entry", r.untrusted},
                 {"corrupt_entry", r.corrupt}};
  j["errors"] = r.errors;
  j["skipped_while_down"] = r.skipped_down;
  j["gets"] = r.gets;
  j["get_ms_mean"] = r.get_ms_mean();
  j["get_ms_max"] = static_cast<double>(r.get_us_max) / 1000.0;
  j["writes"] = c[StoreCounter::Writes];
  j["write_failures"] = c[StoreCounter::WriteFailures];
  j["dropped_writes"] = r.dropped_writes;
  j["fleet"] = {{"leases_taken", r.leases_taken},
                {"waits", r.waits},
                {"waits_served", r.waits_served},
                {"wait_timeouts", r.wait_timeouts}};
  return j;
}

void print_remote_stats(const RemoteStatus& status, const PersistedStats& s) {
  const PersistedStoreStats& row = s.store(kRedisStoreName);
  const bool counted = !row.empty();
  if (!status.options) {
    std::printf("remote         not configured (VYRE_REMOTE_CACHE unset)%s\n",
                counted ? "; counts of earlier processes:" : "");
    if (!counted) return;
  } else if (const RemoteProbe& p = *status.probe; !p.reachable) {
    std::printf("remote         %s: UNREACHABLE: %s\n", where(*status.options).c_str(),
                p.error ? p.error->message.c_str() : "no answer");
  } else {
    std::printf("remote         %s: reachable (ping %.2f ms%s%s)\n", where(*status.options).c_str(),
                p.ping_ms, p.server_version.empty() ? "" : ", Redis ", p.server_version.c_str());
    std::string entries = p.entries ? std::to_string(*p.entries) + (p.entries_partial ? "+" : "")
                                    : "? (SCAN refused)";
    std::string memory = "?";
    if (p.used_memory) {
      memory = human_bytes(*p.used_memory) + " of " +
               (p.max_memory && *p.max_memory != 0 ? human_bytes(*p.max_memory)
                                                   : std::string("no maxmemory"));
    }
    std::printf("remote server  %s entries in the namespace; used memory %s\n", entries.c_str(),
                memory.c_str());
  }
  const StoreCounters& c = row.counters;
  const RemoteStats r = RemoteStats::from_extra(row.extra);
  const std::uint64_t lookups =
      c[StoreCounter::Hits] + c[StoreCounter::Misses] + r.untrusted + r.corrupt;
  std::printf(
      "remote lookups %llu (hits %llu; misses: absent %llu, untrusted_entry %llu, "
      "corrupt_entry %llu)\n",
      u(lookups), u(c[StoreCounter::Hits]), u(c[StoreCounter::Misses]), u(r.untrusted),
      u(r.corrupt));
  std::printf(
      "remote gets    %llu answered, mean %.3f ms, max %.3f ms; errors %llu "
      "(skipped while down %llu)\n",
      u(r.gets), r.get_ms_mean(), static_cast<double>(r.get_us_max) / 1000.0, u(r.errors),
      u(r.skipped_down));
  std::printf(
      "remote writes  %llu (failed %llu, dropped %llu); fleet: %llu leases taken, %llu "
      "waits (%llu served, %llu timed out)\n",
      u(c[StoreCounter::Writes]), u(c[StoreCounter::WriteFailures]), u(r.dropped_writes),
      u(r.leases_taken), u(r.waits), u(r.waits_served), u(r.wait_timeouts));
}

RemoteAnswer remote_answer(const std::optional<RemoteCacheOptions>& options, const Digest& key) {
  RemoteAnswer answer;
  if (!options) {
    answer.state = "not_configured";
    answer.detail = "VYRE_REMOTE_CACHE unset";
    return answer;
  }
  RemoteMaintenance remote(*options);
  auto found = remote.lookup(key);
  if (!found.ok()) {
    warn_unreachable(found.error());
    answer.state = "unreachable";
    answer.detail = found.error().message;
    return answer;
  }
  answer.state = std::string(remote_holding_name(found->holding));
  answer.detail = found->defect ? found->defect->message : where(*options);
  return answer;
}

std::string describe_remote_answer(const RemoteAnswer& a) {
  if (a.state == "present") {
    return "shared cache " + a.detail + ": holds the entry, signed by a trusted key";
  }
  if (a.state == "absent") return "shared cache " + a.detail + ": does not hold the entry";
  if (a.state == "not_configured") return "shared cache: not configured (" + a.detail + ")";
  if (a.state == "unreachable") return "shared cache: unreachable (" + a.detail + ")";
  return "shared cache: holds a value this process would refuse (" + a.state + "): " + a.detail;
}

}  // namespace vyre::cli
