// PipelineCache: the facade the runtime calls to turn (backend, program, dispatch config) into a
// compiled pipeline. The data path, one call each:
//   identity (memoised) -> memory tier -> each byte store of the chain in order (get, then
//   authenticate and decode the entry, Backend::load; a hit is promoted into the earlier stores)
//   -> compile (Backend::compile) -> store (Backend::serialize -> every writable store) -> memory
// obtain_many() is the same path for a batch, with one Backend::compile_many for all misses.
// Concurrent requests for one key share one disk load or compile. A cache problem (unwritable
// disk, corrupt entry) never fails a request: it is counted, warned about once, and worked
// around. Only a compile failure or JitPolicy::Forbid makes obtain() fail.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string_view>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/pipeline/byte_store.h"
#include "vyre/pipeline/cache_key.h"
#include "vyre/pipeline/cache_maintenance.h"
#include "vyre/pipeline/cache_options.h"
#include "vyre/pipeline/cache_outcome.h"
#include "vyre/pipeline/disk_store.h"
#include "vyre/pipeline/dispatch_metrics.h"
#include "vyre/pipeline/fleet_lease.h"
#include "vyre/pipeline/memory_tier.h"
#include "vyre/pipeline/miss_explanation.h"
#include "vyre/pipeline/single_flight.h"
#include "vyre/pipeline/stats_file.h"
#include "vyre/pipeline/telemetry.h"

namespace vyre::pipeline {

class RequestIdentityMemo;
class DiskIndex;
struct RequestIdentity;
struct TelemetryCounters;

class PipelineCache {
 public:
  // Opens the memory tier and the chain of stores: options.stores in order, after a disk store
  // at options.root when that is set and no row is named "disk" (none at all when
  // options.disabled). An unusable store is a warning, not an error; two rows with one name are
  // an error (VY5107). Reads the environment variables that change generated code once, here.
  static Result<std::shared_ptr<PipelineCache>> open(PipelineCacheOptions options);
  ~PipelineCache();  // flushes pending disk writes and persists stats (best effort)
  PipelineCache(const PipelineCache&) = delete;
  PipelineCache& operator=(const PipelineCache&) = delete;

  // Memory tier, then disk tier, then compile (then store). Fails only when the backend's
  // compile fails or the JIT policy forbids compiling.
  Result<std::shared_ptr<const CompiledPipeline>> obtain(Backend& backend,
                                                         const ir::Program& program,
                                                         const DispatchConfig& config,
                                                         CacheOutcome* outcome = nullptr);

  // obtain() for many programs at once: memory and disk hits are served per program as obtain()
  // serves them, and every program that must be compiled goes to one Backend::compile_many call
  // (a backend with a high fixed cost per build compiles them together). Results and outcomes
  // are index-aligned with `programs`; a failing program gets its own error and the others their
  // pipelines. JIT policy, telemetry, disk writes and manifests are as for obtain(); each
  // compiled program is charged an equal share of the batch's compile time. A program another
  // thread is already obtaining is waited for (after this call's own compile), not compiled again.
  std::vector<Result<std::shared_ptr<const CompiledPipeline>>> obtain_many(
      Backend& backend, std::span<const ir::Program* const> programs, const DispatchConfig& config,
      std::vector<CacheOutcome>* outcomes = nullptr);

  // Answers whether obtain() would hit (tier Memory or Disk, the stored entry validated but not
  // loaded) without compiling or loading anything. On a miss returns nullopt and, if `miss` is
  // given, fills it with tier Compiled, the miss reason and its explanation.
  Result<std::optional<CacheOutcome>> lookup_only(Backend& backend, const ir::Program& program,
                                                  const DispatchConfig& config,
                                                  CacheOutcome* miss = nullptr);

  // Durable batched flush of pending disk writes; also saves the cumulative stats.
  Status flush();
  Telemetry snapshot() const;
  // This process's counters in the stats file's shape (stats_file.h): what flush() adds to
  // <root>/stats.json, and what cache_metrics.h exports for an embedder.
  PersistedStats totals() const;
  // Where the runtime records its dispatches, so totals() and the stats file keep them.
  DispatchMetrics& dispatch_metrics() { return dispatches_; }

