// `vyre cache path|stats|list|verify|explain|gc|clear|invalidate|push|pack`: inspect and maintain
// the disk pipeline cache (and, where one is configured, see the shared remote tier). Every
// subcommand takes --dir (default: VYRE_CACHE_DIR, then $XDG_CACHE_HOME/vyre/pipelines, then
// ~/.cache/vyre/pipelines). Cumulative hit and miss counters come from <root>/stats.json, which
// every PipelineCache adds to when it flushes. A folder that is not vyre's (no marker) or not safe
// is refused, never maintained.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "cache_folder.h"
#include "command.h"
#include "remote_report.h"
#include "source_file.h"
#include "vyre/backends/builtin.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"
#include "vyre/pipeline/cache_maintenance.h"
#include "vyre/pipeline/cache_metrics.h"
#include "vyre/pipeline/cache_options.h"
#include "vyre/pipeline/disk_store.h"
#include "vyre/pipeline/miss_explanation.h"
#include "vyre/pipeline/remote_options.h"
#include "vyre/pipeline/stats_file.h"
#include "vyre/registry/backend_registry.h"
#include "vyre/runtime/runtime.h"

namespace vyre::cli {
namespace {

using namespace vyre::pipeline;

struct CacheArgs {
  std::string dir;
  bool json = false;
  bool fix = false;
  std::string file;
  std::string digest;
  std::string backend;  // empty: the backend `vyre run` would choose
  std::uint32_t ulp_budget = DispatchConfig{}.ulp_budget;
  std::vector<std::uint32_t> workgroup;
  InvalidationFilter filter;
  std::string inv_backend, inv_device, inv_program;
  std::string pack_out;
  bool prometheus = false;
};

int fail(const Diagnostic& diagnostic, bool json) {
  print_diagnostic(diagnostic, "", json);
  return 1;
}

Diagnostic query_error(std::string message, std::string help) {
  return Diagnostic::error(code::BadCacheQuery, std::move(message), std::move(help));
}

Result<std::unique_ptr<DiskStore>> open_disk(const CacheArgs& args) {
  return open_cache_folder(args.dir);
}

nlohmann::json failures_json(const std::vector<RemoveFailure>& failures) {
  nlohmann::json out = nlohmann::json::array();
  for (const RemoveFailure& f : failures) {
    out.push_back({{"code", "VY5105"}, {"location", f.location}, {"reason", f.reason}});
  }
  return out;
}

// Prints what maintenance could not delete; true when there was something. (With --json the
// command's object lists them as its "failures" instead, so stdout stays one JSON value.)
bool report_failures(const std::vector<RemoveFailure>& failures, bool json) {
  for (const RemoveFailure& f : failures) {
    print_diagnostic(Diagnostic::error(code::CacheRemoveFailed,
                                       "could not delete '" + f.location + "': " + f.reason,
                                       "remove it by hand, or fix the folder's permissions"),
                     "", json);
  }
  return !failures.empty();
}

std::string age_of(std::int64_t mtime_ns) {
  std::int64_t age = static_cast<std::int64_t>(std::time(nullptr)) - mtime_ns / 1000000000;
  if (age < 120) return std::to_string(std::max<std::int64_t>(age, 0)) + "s";
  if (age < 7200) return std::to_string(age / 60) + "m";
  if (age < 172800) return std::to_string(age / 3600) + "h";
  return std::to_string(age / 86400) + "d";
}

nlohmann::json factors_json(const KeyFactors& f) {
  nlohmann::json j = nlohmann::json::object();
  for (const Factor& factor : f.flatten()) j[factor.name] = factor.value;
  return j;
}

int run_path(const CacheArgs& args) {
  auto options = cache_options_for(args.dir);
  if (!options) return fail(options.error(), args.json);
  if (args.json) {
    std::printf("%s\n", nlohmann::json({{"root", options->root.string()}}).dump(2).c_str());
    return 0;
  }
  std::printf("%s\n", options->root.c_str());
  return 0;
}

std::string human_ms(double ms) {
  char text[32];
  if (std::isinf(ms)) return "inf";
  if (ms < 1) {
    std::snprintf(text, sizeof text, "%.0f us", ms * 1000);
  } else if (ms < 1000) {
    std::snprintf(text, sizeof text, "%.1f ms", ms);
  } else {
    std::snprintf(text, sizeof text, "%.2f s", ms / 1000);
  }
  return text;
}

// "12 compiles: p50 <= 16.4 ms, p90 <= 32.8 ms, p99 <= 65.5 ms, mean 14.2 ms; <=16.4 ms: 9, ..."
std::string describe_histogram(const Histogram& h, const char* one, const char* many) {
  const char* what = h.count == 1 ? one : many;
  if (h.count == 0) return "none yet";
  char head[200];
  std::snprintf(head, sizeof head, "%llu %s: p50 <= %s, p90 <= %s, p99 <= %s, mean %.3f ms",
                static_cast<unsigned long long>(h.count), what,
                human_ms(h.quantile_ms(0.5)).c_str(), human_ms(h.quantile_ms(0.9)).c_str(),
                human_ms(h.quantile_ms(0.99)).c_str(), h.mean_ms());
  std::string out = head;
  std::string buckets;
  for (std::size_t i = 0; i < Histogram::kBuckets; ++i) {
    if (h.counts[i] == 0) continue;
    buckets += (buckets.empty() ? "" : ", ") + std::string("<=") +
               human_ms(Histogram::upper_bound_ms(i)) + ": " + std::to_string(h.counts[i]);
  }
  return out + "\n               buckets " + buckets;
}

std::string store_counters_line(const PersistedStoreStats& row) {
  std::string line = "served=" + std::to_string(row.served);
  if (row.promoted != 0) line += " promoted=" + std::to_string(row.promoted);
  for (std::size_t i = 0; i < kStoreCounterCount; ++i) {
    const auto counter = static_cast<StoreCounter>(i);
    if (row.counters[counter] == 0) continue;
    line += " " + std::string(store_counter_name(counter)) + "=" +
            std::to_string(row.counters[counter]);
  }
  for (const auto& [name, value] : row.extra.sums) {
    if (value != 0) line += " " + name + "=" + std::to_string(value);
  }
  for (const auto& [name, value] : row.extra.maxima) {
    if (value != 0) line += " " + name + "=" + std::to_string(value);
  }
  return line;
}

int run_stats(const CacheArgs& args) {
  auto disk = open_disk(args);
  if (!disk) return fail(disk.error(), args.json);
  auto stats = read_persisted_stats((*disk)->root());
  if (!stats) return fail(stats.error(), args.json);
  const PersistedStats& s = *stats;
  if (args.prometheus) {
    std::fputs(prometheus_metrics(s).c_str(), stdout);
    return 0;
  }
  auto entries = (*disk)->scan();
  std::uint64_t bytes = 0;
  for (const auto& e : entries) bytes += e.allocated;
  auto remote_options = RemoteCacheOptions::from_environment();
  if (!remote_options) return fail(remote_options.error(), args.json);
  const RemoteStatus remote = remote_status(std::move(*remote_options));
  if (args.json) {
    nlohmann::json j = {{"root", (*disk)->root().string()},
                        {"entries", entries.size()},
                        {"bytes", bytes},
                        {"max_bytes", (*disk)->max_bytes()},
                        {"hit_rate", s.hit_rate()},
                        {"compile_ms_p50", s.compile_time.quantile_ms(0.5)},
                        {"compile_ms_p90", s.compile_time.quantile_ms(0.9)},
                        {"load_ms_p50", s.load_time.quantile_ms(0.5)},
                        {"load_ms_p90", s.load_time.quantile_ms(0.9)},
                        {"counters", nlohmann::json::parse(s.to_json())},
                        {"remote", remote_stats_json(remote, s)}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::uint64_t hits = s.memory_hits + s.store_hits;
  std::printf("cache folder   %s\n", (*disk)->root().c_str());
  std::printf("entries        %zu\n", entries.size());
  std::printf("size           %s of %s\n", human_bytes(bytes).c_str(),
              human_bytes((*disk)->max_bytes()).c_str());
  std::printf("lookups        %llu (hits: %llu memory, %llu stores; misses: %llu)\n",
              static_cast<unsigned long long>(hits + s.total_misses()),
              static_cast<unsigned long long>(s.memory_hits),
              static_cast<unsigned long long>(s.store_hits),
              static_cast<unsigned long long>(s.total_misses()));
  std::printf("hit rate       %.1f%% (memory %.1f%%, stores %.1f%%)\n", 100 * s.hit_rate(),
              hits + s.total_misses() ? 100.0 * s.memory_hits / (hits + s.total_misses()) : 0.0,
              hits + s.total_misses() ? 100.0 * s.store_hits / (hits + s.total_misses()) : 0.0);
  for (MissReason reason : kMissReasons) {
    std::uint64_t n = s.misses[static_cast<std::size_t>(reason)];
    if (n != 0) {
      std::printf("  miss %-26s %llu\n", std::string(metric_name(reason)).c_str(),
                  static_cast<unsigned long long>(n));
    }
  }
  std::printf("compiles       %llu (%.3f s); compile time saved by hits: %.3f s\n",
              static_cast<unsigned long long>(s.compiles), s.compile_us / 1e6,
              s.compile_us_saved / 1e6);
  std::printf("compile time   %s\n",
              describe_histogram(s.compile_time, "compile", "compiles").c_str());
  std::printf("load time      %s\n", describe_histogram(s.load_time, "load", "loads").c_str());
  std::printf("corrupt entries removed  %llu\n",
              static_cast<unsigned long long>(s.corrupt_entries_removed));
  // Each store's row: what it served, and its own counters (writes, every I/O, fsync and
  // removal failure, and what the store counts beyond those).
  if (s.stores.empty()) std::printf("stores         (nothing recorded yet)\n");
  for (const auto& [name, row] : s.stores) {
    std::printf("store %-8s %s\n", name.c_str(), store_counters_line(row).c_str());
  }
  for (const auto& [backend, t] : s.dispatches) {
    std::printf("dispatches     %s: %llu (failed %llu), %s to device, %s back\n", backend.c_str(),
                static_cast<unsigned long long>(t.dispatches),
                static_cast<unsigned long long>(t.failures), human_bytes(t.bytes_to_device).c_str(),
                human_bytes(t.bytes_from_device).c_str());
    std::printf("  time         %s\n",
                describe_histogram(t.device_time, "dispatch", "dispatches").c_str());
  }
  print_remote_stats(remote, s);
  return 0;
}

int run_list(const CacheArgs& args) {
  auto disk = open_disk(args);
  if (!disk) return fail(disk.error(), args.json);
  auto entries = list_entries(**disk, true);
  std::sort(entries.begin(), entries.end(), [](const CacheEntry& a, const CacheEntry& b) {
    return a.item.mtime_ns > b.item.mtime_ns;
  });
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : entries) {
      nlohmann::json j = {{"key", to_hex(e.item.key)},
                          {"path", e.item.location},
                          {"bytes", e.item.size},
                          {"age", age_of(e.item.mtime_ns)}};
      if (e.metadata) {
        j["factors"] = factors_json(e.metadata->factors);
        j["compile_ms"] = e.metadata->compile_us / 1000.0;
      }
      if (e.defect) j["defect"] = e.defect->message;
      out.push_back(j);
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  for (const auto& e : entries) {
    std::printf("%s  %9s  %5s", to_hex(e.item.key).substr(0, 16).c_str(),
                human_bytes(e.item.size).c_str(), age_of(e.item.mtime_ns).c_str());
    if (!e.metadata) {
      std::printf("  (unreadable: %s: %s)\n", e.item.location.c_str(),
                  e.defect ? e.defect->message.c_str() : "?");
      continue;
    }
    const KeyFactors& f = e.metadata->factors;
    std::printf("  %s  program %s\n", f.backend.c_str(), to_hex(f.program).substr(0, 16).c_str());
    std::printf("    device %s | driver %s | compiler %s | vendor %s\n",
                f.fingerprint.device.c_str(), f.fingerprint.driver.c_str(),
                f.fingerprint.compiler.c_str(), f.fingerprint.vendor.c_str());
    std::string policy;
    for (const auto& [name, value] : f.policy) policy += " " + name + "=" + value;
    for (const auto& [name, value] : f.environment) {
      if (!value.empty()) policy += " " + name + "=" + value;
    }
    std::printf("    policy%s | compiled in %.1f ms\n", policy.c_str(),
                e.metadata->compile_us / 1000.0);
  }
  std::printf("%zu entr%s\n", entries.size(), entries.size() == 1 ? "y" : "ies");
  return 0;
}

int run_verify(const CacheArgs& args) {
  auto disk = open_disk(args);
  if (!disk) return fail(disk.error(), args.json);
  VerifyReport report = verify_entries(**disk, args.fix);
  std::size_t bad = 0;
  if (args.json) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : report.entries) {
      if (!e.defect) continue;
      ++bad;
      const bool left =
          std::any_of(report.failures.begin(), report.failures.end(),
                      [&](const RemoveFailure& f) { return f.location == e.item.location; });
      entries.push_back({{"path", e.item.location},
                         {"defect", e.defect->message},
                         {"removed", args.fix && !left}});
    }
    nlohmann::json j = {{"checked", report.entries.size()},
                        {"bad", entries},
                        {"failures", failures_json(report.failures)}};
    std::printf("%s\n", j.dump(2).c_str());
    return !report.failures.empty() || (bad != 0 && !args.fix) ? 1 : 0;
  }
  for (const auto& e : report.entries) {
    if (!e.defect) continue;
    ++bad;
    const bool left =
        std::any_of(report.failures.begin(), report.failures.end(),
                    [&](const RemoveFailure& f) { return f.location == e.item.location; });
    std::printf("%s %s: %s\n",
                !args.fix ? "BAD"
                : left    ? "NOT REMOVED"
                          : "removed",
                e.item.location.c_str(), e.defect->message.c_str());
  }
  std::printf("%zu entr%s checked, %zu bad%s\n", report.entries.size(),
              report.entries.size() == 1 ? "y" : "ies", bad,
              bad != 0 && !args.fix ? " (run with --fix to remove them)" : "");
  const bool failed = report_failures(report.failures, args.json);
  return failed || (bad != 0 && !args.fix) ? 1 : 0;
}

Result<DispatchConfig> config_of(const CacheArgs& args) {
  DispatchConfig config;
  config.ulp_budget = args.ulp_budget;
  if (!args.workgroup.empty()) {
    if (args.workgroup.size() > 3) {
      return query_error("--workgroup takes one to three sizes", "e.g. --workgroup 16,16");
    }
    std::array<std::uint32_t, 3> w{1, 1, 1};
    for (std::size_t i = 0; i < args.workgroup.size(); ++i) w[i] = args.workgroup[i];
    config.workgroup_override = w;
  }
  return config;
}

// --backend, else the one `vyre run` would route the program to (for --digest, with no program
// to route, the highest-priority available backend).
Result<std::string> backend_for_explain(const CacheArgs& args, BackendRegistry& registry,
                                        const std::optional<ir::Program>& program,
                                        const DispatchConfig& config) {
  if (!args.backend.empty()) return args.backend;
  if (program) {
    Runtime runtime(registry);
    auto route = VYRE_TRY(runtime.route(*program, config));
    return route.backend_id;
  }
  std::optional<BackendStatus> best;
  for (const BackendStatus& status : registry.list()) {
    if (status.available && (!best || status.priority > best->priority)) best = status;
  }
  if (!best) {
    return query_error("no backend is available", "`vyre backends` says why");
  }
  return best->id;
}

int run_explain(const CacheArgs& args) {
  // The request's identity: the program's digest (from FILE, or given), the policy from the
  // flags, and the chosen backend's fingerprint.
  Digest program_digest{};
  std::optional<ir::Program> parsed;
  if (!args.file.empty()) {
    auto text = read_text_file(args.file);
    if (!text) return fail(text.error(), args.json);
    ir::CheckOptions check;
    check.file = args.file;
    auto program = ir::parse_program(*text, check);
    if (!program) {
      print_diagnostic(program.error(), *text, args.json);
      return 1;
    }
    program_digest = program->digest();
    parsed = std::move(*program);
  } else if (auto d = digest_from_hex(args.digest)) {
    program_digest = *d;
  } else {
    print_diagnostic(query_error("explain needs a kernel FILE or --digest with 64 hex digits",
                                 "`vyre check FILE` prints a program's digest"),
                     "", args.json);
    return 1;
  }
  auto config = config_of(args);
  if (!config) return fail(config.error(), args.json);
  BackendRegistry& registry = BackendRegistry::global();
  if (auto st = register_builtin_backends(registry); !st) {
    return fail(st.error(), args.json);
  }
  auto chosen = backend_for_explain(args, registry, parsed, *config);
  if (!chosen) return fail(chosen.error(), args.json);
  const std::string backend_id = *chosen;
  auto backend = registry.acquire(backend_id);
  if (!backend) return fail(backend.error(), args.json);
  auto disk = open_disk(args);
  if (!disk) return fail(disk.error(), args.json);

  KeyFactors requested;
  requested.program = program_digest;
  requested.policy = config->policy_fields();
  requested.backend = std::string((*backend)->id());
  requested.fingerprint = (*backend)->fingerprint();
  requested.environment = generated_code_environment();
  const Digest key = requested.key();

  std::vector<std::shared_ptr<const KeyFactors>> cached;
  bool present = false;
  std::optional<std::string> defect;
  for (CacheEntry& e : list_entries(**disk, true)) {
    if (e.item.key == key) {
      present = e.metadata.has_value();
      if (e.defect) defect = e.defect->message;
    }
    if (e.metadata) cached.push_back(std::make_shared<const KeyFactors>(e.metadata->factors));
  }
  MissExplanation explanation = explain_miss(cached, requested);
  if (defect) {
    explanation.reason = MissReason::CorruptEntry;
    explanation.detail = *defect;
  }
  auto remote_options = RemoteCacheOptions::from_environment();
  if (!remote_options) return fail(remote_options.error(), args.json);
  const RemoteAnswer remote = remote_answer(*remote_options, key);
  if (args.json) {
    nlohmann::json j = {{"key", to_hex(key)},
                        {"backend", requested.backend},
                        {"would_hit", present || remote.present()},
                        {"factors", factors_json(requested)},
                        {"remote", remote.state},
                        {"remote_detail", remote.detail}};
    if (present || remote.present()) j["tier"] = present ? "disk" : "remote";
    if (!present) {
      j["miss"] = metric_name(explanation.reason);
      j["explanation"] = explanation.text();
      if (explanation.nearest) j["nearest"] = to_hex(*explanation.nearest);
      nlohmann::json diffs = nlohmann::json::array();
      for (const auto& d : explanation.differences) {
        diffs.push_back({{"factor", d.name}, {"cached", d.cached}, {"requested", d.requested}});
      }
      j["differences"] = diffs;
    }
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("key %s (backend %s, %s)\n", to_hex(key).c_str(), requested.backend.c_str(),
              requested.fingerprint.describe().c_str());
  if (present) {
    std::printf("would hit: entry %s is on disk\n", (*disk)->entry_path(key).c_str());
  } else if (remote.present()) {
    std::printf("would hit the shared cache (not on disk: %s)\n", explanation.text().c_str());
  } else {
    std::printf("would miss: %s\n", explanation.text().c_str());
  }
  std::printf("%s\n", describe_remote_answer(remote).c_str());
  return 0;
}

int run_gc(const CacheArgs& args) {
  auto disk = open_disk(args);
  if (!disk) return fail(disk.error(), args.json);
  GcReport r = (*disk)->gc();
  if (args.json) {
    nlohmann::json j = {
        {"orphans_removed", r.orphans_removed}, {"entries_evicted", r.entries_evicted},
        {"bytes_before", r.bytes_before},       {"bytes_after", r.bytes_after},
        {"max_bytes", (*disk)->max_bytes()},    {"failures", failures_json(r.failures)}};
    std::printf("%s\n", j.dump(2).c_str());
    return r.failures.empty() ? 0 : 1;
  }
  std::printf("removed %zu orphaned temp file%s and %zu entr%s; %s -> %s (bound %s)\n",
              r.orphans_removed, r.orphans_removed == 1 ? "" : "s", r.entries_evicted,
              r.entries_evicted == 1 ? "y" : "ies", human_bytes(r.bytes_before).c_str(),
              human_bytes(r.bytes_after).c_str(), human_bytes((*disk)->max_bytes()).c_str());
  return report_failures(r.failures, args.json) ? 1 : 0;
}

int run_clear(const CacheArgs& args) {
  auto disk = open_disk(args);
  if (!disk) return fail(disk.error(), args.json);
  ClearReport r = (*disk)->clear();
  if (args.json) {
    nlohmann::json j = {{"root", (*disk)->root().string()},
                        {"entries_removed", r.entries_removed},
                        {"other_files_removed", r.other_files_removed},
                        {"failures", failures_json(r.failures)}};
    std::printf("%s\n", j.dump(2).c_str());
    return r.failures.empty() ? 0 : 1;
  }
  std::printf("removed %zu entr%s and %zu other file%s of vyre's from %s\n", r.entries_removed,
              r.entries_removed == 1 ? "y" : "ies", r.other_files_removed,
              r.other_files_removed == 1 ? "" : "s", (*disk)->root().c_str());
  return report_failures(r.failures, args.json) ? 1 : 0;
}

int run_invalidate(CacheArgs args) {
  if (!args.inv_backend.empty()) args.filter.backend = args.inv_backend;
  if (!args.inv_device.empty()) args.filter.device = args.inv_device;
  if (!args.inv_program.empty()) {
    std::string p = args.inv_program;
    bool hex = p.size() >= 8 && p.size() <= 64 &&
               p.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (!hex) {
      print_diagnostic(query_error("--program '" + p + "' is not 8 to 64 hex digits",
                                   "give a program digest or its prefix, as `vyre cache list` "
                                   "shows it"),
                       "", args.json);
      return 1;
    }
    args.filter.program = p;
  }
  if (args.filter.empty()) {
    print_diagnostic(query_error("invalidate needs --backend, --device or --program",
                                 "use `vyre cache clear` to remove everything"),
                     "", args.json);
    return 1;
  }
  auto disk = open_disk(args);
  if (!disk) return fail(disk.error(), args.json);
  InvalidateReport r = invalidate_entries(**disk, args.filter);
  if (args.json) {
    nlohmann::json j = {{"removed", r.removed}, {"failures", failures_json(r.failures)}};
    std::printf("%s\n", j.dump(2).c_str());
    return r.failures.empty() ? 0 : 1;
  }
  std::printf("removed %zu entr%s\n", r.removed, r.removed == 1 ? "y" : "ies");
  return report_failures(r.failures, args.json) ? 1 : 0;
}

}  // namespace

void install_cache(CLI::App& app, Context& ctx) {
  auto* cache = app.add_subcommand("cache", "Inspect and maintain the disk pipeline cache");
  cache->require_subcommand(1);
  auto args = std::make_shared<CacheArgs>();
  cache->add_option("--dir", args->dir, "cache folder (default: VYRE_CACHE_DIR, ...)");
  auto add = [&](const char* name, const char* help, std::function<int(const CacheArgs&)> run) {
    auto* sub = cache->add_subcommand(name, help);
    sub->callback([&ctx, args, run] { ctx.exit_code = run(*args); });
    // Options work after the subcommand too: `vyre cache stats --dir X`.
    sub->add_option("--dir", args->dir, "cache folder (default: VYRE_CACHE_DIR, ...)");
    return sub;
  };
  add("path", "Print the cache folder", run_path)->add_flag("--json", args->json, "JSON output");
  auto* stats = add("stats", "Entries, size, cumulative hit rates and time histograms", run_stats);
  stats->add_flag("--json", args->json, "JSON output");
  stats
      ->add_flag("--prometheus", args->prometheus,
                 "the counters and histograms in the Prometheus text format")
      ->excludes("--json");
  add("list", "Every entry with its key factors", run_list)
      ->add_flag("--json", args->json, "JSON output");
  auto* verify = add("verify", "Check every entry; --fix removes bad ones", run_verify);
  verify->add_flag("--fix", args->fix, "remove bad entries");
  verify->add_flag("--json", args->json, "JSON output");
  auto* explain = add("explain", "Would a program hit? If not, the nearest entry and what differs",
                      run_explain);
  explain->add_option("FILE", args->file, "kernel in vyre text IR (.vy)");
  explain->add_option("--digest", args->digest, "program digest instead of a FILE");
  explain->add_option("--backend", args->backend,
                      "backend id (default: the one `vyre run` would choose)");
  explain->add_option("--ulp-budget", args->ulp_budget, "dispatch policy: ULP budget");
  explain->add_option("--workgroup", args->workgroup, "dispatch policy: workgroup override x,y,z")
      ->delimiter(',');
  explain->add_flag("--json", args->json, "JSON output");
  add("gc", "Remove orphaned temp files and evict down to VYRE_CACHE_MAX_BYTES", run_gc)
      ->add_flag("--json", args->json, "JSON output");
  add("clear", "Remove every entry", run_clear)->add_flag("--json", args->json, "JSON output");
  auto* invalidate = add("invalidate", "Remove entries by backend, device or program",
                         [](const CacheArgs& a) { return run_invalidate(a); });
  invalidate->add_option("--backend", args->inv_backend, "backend id");
  invalidate->add_option("--device", args->inv_device,
                         "fingerprint device, or device digest prefix");
  invalidate->add_option("--program", args->inv_program, "program digest (or 8+ hex prefix)");
  invalidate->add_flag("--json", args->json, "JSON output");
  add("push", "Upload every valid local entry to the shared remote cache, signed",
      [](const CacheArgs& a) { return run_cache_push(a.dir, a.json); })
      ->add_flag("--json", args->json, "JSON output");
  auto* pack = add("pack", "Write every valid local entry into a pack folder (VYRE_CACHE_PACKS)",
                   [](const CacheArgs& a) { return run_cache_pack(a.dir, a.pack_out, a.json); });
  pack->add_option("OUT", args->pack_out, "the pack folder (created; empty or a pack)")->required();
  pack->add_flag("--json", args->json, "JSON output");
  install_cache_remote(*cache, ctx);  // keygen
}

}  // namespace vyre::cli
