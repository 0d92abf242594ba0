#include "vyre/pipeline/cache_metrics.h"

#include "vyre/pipeline/prometheus_text.h"

namespace vyre::pipeline {
namespace {

using Labels = PrometheusText::Labels;

void cache_families(PrometheusText& p, const PersistedStats& s) {
  p.family("vyre_cache_hits_total", MetricType::Counter,
           "Pipelines served from the cache, by tier (memory, or the store that served it).");
  p.sample({{"tier", "memory"}}, s.memory_hits);
  for (const auto& [name, row] : s.stores) p.sample({{"tier", name}}, row.served);

  p.family("vyre_cache_misses_total", MetricType::Counter,
           "Requests the cache could not serve, by miss reason (each led to a compile).");
  for (MissReason reason : kMissReasons) {
    p.sample({{"reason", std::string(metric_name(reason))}},
             s.misses[static_cast<std::size_t>(reason)]);
  }
  p.family("vyre_cache_compiles_total", MetricType::Counter, "Pipelines compiled.");
  p.sample({}, s.compiles);
  p.family("vyre_cache_compile_saved_seconds_total", MetricType::Counter,
           "Recorded compile time of the entries served from stores, once per entry and process.");
  p.sample({}, static_cast<double>(s.compile_us_saved) / 1e6);
  p.family("vyre_cache_compile_seconds", MetricType::Histogram, "Compile time per pipeline.");
  p.histogram({}, s.compile_time);
  p.family("vyre_cache_load_seconds", MetricType::Histogram,
           "Time the backend took to load a pipeline served from a store.");
  p.histogram({}, s.load_time);
}

void store_families(PrometheusText& p, const PersistedStats& s) {
  for (std::size_t i = 0; i < kStoreCounterCount; ++i) {
    const auto counter = static_cast<StoreCounter>(i);
    const std::string name =
        "vyre_cache_store_" + std::string(store_counter_name(counter)) + "_total";
    p.family(name, MetricType::Counter,
             "Store counter '" + std::string(store_counter_name(counter)) + "', by store.");
    for (const auto& [store, row] : s.stores) p.sample({{"store", store}}, row.counters[counter]);
  }
  p.family("vyre_cache_store_served_total", MetricType::Counter,
           "Pipelines a store's bytes produced (authenticated and loaded).");
  for (const auto& [store, row] : s.stores) p.sample({{"store", store}}, row.served);
  p.family("vyre_cache_store_promoted_total", MetricType::Counter,
           "Entries put into a store because a later store of the chain had them.");
  for (const auto& [store, row] : s.stores) p.sample({{"store", store}}, row.promoted);
  p.family("vyre_cache_store_extra_total", MetricType::Counter,
           "A store's own counters beyond the common table (the Redis store: refusals by "
           "reason, errors, GETs, fleet turns).");
  for (const auto& [store, row] : s.stores) {
    for (const auto& [counter, value] : row.extra.sums) {
      p.sample({{"store", store}, {"counter", counter}}, value);
    }
  }
  p.family("vyre_cache_store_extra_max", MetricType::Gauge,
           "A store's own maxima (the Redis store: the slowest GET in microseconds).");
  for (const auto& [store, row] : s.stores) {
    for (const auto& [counter, value] : row.extra.maxima) {
      p.sample({{"store", store}, {"counter", counter}}, value);
    }
  }
}

void dispatch_families(PrometheusText& p, const PersistedStats& s) {
  p.family("vyre_dispatches_total", MetricType::Counter, "Dispatches completed, by backend.");
  for (const auto& [backend, t] : s.dispatches) p.sample({{"backend", backend}}, t.dispatches);
  p.family("vyre_dispatch_failures_total", MetricType::Counter,
           "Dispatches that ended in an error, by backend.");
  for (const auto& [backend, t] : s.dispatches) p.sample({{"backend", backend}}, t.failures);
  p.family("vyre_dispatch_bytes_total", MetricType::Counter,
           "Bytes moved between host and device by dispatches, by backend and direction.");
  for (const auto& [backend, t] : s.dispatches) {
    p.sample({{"backend", backend}, {"direction", "to_device"}}, t.bytes_to_device);
    p.sample({{"backend", backend}, {"direction", "from_device"}}, t.bytes_from_device);
  }
  p.family("vyre_dispatch_seconds", MetricType::Histogram,
           "Time per dispatch: device time where measured apart, else from the dispatch's start "
           "until its completion was observed (transfers included).");
  for (const auto& [backend, t] : s.dispatches) p.histogram({{"backend", backend}}, t.device_time);
}

}  // namespace

std::string prometheus_metrics(const PersistedStats& stats) {
  PrometheusText p;
  cache_families(p, stats);
  store_families(p, stats);
  dispatch_families(p, stats);
  return p.text();
}

}  // namespace vyre::pipeline
