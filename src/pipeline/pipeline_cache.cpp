#include "vyre/pipeline/pipeline_cache.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "disk_index.h"
#include "elapsed.h"
#include "request_identity.h"
#include "resolved.h"
#include "telemetry_counters.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/log.h"
#include "vyre/diag/render.h"
#include "vyre/ir/program.h"
#include "vyre/pipeline/cache_maintenance.h"
#include "vyre/pipeline/entry_format.h"
#include "vyre/pipeline/stats_file.h"

namespace vyre::pipeline {
namespace {

// Smallest memory-tier charge per entry, so pipelines that cannot be serialized still count.
constexpr std::uint64_t kMinMemoryCharge = 256;

// A cache decision for the log (diag/log.h): "3f9a0c1b22de for opencl: disk hit ...". The
// message is built only when the level is enabled.
template <class Message>
void trace(LogLevel level, const Digest& key, std::string_view backend, Message&& message) {
  if (!log_enabled(level)) return;
  log(level, "cache",
      to_hex(key).substr(0, 12) + " for " + std::string(backend) + ": " + std::string(message()));
}

std::string ms_text(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f ms", ms);
  return text;
}

}  // namespace

Result<std::shared_ptr<PipelineCache>> PipelineCache::open(PipelineCacheOptions options) {
  if (options.disk_max_bytes == 0) {
    return Diagnostic::error(code::BadCacheSetting, "disk_max_bytes (VYRE_CACHE_MAX_BYTES) is 0",
                             "give the disk tier a positive size bound, or leave the root empty "
                             "for a memory-only cache");
  }
  std::vector<std::string> names;
  for (const StoreOptions& row : options.stores) {
    if (std::find(names.begin(), names.end(), row.name) != names.end() || row.name.empty() ||
        !row.open) {
      return Diagnostic::error(code::DuplicateStoreName,
                               "pipeline cache store row '" + row.name +
                                   "' is unnamed, has no factory, or repeats another's name",
                               "give every row of PipelineCacheOptions::stores its own name and a "
                               "factory");
    }
    names.push_back(row.name);
  }
  return std::shared_ptr<PipelineCache>(new PipelineCache(std::move(options)));
}

PipelineCache::PipelineCache(PipelineCacheOptions options)
    : options_(std::move(options)),
      environment_(generated_code_environment()),
      memory_(options_.memory_max_entries, options_.memory_max_bytes),
      memo_(std::make_unique<RequestIdentityMemo>()),
      index_(std::make_unique<DiskIndex>()),
      counters_(std::make_unique<TelemetryCounters>()) {
  jit_.store(options_.jit);
  startup_ends_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             (Clock::now() + options_.jit_startup_grace).time_since_epoch())
                             .count());
  if (options_.disabled) return;
  std::vector<StoreOptions> rows = options_.stores;
  const bool has_disk_row =
      std::any_of(rows.begin(), rows.end(), [](const StoreOptions& r) { return r.name == "disk"; });
  if (!options_.root.empty() && !has_disk_row) {
    DiskStoreOptions disk;
    disk.root = options_.root;
    disk.max_bytes = options_.disk_max_bytes;
    disk.orphan_age = options_.orphan_age;
    disk.touch_granularity = options_.touch_granularity;
    rows.insert(rows.begin(), DiskStore::row(std::move(disk)));
  }
  StoreContext context;
  context.warning_sink = [this](const Diagnostic& d) { deliver(d); };  // the store counts it
  context.read_only = options_.read_only;
  for (const StoreOptions& row : rows) {
    std::unique_ptr<ByteStore> store = row.open(context);
    if (!store) continue;
    secrets_.push_back(secret_of(*store));
    if (fleet_ == nullptr) fleet_ = store->fleet();
    stores_.push_back(std::move(store));
    counters_->served.emplace_back(0);
    counters_->promoted.emplace_back(0);
  }
}

PipelineCache::~PipelineCache() {
  (void)flush();
}

ByteStore* PipelineCache::store(std::string_view name) const {
  for (const auto& s : stores_) {
    if (s->name() == name) return s.get();
  }
  return nullptr;
}