  // The identity of a request, as obtain() computes it.
  std::shared_ptr<const KeyFactors> key_factors(const Backend& backend, const ir::Program& program,
                                                const DispatchConfig& config) const;
  // Removes matching entries from the memory tier and every store with maintenance; returns how
  // many stored entries went.
  std::size_t invalidate(const InvalidationFilter& filter);

  void set_jit_policy(JitPolicy policy) { jit_.store(policy, std::memory_order_relaxed); }
  JitPolicy jit_policy() const { return jit_.load(std::memory_order_relaxed); }
  // Ends the JIT start-up grace period now: under Warn, every later compile is reported.
  void end_startup();

  const PipelineCacheOptions& options() const { return options_; }
  const NamedValues& environment() const { return environment_; }
  // The chain, in the order it is asked.
  std::span<const std::unique_ptr<ByteStore>> stores() const { return stores_; }
  ByteStore* store(std::string_view name) const;  // null when no store has that name
  DiskStore* disk() const;  // the store named "disk" when it is a DiskStore, else null
  MemoryTier& memory() { return memory_; }

 private:
  explicit PipelineCache(PipelineCacheOptions options);
  struct Resolved;
  std::shared_ptr<const RequestIdentity> identify(const Backend& backend,
                                                  const ir::Program& program,
                                                  const DispatchConfig& config) const;
  // The memory tier's pipeline for `identity` (counted, `outcome` filled), or null. Only a
  // pipeline of this backend instance is a hit: the contract refuses to dispatch another's.
  std::shared_ptr<const CompiledPipeline> memory_hit(const Backend& backend,
                                                     const RequestIdentity& identity,
                                                     std::chrono::steady_clock::time_point start,
                                                     CacheOutcome* outcome);
  std::shared_ptr<const Resolved> resolve_miss(Backend& backend, const ir::Program& program,
                                               const DispatchConfig& config,
                                               const RequestIdentity& identity,
                                               std::chrono::steady_clock::time_point start);
  // The cached part of a miss: memory again, then disk; then classifies the miss and applies
  // the JIT policy. Null when the program must be compiled (`out` then describes the miss).
  // With `turn`, a chain miss first asks the fleet (fleet_lease.h) whether another process is
  // compiling it, waits for that entry if so, and says in `turn` whether this process leads.
  // FleetWait::No asks without waiting: a Busy turn returns null before the miss is counted,
  // and the caller asks again later.
  enum class FleetWait : bool { No, Yes };
  std::shared_ptr<const Resolved> resolve_cached(Backend& backend, const ir::Program& program,
                                                 const DispatchConfig& config,
                                                 const RequestIdentity& identity,
                                                 std::chrono::steady_clock::time_point start,
                                                 CacheOutcome& out, FleetTurn* turn = nullptr,
                                                 FleetWait wait = FleetWait::Yes);
  // Counts a compile's result and stores a success: serialize -> disk tier, memory tier.
  std::shared_ptr<const Resolved> store_compiled(
      Backend& backend, const RequestIdentity& identity,
      Result<std::shared_ptr<const CompiledPipeline>> compiled, std::uint64_t compile_us,
      CacheOutcome out);
  MissExplanation explain_absent(const KeyFactors& requested);
  // Puts a copy of `entry` (authenticated under store `from`'s secret) into every writable store
  // before `from`.
  void promote(const Digest& key, std::span<const std::uint8_t> entry, std::size_t from);
  void warn(const Diagnostic& diagnostic) const;
  void deliver(const Diagnostic& diagnostic) const;  // to the sink or stderr, uncounted
  Status save_stats();

  PipelineCacheOptions options_;
  NamedValues environment_;
  MemoryTier memory_;
  std::vector<std::unique_ptr<ByteStore>> stores_;
  std::vector<EntrySecret> secrets_;  // index-aligned with stores_
  FleetLeases* fleet_ = nullptr;      // the first store that elects compilers across processes
  std::unique_ptr<RequestIdentityMemo> memo_;
  std::unique_ptr<DiskIndex> index_;
  std::unique_ptr<TelemetryCounters> counters_;
  SingleFlight<Resolved> flights_;
  std::atomic<JitPolicy> jit_{JitPolicy::Allow};
  std::atomic<std::int64_t> startup_ends_ns_{0};  // steady_clock
  std::mutex stats_mutex_;
  DispatchMetrics dispatches_;
};

}  // namespace vyre::pipeline
