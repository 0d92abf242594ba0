// The pipeline cache's and the runtime's dispatch counters as Prometheus metrics (text exposition
// format 0.0.4). `vyre cache stats --prometheus` exports the stats file's totals (every process
// that used the folder); an embedder exports its own process's with
// `prometheus_metrics(cache->totals())` (PipelineCache::totals) and serves the text on /metrics.
//
// Families: vyre_cache_hits_total{tier} (memory, or a store's name), vyre_cache_misses_total
// {reason}, vyre_cache_compiles_total, vyre_cache_compile_saved_seconds_total, the histograms
// vyre_cache_compile_seconds and vyre_cache_load_seconds, per store vyre_cache_store_<counter>
// _total{store} for each StoreCounter plus served and promoted, the stores' extra blocks as
// vyre_cache_store_extra_total{store,counter} and vyre_cache_store_extra_max{store,counter}, and
// per backend vyre_dispatches_total, vyre_dispatch_failures_total, vyre_dispatch_bytes_total
// {direction} and the histogram vyre_dispatch_seconds.
#pragma once

#include <string>

#include "vyre/pipeline/stats_file.h"

namespace vyre::pipeline {

std::string prometheus_metrics(const PersistedStats& stats);

}  // namespace vyre::pipeline
