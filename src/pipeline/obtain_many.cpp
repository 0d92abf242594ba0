// PipelineCache::obtain_many: obtain() for a batch. Each program goes through the same steps
// (identity -> memory tier -> single-flight -> disk tier -> miss classification and JIT policy);
// the programs left to compile go to one Backend::compile_many, and each result is stored as
// obtain() stores it. Flights this call leads are finished before it waits for flights other
// threads lead, so two overlapping batches cannot wait for each other. The fleet (fleet_lease.h)
// is asked the same way: without waiting while the batch forms, and, for keys another process
// holds, with waiting only once the batch's own compiles are stored and their leases released.
#include <algorithm>

#include "elapsed.h"
#include "request_identity.h"
#include "resolved.h"
#include "telemetry_counters.h"
#include "vyre/pipeline/pipeline_cache.h"

namespace vyre::pipeline {
namespace {

using PipelineResult = Result<std::shared_ptr<const CompiledPipeline>>;

}  // namespace

std::vector<PipelineResult> PipelineCache::obtain_many(Backend& backend,
                                                       std::span<const ir::Program* const> programs,
                                                       const DispatchConfig& config,
                                                       std::vector<CacheOutcome>* outcomes) {
  const std::size_t n = programs.size();
  std::vector<std::shared_ptr<const Resolved>> resolved(n);
  struct Led {  // a flight this call leads whose program must be compiled
    std::size_t index;
    std::shared_ptr<const RequestIdentity> identity;
    std::shared_ptr<SingleFlight<Resolved>::Flight> flight;
    CacheOutcome outcome;
    FleetTurn turn;
    Clock::time_point start;
  };
  struct Joined {  // a flight another caller (or an earlier duplicate in this batch) leads
    std::size_t index;
    std::shared_ptr<SingleFlight<Resolved>::Flight> flight;
    Clock::time_point start;
  };
  std::vector<Led> to_compile;
  std::vector<Led> fleet_busy;  // another process is compiling these: wait after our compiles
  std::vector<Joined> joined;

  for (std::size_t i = 0; i < n; ++i) {
    const Clock::time_point start = Clock::now();
    const ir::Program& program = *programs[i];
    std::shared_ptr<const RequestIdentity> identity = identify(backend, program, config);
    CacheOutcome hit_outcome;
    if (auto hit = memory_hit(backend, *identity, start, &hit_outcome)) {
      resolved[i] = std::make_shared<const Resolved>(Resolved{std::move(hit), hit_outcome});
      continue;
    }
    bool leader = false;
    auto flight = flights_.join(identity->key, &leader);
    if (!leader) {
      joined.push_back({i, std::move(flight), start});
      continue;
    }
    CacheOutcome out;
    FleetTurn turn = FleetTurn::Compile;
    if (auto served =
            resolve_cached(backend, program, config, *identity, start, out, &turn, FleetWait::No)) {
      flights_.finish(identity->key, flight, served);
      resolved[i] = std::move(served);
      continue;
    }
    Led led{i, std::move(identity), std::move(flight), std::move(out), turn, start};
    (turn == FleetTurn::Busy ? fleet_busy : to_compile).push_back(std::move(led));
  }

  if (!to_compile.empty()) {
    std::vector<const ir::Program*> batch;
    batch.reserve(to_compile.size());
    for (const Led& led : to_compile) batch.push_back(programs[led.index]);
    const Clock::time_point compile_start = Clock::now();
    std::vector<PipelineResult> compiled = backend.compile_many(batch, config);
    const std::uint64_t share_us = micros_since(compile_start) / batch.size();
    for (std::size_t k = 0; k < to_compile.size(); ++k) {
      Led& led = to_compile[k];
      led.outcome.batch_size = static_cast<std::uint32_t>(batch.size());
      // A backend that answers for fewer programs than asked: compile the rest one by one.
      PipelineResult result =
          k < compiled.size() ? std::move(compiled[k]) : backend.compile(*batch[k], config);
      auto done = store_compiled(backend, *led.identity, std::move(result), share_us, led.outcome);
      if (led.turn == FleetTurn::Leader) fleet_->finished(led.identity->key);  // put is queued
      flights_.finish(led.identity->key, led.flight, done);
      resolved[led.index] = std::move(done);
    }
  }

  // This call holds no fleet lease now: wait for the other processes' entries as obtain() does.
  for (Led& led : fleet_busy) {
    auto done = resolve_miss(backend, *programs[led.index], config, *led.identity, led.start);
    flights_.finish(led.identity->key, led.flight, done);
    resolved[led.index] = std::move(done);
  }

  for (Joined& j : joined) {
    auto done = SingleFlight<Resolved>::wait(*j.flight);
    TelemetryCounters::add(counters_->coalesced);
    CacheOutcome out = done->outcome;
    out.coalesced = true;
    out.lookup_ms = ms_between(j.start, Clock::now());
    resolved[j.index] = std::make_shared<const Resolved>(Resolved{done->result, std::move(out)});
  }

  std::vector<PipelineResult> results;
  results.reserve(n);
  if (outcomes != nullptr) {
    outcomes->clear();
    outcomes->reserve(n);
  }
  for (const auto& r : resolved) {
    results.push_back(r->result);
    if (outcomes != nullptr) outcomes->push_back(r->outcome);
  }
  return results;
}

}  // namespace vyre::pipeline