DiskStore* PipelineCache::disk() const {
  return dynamic_cast<DiskStore*>(store("disk"));
}

void PipelineCache::end_startup() {
  startup_ends_ns_.store(0);
}

void PipelineCache::warn(const Diagnostic& diagnostic) const {
  TelemetryCounters::add(counters_->warnings);
  deliver(diagnostic);
}

void PipelineCache::deliver(const Diagnostic& diagnostic) const {
  if (options_.warning_sink) {
    options_.warning_sink(diagnostic);
  } else {
    std::fputs(render_human(diagnostic).c_str(), stderr);
  }
}

std::shared_ptr<const RequestIdentity> PipelineCache::identify(const Backend& backend,
                                                               const ir::Program& program,
                                                               const DispatchConfig& config) const {
  // The request's factors in their stored encoding: recognised by its XXH3-128 when memoised,
  // else hashed into the key and kept for the disk hit's byte-for-byte comparison. A local
  // buffer, not a thread_local: registering a thread_local's destructor costs a fresh process
  // several microseconds.
  const Digest& program_digest = program.digest();
  NamedValues policy = config.policy_fields();
  const DeviceFingerprint& fp = backend.fingerprint();
  std::vector<std::uint8_t> factor_bytes;
  factor_bytes.reserve(512);  // typical factors take 200-300 bytes
  append_key_factors(factor_bytes, program_digest, policy, backend.id(), fp, environment_);
  const XXH128_hash_t hash = XXH3_128bits(factor_bytes.data(), factor_bytes.size());
  if (auto known = memo_->find(hash, factor_bytes)) return known;

  auto factors = std::make_shared<KeyFactors>();
  factors->program = program_digest;
  factors->policy = std::move(policy);
  factors->backend = std::string(backend.id());
  factors->fingerprint = fp;
  factors->environment = environment_;
  auto identity = std::make_shared<RequestIdentity>();
  identity->key = key_of_factor_bytes(factor_bytes);
  identity->factor_bytes = std::move(factor_bytes);
  identity->factors = std::move(factors);
  memo_->insert(hash, identity);
  return identity;
}

std::shared_ptr<const KeyFactors> PipelineCache::key_factors(const Backend& backend,
                                                             const ir::Program& program,
                                                             const DispatchConfig& config) const {
  return identify(backend, program, config)->factors;
}

Result<std::shared_ptr<const CompiledPipeline>> PipelineCache::obtain(Backend& backend,
                                                                      const ir::Program& program,
                                                                      const DispatchConfig& config,
                                                                      CacheOutcome* outcome) {
  const Clock::time_point start = Clock::now();
  std::shared_ptr<const RequestIdentity> identity = identify(backend, program, config);

  if (auto hit = memory_hit(backend, *identity, start, outcome)) return hit;

  bool leader = false;
  auto flight = flights_.join(identity->key, &leader);
  std::shared_ptr<const Resolved> resolved;
  if (leader) {
    resolved = resolve_miss(backend, program, config, *identity, start);
    flights_.finish(identity->key, flight, resolved);
  } else {
    resolved = SingleFlight<Resolved>::wait(*flight);
    TelemetryCounters::add(counters_->coalesced);
  }
  if (outcome != nullptr) {
    *outcome = resolved->outcome;
    if (!leader) {
      outcome->coalesced = true;
      outcome->lookup_ms = ms_between(start, Clock::now());
    }
  }
  return resolved->result;
}

std::shared_ptr<const CompiledPipeline> PipelineCache::memory_hit(const Backend& backend,
                                                                  const RequestIdentity& identity,
                                                                  Clock::time_point start,
                                                                  CacheOutcome* outcome) {
  MemoryEntry hit;
  if (!memory_.find(identity.key, &hit) || hit.pipeline->owner() != backend.instance()) {
    return nullptr;
  }
  TelemetryCounters::add(counters_->memory_hits);
  trace(LogLevel::Debug, identity.key, backend.id(), [] { return "memory hit"; });
  // No compile_us_saved here: the disk hit that loaded this entry counted its compile once.
  if (outcome != nullptr) {
    *outcome = CacheOutcome{};
    outcome->tier = CacheTier::Memory;
    outcome->lookup_ms = ms_between(start, Clock::now());
    outcome->key = identity.key;
    outcome->factors = identity.factors;
  }
  return std::move(hit.pipeline);
}

