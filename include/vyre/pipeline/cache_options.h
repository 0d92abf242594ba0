// How a PipelineCache is configured: where its disk tier lives, its bounds, the JIT policy and
// where its warnings go. from_environment() reads the VYRE_* variables of environment.h; a bad
// value is an error diagnostic naming the variable, never a silent default.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <vector>

#include "vyre/diag/result.h"
#include "vyre/pipeline/byte_store.h"
#include "vyre/pipeline/disk_store.h"
#include "vyre/pipeline/jit_policy.h"

namespace vyre::pipeline {

// Receives the JSON reproducibility manifest of every pipeline the cache compiles.
using ManifestSink = std::function<void(const std::string& manifest_json)>;

inline constexpr std::size_t kDefaultMemoryEntries = 1024;
inline constexpr std::uint64_t kDefaultMemoryBytes = 256ull << 20;

struct PipelineCacheOptions {
  // Disk tier root; empty means memory-only. from_environment() fills it from VYRE_CACHE_DIR,
  // $XDG_CACHE_HOME/vyre/pipelines or ~/.cache/vyre/pipelines.
  // The disk store's row is made from it (with disk_max_bytes, orphan_age, touch_granularity)
  // and put first in the chain when `stores` has no row named "disk".
  std::filesystem::path root;
  // The chain of byte stores after the memory tier, asked in order (byte_store.h); one row per
  // store. from_environment() adds a "pack" row per VYRE_CACHE_PACKS folder.
  std::vector<StoreOptions> stores;
  // VYRE_CACHE_READONLY: hits are served silently, nothing is written, nothing warned about.
  bool read_only = false;
  // VYRE_CACHE_DISABLE: no store at all (the memory tier only), whatever `root` says.
  bool disabled = false;
  std::size_t memory_max_entries = kDefaultMemoryEntries;  // VYRE_PIPELINE_CACHE_ENTRIES
  std::uint64_t memory_max_bytes = kDefaultMemoryBytes;    // VYRE_PIPELINE_CACHE_BYTES
  std::uint64_t disk_max_bytes = kDefaultDiskBytes;        // VYRE_CACHE_MAX_BYTES
  JitPolicy jit = JitPolicy::Allow;                        // VYRE_JIT
  // Under JitPolicy::Warn, compiles within this long after open() (or before end_startup())
  // are expected warm-up and not reported. Zero: every compile is reported.
  std::chrono::milliseconds jit_startup_grace{0};
  // Temp files of live writers older than this are orphans too (dead writers' go at once).
  std::chrono::seconds orphan_age{3600};
  // A disk hit refreshes the entry's mtime (its LRU age) only if older than this.
  std::chrono::seconds touch_granularity{60};
  // The disk index used to classify misses is re-read when older than this.
  std::chrono::seconds index_refresh{10};
  // Without a writable disk tier, still serialize each compiled pipeline, only to charge the
  // memory tier its size. Off: such entries are charged a flat 256 bytes and serialize() is not
  // called (on PoCL it compiles every kernel of the cl_program, ~0.2 s each): for short-lived
  // memory-only caches of many one-off pipelines, such as `vyre fuzz`'s.
  bool size_memory_entries = true;
  // Write cumulative counters to <root>/stats.json on flush() and when the cache closes.
  bool persist_stats = true;
  DiagnosticSink warning_sink;  // empty: warnings are rendered to stderr
  ManifestSink manifest_sink;   // empty: manifests are not produced

  // Defaults overlaid with the environment. Fails (VY5001) on a malformed VYRE_* value.
  static Result<PipelineCacheOptions> from_environment();
};

// The disk tier root the environment selects: VYRE_CACHE_DIR, else
// $XDG_CACHE_HOME/vyre/pipelines, else $HOME/.cache/vyre/pipelines; empty when none is set.
std::filesystem::path default_cache_root();

// One read-only "pack" row ("pack", "pack.1", ...) per ':'-separated folder: DiskStores that never
// write, authenticated with the public pack secret, whose folders may belong to root.
std::vector<StoreOptions> pack_rows(std::string_view folders);

// A byte or count setting: decimal digits with an optional K, M, G or T suffix (powers of 1024,
// an optional trailing "iB" or "B" allowed). `variable` names the setting in the VY5001 error.
Result<std::uint64_t> parse_size_setting(std::string_view variable, std::string_view text);

}  // namespace vyre::pipeline