std::shared_ptr<const PipelineCache::Resolved> PipelineCache::resolve_miss(
    Backend& backend, const ir::Program& program, const DispatchConfig& config,
    const RequestIdentity& identity, Clock::time_point start) {
  CacheOutcome out;
  FleetTurn turn = FleetTurn::Compile;
  if (auto served = resolve_cached(backend, program, config, identity, start, out, &turn)) {
    return served;
  }
  const Clock::time_point compile_start = Clock::now();
  auto compiled = backend.compile(program, config);
  auto stored = store_compiled(backend, identity, std::move(compiled), micros_since(compile_start),
                               std::move(out));
  if (turn == FleetTurn::Leader) fleet_->finished(identity.key);  // after the put is queued
  return stored;
}

std::shared_ptr<const PipelineCache::Resolved> PipelineCache::resolve_cached(
    Backend& backend, const ir::Program& program, const DispatchConfig& config,
    const RequestIdentity& identity, Clock::time_point start, CacheOutcome& out, FleetTurn* turn,
    FleetWait wait) {
  const Digest& key = identity.key;
  out.key = key;
  out.factors = identity.factors;
  auto done = [&](Result<std::shared_ptr<const CompiledPipeline>> result) {
    return std::make_shared<const Resolved>(Resolved{std::move(result), std::move(out)});
  };

  // Another leader may have finished between our memory miss and joining the flight.
  MemoryEntry hit;
  if (memory_.find(key, &hit) && hit.pipeline->owner() == backend.instance()) {
    TelemetryCounters::add(counters_->memory_hits);
    out.tier = CacheTier::Memory;
    out.lookup_ms = ms_between(start, Clock::now());
    return done(std::move(hit.pipeline));
  }

  // The chain, in order: the first store whose bytes authenticate and load serves the request.
  // Bad bytes anywhere are discarded (counted corrupt_entry if nothing serves) and the next
  // store is asked.
  std::optional<MissExplanation> explanation;
  auto corrupt = [&](std::string detail, MissReason reason = MissReason::CorruptEntry) {
    explanation.emplace();
    explanation->reason = reason;
    explanation->detail = std::move(detail);
  };
  auto serve_from_stores = [&]() -> std::shared_ptr<const Resolved> {
    for (std::size_t i = 0; i < stores_.size(); ++i) {
      ByteStore& store = *stores_[i];
      std::array<std::uint8_t, kHitScratchBytes> scratch;  // NOLINT: get() fills what it uses
      StoreRead read = store.get(key, scratch, /*refresh=*/true);
      if (read.status == StoreStatus::Absent) {
        trace(LogLevel::Debug, key, backend.id(),
              [&] { return std::string(store.name()) + ": absent"; });
      }
      if (read.status == StoreStatus::Unreadable) {
        trace(LogLevel::Info, key, backend.id(), [&] {
          return std::string(store.name()) + ": unreadable, not served (" +
                 (read.defect ? read.defect->message : std::string("unreadable")) + ")";
        });
        // A shared-cache value no trusted key signed is its own miss reason.
        const bool untrusted = read.defect && read.defect->code == code::RemoteEntryUntrusted;
        corrupt(read.defect ? read.defect->message : "unreadable",
                untrusted ? MissReason::UntrustedEntry : MissReason::CorruptEntry);
        continue;
      }
      if (read.status != StoreStatus::Hit) continue;
      DecodedEntry entry;
      if (auto bad = check_entry(read.bytes, key, identity.factor_bytes, secrets_[i], &entry)) {
        trace(LogLevel::Info, key, backend.id(), [&] {
          return std::string(store.name()) + ": entry refused and discarded (" + bad->message + ")";
        });
        store.discard(key, read);
        corrupt(bad->message);
        continue;
      }
      const Clock::time_point load_start = Clock::now();
      auto loaded = backend.load(program, config, entry.payload);
      const std::uint64_t load_us = micros_since(load_start);
      if (!loaded.ok()) {
        // The backend rejected bytes that passed every check: stale in a way the key missed.
        TelemetryCounters::add(counters_->load_failures);
        trace(LogLevel::Info, key, backend.id(), [&] {
          return std::string(store.name()) + ": the backend rejected the entry, discarded (" +
                 loaded.error().message + ")";
        });
        store.discard(key, read);
        corrupt("the backend rejected it: " + loaded.error().message);
        continue;
      }
      const std::uint64_t saved_us = entry.metadata.compile_us;
      TelemetryCounters::add(counters_->store_hits);
      TelemetryCounters::add(counters_->served[i]);
      TelemetryCounters::add(counters_->compile_us_saved, saved_us);
      counters_->load_hist.record_us(load_us);
      trace(LogLevel::Info, key, backend.id(), [&] {
        return std::string(store.name()) + " hit, loaded in " +
               ms_text(static_cast<double>(load_us) / 1000.0) + " (saves a compile of " +
               ms_text(static_cast<double>(saved_us) / 1000.0) + ")";
      });
      if (i > 0) promote(key, read.bytes, i);
      MemoryEntry cached{*loaded, identity.factors,
                         std::max<std::uint64_t>(entry.payload.size(), kMinMemoryCharge), saved_us};
      TelemetryCounters::add(counters_->memory_evictions, memory_.insert(key, std::move(cached)));
      index_->add(key, identity.factors);
      out.tier = CacheTier::Disk;
      out.store = std::string(store.name());
      out.lookup_ms = ms_between(start, load_start);
      out.load_ms = static_cast<double>(load_us) / 1000.0;
      return done(std::move(loaded).value());
    }
    return nullptr;
  };
  if (auto served = serve_from_stores()) return served;
  // Fleet single-flight: another process may be compiling this key; wait for its entry.
  if (turn != nullptr && fleet_ != nullptr && jit_policy() != JitPolicy::Forbid) {
    *turn = wait == FleetWait::Yes ? fleet_->take_turn(key) : fleet_->try_turn(key);
    trace(LogLevel::Debug, key, backend.id(), [&] {
      return *turn == FleetTurn::Leader       ? "fleet: this process compiles it (lease taken)"
             : *turn == FleetTurn::EntryReady ? "fleet: another process stored it"
             : *turn == FleetTurn::Busy
                 ? "fleet: another process is compiling it; asked again after this batch"
                 : "fleet: compiling here without a lease";
    });
    if (*turn == FleetTurn::Busy) return nullptr;
    if (*turn == FleetTurn::EntryReady) {
      std::optional<MissExplanation> before = explanation;
      if (auto served = serve_from_stores()) {
        TelemetryCounters::add(counters_->coalesced);
        return served;
      }
      if (!explanation) explanation = before;
    }
  }
  if (explanation) index_->remove(key);
  if (!explanation) explanation = explain_absent(*identity.factors);
  const MissReason reason = explanation->reason;
  counters_->miss(reason);
  out.tier = CacheTier::Compiled;
  out.miss = reason;
  out.miss_explanation = explanation->text();
  out.lookup_ms = ms_between(start, Clock::now());
  trace(LogLevel::Info, key, backend.id(), [&] {
    return "miss, " + std::string(metric_name(reason)) + " (" + out.miss_explanation + ")";
  });

  const JitPolicy jit = jit_policy();
  const std::string backend_id(backend.id());
  if (jit == JitPolicy::Forbid) {
    TelemetryCounters::add(counters_->jit_forbidden);
    return done(Diagnostic::error(
        code::JitForbidden,
        "pipeline " + to_hex(key).substr(0, 12) + " for backend `" + backend_id +
            "` is not cached and the JIT policy forbids compiling it (" + out.miss_explanation +
            ")",
        "warm the cache (run once with VYRE_JIT=allow, or ship a prebuilt cache folder), or set "
        "VYRE_JIT=allow or warn"));
  }
  if (jit == JitPolicy::Warn &&
      Clock::now().time_since_epoch().count() >= startup_ends_ns_.load(std::memory_order_relaxed)) {
    TelemetryCounters::add(counters_->jit_warnings);
    warn(Diagnostic::warning(code::JitCompileReported,
                             "compiling pipeline " + to_hex(key).substr(0, 12) + " for backend `" +
                                 backend_id + "` at run time: " + out.miss_explanation,
                             "warm the cache for this program, policy and device, or set "
                             "VYRE_JIT=allow to stop these reports"));
  }

  return nullptr;
}

void PipelineCache::promote(const Digest& key, std::span<const std::uint8_t> entry,
                            std::size_t from) {
  for (std::size_t j = 0; j < from; ++j) {
    ByteStore& earlier = *stores_[j];
    if (!earlier.writable()) continue;
    bool stored = secrets_[j] == secrets_[from]
                      ? earlier.put(key, entry)
                      : earlier.put(key, reauthenticate_entry(entry, secrets_[j]));
    if (stored) TelemetryCounters::add(counters_->promoted[j]);
    if (log_enabled(LogLevel::Info)) {
      log(LogLevel::Info, "cache",
          to_hex(key).substr(0, 12) + ": promoted from " + std::string(stores_[from]->name()) +
              " into " + std::string(earlier.name()) + (stored ? "" : " (refused by the store)"));
    }
  }
}

std::shared_ptr<const PipelineCache::Resolved> PipelineCache::store_compiled(
    Backend& backend, const RequestIdentity& identity,
    Result<std::shared_ptr<const CompiledPipeline>> compiled, std::uint64_t compile_us,
    CacheOutcome out) {
  const Digest& key = identity.key;
  const std::string backend_id(backend.id());
  auto done = [&](Result<std::shared_ptr<const CompiledPipeline>> result) {
    return std::make_shared<const Resolved>(Resolved{std::move(result), std::move(out)});
  };
  out.compile_ms = static_cast<double>(compile_us) / 1000.0;
  if (!compiled.ok()) {
    TelemetryCounters::add(counters_->compile_failures);
    trace(LogLevel::Info, key, backend_id, [&] {
      return "compile failed after " + ms_text(out.compile_ms) + " (" + compiled.error().message +
             ")";
    });
    return done(std::move(compiled).error());
  }
  trace(LogLevel::Info, key, backend_id, [&] { return "compiled in " + ms_text(out.compile_ms); });
  TelemetryCounters::add(counters_->compiles);
  TelemetryCounters::add(counters_->compile_us, compile_us);
  counters_->compile_hist.record_us(compile_us);

  std::uint64_t charge = kMinMemoryCharge;
  for (const auto& store : stores_) {
    if (!store->writable()) store->write_skipped();  // an unwritable folder says so, once
  }
  const bool persist = std::any_of(stores_.begin(), stores_.end(),
                                   [](const auto& store) { return store->writable(); });
  auto bytes = persist || options_.size_memory_entries
                   ? backend.serialize(**compiled)
                   : Result<std::vector<std::uint8_t>>(std::vector<std::uint8_t>{});
  if (bytes.ok()) {
    charge = std::max<std::uint64_t>(bytes->size(), kMinMemoryCharge);
    // One encoding per distinct secret, put into every writable store.
    std::string written;  // for the log: the stores that took the entry
    std::optional<EntrySecret> encoded_for;
    Result<std::vector<std::uint8_t>> entry = std::vector<std::uint8_t>{};
    bool warned = false;
    for (std::size_t i = 0; i < stores_.size() && persist; ++i) {
      if (!stores_[i]->writable()) continue;
      if (encoded_for != secrets_[i]) {
        entry = encode_entry(EntryMetadata{*identity.factors, compile_us}, *bytes, secrets_[i]);
        encoded_for = secrets_[i];
      }
      if (!entry.ok()) {
        if (!warned) warn(entry.error());
        warned = true;
      } else if (stores_[i]->put(key, *entry)) {
        index_->add(key, identity.factors);
        written += (written.empty() ? "" : ", ") + std::string(stores_[i]->name());
      }
    }
    trace(LogLevel::Info, key, backend_id, [&] {
      return persist
                 ? (written.empty()
                        ? std::string("no store took the entry")
                        : "stored in " + written + " (" + std::to_string(bytes->size()) + " bytes)")
                 : std::string("not stored: no writable store (memory tier only)");
    });
  } else if (persist) {
    warn(Diagnostic::warning(code::PipelineNotPersisted,
                             "backend `" + backend_id + "` could not serialize pipeline " +
                                 to_hex(key).substr(0, 12) + ": " + bytes.error().message,
                             "the pipeline stays in the memory tier only; fix the backend's "
                             "serialize() if this pipeline should survive the process"));
  }
  MemoryEntry entry{*compiled, identity.factors, charge, compile_us};
  TelemetryCounters::add(counters_->memory_evictions, memory_.insert(key, std::move(entry)));
  if (options_.manifest_sink) options_.manifest_sink(manifest_json(out));
  return done(std::move(compiled).value());
}

MissExplanation PipelineCache::explain_absent(const KeyFactors& requested) {
  std::vector<std::shared_ptr<const KeyFactors>> cached = memory_.factors();
  if (!stores_.empty()) {
    auto stored = index_->entries(stores_, options_.index_refresh);
    cached.insert(cached.end(), stored.begin(), stored.end());
  }
  MissExplanation explanation = explain_miss(cached, requested);
  if (explanation.reason == MissReason::KeyAbsent) index_->remove(requested.key());
  return explanation;
}

Result<std::optional<CacheOutcome>> PipelineCache::lookup_only(Backend& backend,
                                                               const ir::Program& program,
                                                               const DispatchConfig& config,
                                                               CacheOutcome* miss) {
  const Clock::time_point start = Clock::now();
  std::shared_ptr<const RequestIdentity> identity = identify(backend, program, config);
  CacheOutcome out;
  out.key = identity->key;
  out.factors = identity->factors;
  MemoryEntry hit;
  if (memory_.find(identity->key, &hit)) {
    out.tier = CacheTier::Memory;
  } else {
    for (std::size_t i = 0; i < stores_.size(); ++i) {
      StoreRead read = stores_[i]->get(identity->key, {}, /*refresh=*/false);
      std::optional<Diagnostic> bad;
      if (read.status == StoreStatus::Unreadable) {
        bad = read.defect ? *read.defect : entry_defect("unreadable");
      } else if (read.status == StoreStatus::Hit) {
        DecodedEntry entry;
        bad = check_entry(read.bytes, identity->key, identity->factor_bytes, secrets_[i], &entry);
        if (!bad) {
          out.tier = CacheTier::Disk;
          out.store = std::string(stores_[i]->name());
          out.miss.reset();
          out.miss_explanation.clear();
          break;
        }
        stores_[i]->discard(identity->key, read);
      } else {
        continue;
      }
      index_->remove(identity->key);
      MissExplanation e;
      e.reason = MissReason::CorruptEntry;
      e.detail = bad->message;
      out.miss = e.reason;
      out.miss_explanation = e.text();
    }
  }
  if (!out.miss && (out.tier == CacheTier::Memory || out.tier == CacheTier::Disk)) {
    TelemetryCounters::add(counters_->lookup_only_hits);
    out.lookup_ms = ms_between(start, Clock::now());
    return std::optional<CacheOutcome>(std::move(out));
  }
  if (!out.miss) {
    MissExplanation e = explain_absent(*identity->factors);
    out.miss = e.reason;
    out.miss_explanation = e.text();
  }
  TelemetryCounters::add(counters_->lookup_only_misses);
  out.tier = CacheTier::Compiled;
  out.lookup_ms = ms_between(start, Clock::now());
  if (miss != nullptr) *miss = std::move(out);
  return std::optional<CacheOutcome>();
}

std::size_t PipelineCache::invalidate(const InvalidationFilter& filter) {
  memory_.erase_if([&](const KeyFactors& f) { return filter.matches(f); });
  std::size_t removed = 0;
  for (const auto& store : stores_) removed += invalidate_entries(*store, filter).removed;
  index_->invalidate();
  return removed;
}

PersistedStats PipelineCache::totals() const {
  PersistedStats now;
  const TelemetryCounters& c = *counters_;
  now.memory_hits = c.memory_hits.load();
  now.store_hits = c.store_hits.load();
  for (std::size_t i = 0; i < now.misses.size(); ++i) now.misses[i] = c.misses[i].load();
  now.compiles = c.compiles.load();
  now.compile_us = c.compile_us.load();
  now.compile_us_saved = c.compile_us_saved.load();
  now.compile_time = c.compile_hist.snapshot();
  now.load_time = c.load_hist.snapshot();
  for (std::size_t i = 0; i < stores_.size(); ++i) {
    PersistedStoreStats& row = now.stores[std::string(stores_[i]->name())];
    row.counters = stores_[i]->counters();
    row.served = c.served[i].load();
    row.promoted = c.promoted[i].load();
    row.extra = stores_[i]->extra_counters();
    now.corrupt_entries_removed += row.counters[StoreCounter::CorruptRemoved];
  }
  now.dispatches = dispatches_.snapshot();
  return now;
}

Status PipelineCache::save_stats() {
  DiskStore* disk_store = disk();
  if (!options_.persist_stats || disk_store == nullptr || !disk_store->keeps_stats()) {
    return Ok{};
  }
  std::lock_guard lock(stats_mutex_);
  PersistedStats now = totals();
  PersistedStats delta = now.since(counters_->saved);
  VYRE_TRY(add_persisted_stats(disk_store->root(), delta));
  counters_->saved = std::move(now);
  return Ok{};
}

Status PipelineCache::flush() {
  Status first = Ok{};
  for (const auto& store : stores_) {
    Status st = store->flush();
    if (!st.ok() && first.ok()) first = std::move(st);
  }
  Status stats_status = save_stats();
  if (!first.ok()) return first;
  return stats_status;
}

Telemetry PipelineCache::snapshot() const {
  const TelemetryCounters& c = *counters_;
  Telemetry t;
  t.memory_hits = c.memory_hits.load();
  t.store_hits = c.store_hits.load();
  t.coalesced = c.coalesced.load();
  for (std::size_t i = 0; i < t.misses.size(); ++i) t.misses[i] = c.misses[i].load();
  t.compiles = c.compiles.load();
  t.compile_failures = c.compile_failures.load();
  t.load_failures = c.load_failures.load();
  t.jit_forbidden = c.jit_forbidden.load();
  t.jit_warnings = c.jit_warnings.load();
  t.lookup_only_hits = c.lookup_only_hits.load();
  t.lookup_only_misses = c.lookup_only_misses.load();
  t.memory_evictions = c.memory_evictions.load();
  t.warnings = c.warnings.load();
  t.compile_seconds = static_cast<double>(c.compile_us.load()) / 1e6;
  t.compile_seconds_saved = static_cast<double>(c.compile_us_saved.load()) / 1e6;
  t.compile_ms = c.compile_hist.snapshot();
  t.load_ms = c.load_hist.snapshot();
  t.memory_entries = memory_.size();
  t.memory_bytes = memory_.bytes();
  for (std::size_t i = 0; i < stores_.size(); ++i) {
    StoreTelemetry row;
    row.name = std::string(stores_[i]->name());
    row.location = stores_[i]->location();
    row.writable = stores_[i]->writable();
    row.served = c.served[i].load();
    row.promoted = c.promoted[i].load();
    row.counters = stores_[i]->counters();
    row.extra = stores_[i]->extra_counters();
    t.corrupt_entries_removed += row.counters[StoreCounter::CorruptRemoved];
    t.warnings += row.counters[StoreCounter::Warnings];
    t.stores.push_back(std::move(row));
  }
  return t;
}

}  // namespace vyre::pipeline
