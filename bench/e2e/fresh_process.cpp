// End-to-end harness: what a pipeline costs a FRESH process, which is what a user of `vyre run`
// or of a service that restarts actually pays. Google Benchmark loops inside one process, so it
// cannot measure this; here every sample is a new process (this binary re-executed as a child).
//
// For each backend asked for (default: every available one except the reference):
//   cold            a child with an empty cache dir compiles saxpy (tier compiled)
//   disk hit        N children each open the now-warm cache (its entry aged an hour first, like
//                   a cache warmed yesterday) and obtain saxpy: the time from
//                   PipelineCache::obtain() to a loaded kernel, split into lookup (identity +
//                   disk read + checks) and the backend's load
//                   next_*: then a second program, also a disk hit: what a hit costs once the
//                   process has loaded one pipeline (first-use costs of code already paid)
//   memory hit      in each of those children, obtain() again, averaged over many calls
//   raw load        (cuda) N children each create the backend, then time cuModuleLoadData +
//                   cuModuleGetFunction of the same cubin: the driver's own first-load cost in a
//                   fresh process, the baseline the disk hit is held to
//   paired share    (cuda) each hit's obtain less the raw load of the child run right after it:
//                   vyre's own share of a fresh-process hit, with quartiles and p90
// The disk-hit, breakdown and raw children take turns (one of each per sample).
// Backend start-up (driver init, context creation) is timed apart: it is paid once per process
// whether or not anything is cached. So is parse_us, the child's parse + check of saxpy, which
// includes computing the program digest (check() does that, before the backend starts).
//
//   vyre_e2e_bench [--backends cuda,opencl] [--samples 15]     prints one JSON object
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "vyre/backends/builtin.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"
#include "vyre/pipeline/cache_maintenance.h"
#include "vyre/pipeline/disk_store.h"
#include "vyre/pipeline/entry_format.h"
#include "vyre/pipeline/pipeline_cache.h"
#include "vyre/registry/backend_registry.h"

#if __has_include("vyre/backends/cuda/backend.h")
#include "vyre/backends/cuda/backend.h"
#include "vyre/backends/cuda/driver_api.h"
#include "vyre/backends/cuda/pipeline_format.h"
#define VYRE_E2E_CUDA 1
#endif

namespace {

using namespace vyre;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view kSaxpy = R"(kernel saxpy workgroup(256) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
}
)";

double us_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "vyre_e2e_bench: %s\n", what.c_str());
  std::exit(2);
}

// A second program, obtained after saxpy in the same child: a disk hit in a process that has
// already loaded one pipeline, so its code paths (vyre's and the driver's) are no longer cold.
constexpr std::string_view kScale = R"(kernel scale workgroup(256) {
  param s: f32
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = s * y[i] }
}
)";

ir::Program parse(std::string_view text) {
  auto program = ir::parse_program(text);
  if (!program.ok()) die(render_human(program.error(), {.source = text}));
  return *program;
}

ir::Program saxpy() {
  return parse(kSaxpy);
}

std::shared_ptr<Backend> acquire(const std::string& id) {
  (void)register_builtin_backends(BackendRegistry::global());
  auto backend = BackendRegistry::global().acquire(id);
  if (!backend.ok()) die(id + ": " + backend.error().message);
  return *backend;
}

// Child: open the backend and the cache, obtain saxpy once (timed), then the memory hit.
json child_obtain(const std::string& id, const fs::path& root, const fs::path& dump) {
  const auto parse_start = Clock::now();
  const ir::Program program = saxpy();  // parse + check, which computes the digest
  const double parse_us = us_since(parse_start);
  const auto open_start = Clock::now();
  std::shared_ptr<Backend> backend = acquire(id);
  const double backend_open_us = us_since(open_start);

  pipeline::PipelineCacheOptions options;
  options.root = root;
  options.persist_stats = false;
  const auto cache_start = Clock::now();
  auto cache = pipeline::PipelineCache::open(options);
  const double cache_open_us = us_since(cache_start);
  if (!cache.ok()) die(cache.error().message);

  pipeline::CacheOutcome outcome;
  const auto obtain_start = Clock::now();
  auto pipeline = (*cache)->obtain(*backend, program, {}, &outcome);
  const double obtain_us = us_since(obtain_start);
  if (!pipeline.ok()) die(render_human(pipeline.error()));

  // The next pipeline of this process (compiled by the cold child too, so a disk hit here).
  const ir::Program next = parse(kScale);
  pipeline::CacheOutcome next_outcome;
  const auto next_start = Clock::now();
  if (!(*cache)->obtain(*backend, next, {}, &next_outcome).ok()) die("second program failed");
  const double next_obtain_us = us_since(next_start);

  constexpr int kMemoryHits = 2000;
  const auto memory_start = Clock::now();
  for (int k = 0; k < kMemoryHits; ++k) {
    if (!(*cache)->obtain(*backend, program, {}).ok()) die("memory hit failed");
  }
  const double memory_hit_us = us_since(memory_start) / kMemoryHits;

  if (!dump.empty()) {
    auto bytes = backend->serialize(**pipeline);
    if (!bytes.ok()) die(bytes.error().message);
    std::ofstream(dump, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes->data()),
               static_cast<std::streamsize>(bytes->size()));
  }
  (void)(*cache)->flush();
  return {{"tier", std::string(pipeline::cache_tier_name(outcome.tier))},
          {"parse_us", parse_us},
          {"backend_open_us", backend_open_us},
          {"cache_open_us", cache_open_us},
          {"obtain_us", obtain_us},
          {"lookup_us", outcome.lookup_ms * 1000},
          {"load_us", outcome.load_ms * 1000},
          {"compile_us", outcome.compile_ms * 1000},
          {"memory_hit_us", memory_hit_us},
          {"next_tier", std::string(pipeline::cache_tier_name(next_outcome.tier))},
          {"next_obtain_us", next_obtain_us},
          {"next_lookup_us", next_outcome.lookup_ms * 1000},
          {"next_load_us", next_outcome.load_ms * 1000}};
}

// Child: where a fresh process's lookup goes, step by step (each step warms the next, so these
// are reported apart from the disk-hit samples).
json child_breakdown(const std::string& id, const fs::path& root) {
  const ir::Program program = saxpy();
  std::shared_ptr<Backend> backend = acquire(id);
  pipeline::PipelineCacheOptions options;
  options.root = root;
  options.persist_stats = false;
  auto cache = pipeline::PipelineCache::open(options);
  if (!cache.ok() || (*cache)->disk() == nullptr) die("no disk tier");
  auto start = Clock::now();
  auto factors = (*cache)->key_factors(*backend, program, {});
  const double identify_us = us_since(start);
  const Digest key = factors->key();
  const std::vector<std::uint8_t> expected = pipeline::encode_key_factors(*factors);
  std::array<std::uint8_t, pipeline::kHitScratchBytes> scratch[2];  // as obtain() reads into
  // As obtain() reads a disk hit: the store's get, then the entry authenticated and checked.
  const pipeline::EntrySecret secret = pipeline::secret_of(*(*cache)->disk());
  pipeline::DecodedEntry entries[2];
  auto read_entry = [&](int i) {
    pipeline::StoreRead read = (*cache)->disk()->get(key, scratch[i], true);
    if (read.status != pipeline::StoreStatus::Hit ||
        pipeline::check_entry(read.bytes, key, expected, secret, &entries[i])) {
      die("breakdown: the entry is not on disk");
    }
    return read;
  };
  start = Clock::now();
  pipeline::StoreRead first = read_entry(0);
  const double first_read_us = us_since(start);
  start = Clock::now();
  [[maybe_unused]] pipeline::StoreRead second = read_entry(1);
  const double second_read_us = us_since(start);
  // The backend's load of those bytes, twice: the first pays this process's first-use costs.
  double load_us[2] = {};
  for (double& took : load_us) {
    start = Clock::now();
    auto loaded = backend->load(program, {}, entries[0].payload);
    took = us_since(start);
    if (!loaded.ok()) die(render_human(loaded.error()));
  }
  return {{"first_load_us", load_us[0]},
          {"second_load_us", load_us[1]},
          {"identify_us", identify_us},
          {"first_disk_read_us", first_read_us},
          {"second_disk_read_us", second_read_us},
          {"entry_bytes", first.bytes.size()}};
}

#ifdef VYRE_E2E_CUDA
// Whether this build has the raw-driver child (the CUDA backend is built).
constexpr bool kCudaRawChild = true;
#else
constexpr bool kCudaRawChild = false;
#endif

#ifdef VYRE_E2E_CUDA
// Child: the driver's own cost of loading the cubin vyre cached, first load in this process.
json child_raw_cuda(const fs::path& serialized) {
  std::ifstream in(serialized, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  auto image = cuda::decode_cubin_image(bytes);
  if (!image.ok()) die(image.error().message);
  const auto open_start = Clock::now();
  auto backend = cuda::CudaBackend::create();
  const double backend_open_us = us_since(open_start);
  if (!backend.ok()) die(backend.error().message);
  auto raw = (*backend)->raw_handles();
  if (!raw.ok()) die(raw.error().message);
  const cuda::DriverApi& api = *raw->api;
  double load_us[2] = {};  // the first pays this process's first-use costs
  for (double& took : load_us) {
    CUmodule module = nullptr;
    CUfunction function = nullptr;
    const auto start = Clock::now();
    if (api.module_load_data(&module, image->cubin.data()) != CUDA_SUCCESS) die("cuModuleLoadData");
    if (api.module_get_function(&function, module, image->entry.c_str()) != CUDA_SUCCESS) {
      die("cuModuleGetFunction");
    }
    took = us_since(start);
    api.module_unload(module);
  }
  return {{"backend_open_us", backend_open_us},
          {"load_us", load_us[0]},
          {"second_load_us", load_us[1]}};
}
#endif

// Runs this binary with `args` and parses the JSON line it prints.
json spawn(const std::vector<std::string>& args) {
  std::string command = fmt::format("'{}'", fs::read_symlink("/proc/self/exe").string());
  for (const std::string& arg : args) command += fmt::format(" '{}'", arg);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) die("popen failed");
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  if (::pclose(pipe) != 0) die("child failed: " + command);
  return json::parse(out);
}

// Sets every cache entry's modification time an hour back.
void age_entries(const fs::path& root) {
  const auto hour_ago = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& file : fs::recursive_directory_iterator(root)) {
    if (file.is_regular_file() && file.path().extension() == ".bin") {
      fs::last_write_time(file.path(), hour_ago);
    }
  }
}

// The q-quantile (0..1) of `sorted`, nearest rank: at q = 0.5 the upper median.
double nearest_rank(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

// Field `name` of every sample, sorted.
std::vector<double> sorted_field(const std::vector<json>& samples, const std::string& name) {
  std::vector<double> out;
  for (const json& s : samples) out.push_back(s.at(name).get<double>());
  std::sort(out.begin(), out.end());
  return out;
}

// How sorted values spread: min, quartiles, p90 and max (a shared host's tail shows here).
json spread(const std::vector<double>& sorted) {
  auto at = [&](double q) { return nearest_rank(sorted, q); };
  return {{"min", at(0)},    {"p25", at(0.25)}, {"median", at(0.5)},
          {"p75", at(0.75)}, {"p90", at(0.9)},  {"max", at(1)}};
}

// Medians and minima over samples of every numeric field.
json summarise(const std::vector<json>& samples) {
  json out{{"samples", samples.size()}};
  for (const auto& [name, value] : samples.front().items()) {
    if (!value.is_number()) continue;
    const std::vector<double> values = sorted_field(samples, name);
    out["median_" + name] = nearest_rank(values, 0.5);
    out["min_" + name] = values.front();
  }
  return out;
}

json measure(const std::string& id, int samples) {
  const fs::path root = fs::temp_directory_path() / fmt::format("vyre-e2e-{}-{}", ::getpid(), id);
  fs::remove_all(root);
  const fs::path serialized = root.string() + ".bytes";
  json result{{"backend", id}, {"program", "saxpy"}};
  result["cold"] = spawn({"--child", "obtain", id, root.string(), serialized.string()});
  // The three kinds of child take turns, so a host whose speed drifts during the run (shared
  // machines do) weighs on the disk hit and on its raw-load baseline alike.
  const bool raw_baseline = kCudaRawChild && id == "cuda";
  std::vector<json> hits;
  std::vector<json> steps;
  std::vector<json> raws;
  for (int k = 0; k < samples; ++k) {
    age_entries(root);  // as a cache warmed yesterday: each hit also owes an LRU refresh
    hits.push_back(spawn({"--child", "obtain", id, root.string()}));
    const json& hit = hits.back();
    if (hit.at("tier") != "disk" || hit.at("next_tier") != "disk") {
      die(id + ": a warm child did not hit the disk tier");
    }
    steps.push_back(spawn({"--child", "breakdown", id, root.string()}));
    if (raw_baseline) raws.push_back(spawn({"--child", "raw", serialized.string()}));
  }
  result["disk_hit_fresh_process"] = summarise(hits);
  result["disk_hit_fresh_process"]["obtain_us_spread"] = spread(sorted_field(hits, "obtain_us"));
  result["lookup_breakdown_fresh_process"] = summarise(steps);
  if (raw_baseline) {
    result["raw_first_load_fresh_process"] = summarise(raws);
    result["raw_first_load_fresh_process"]["load_us_spread"] =
        spread(sorted_field(raws, "load_us"));
    // vyre's own share of a hit (BRIEF: at most 50 us): each hit less the raw load run right
    // after it, so a host that drifts during the run weighs on both sides of the difference.
    std::vector<double> share;
    for (std::size_t k = 0; k < hits.size(); ++k) {
      share.push_back(hits[k].at("obtain_us").get<double>() - raws[k].at("load_us").get<double>());
    }
    std::sort(share.begin(), share.end());
    result["obtain_minus_raw_load_paired_us"] = spread(share);
  }
  fs::remove_all(root);
  fs::remove(serialized);
  return result;
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2 && args[0] == "--child") {
    json out;
    if (args[1] == "obtain" && args.size() >= 4) {
      out = child_obtain(args[2], args[3], args.size() >= 5 ? fs::path(args[4]) : fs::path());
    } else if (args[1] == "breakdown" && args.size() == 4) {
      out = child_breakdown(args[2], args[3]);
#ifdef VYRE_E2E_CUDA
    } else if (args[1] == "raw" && args.size() == 3) {
      out = child_raw_cuda(args[2]);
#endif
    } else {
      die("bad child arguments");
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }

  std::vector<std::string> backends;
  int samples = 15;
  for (std::size_t k = 0; k < args.size(); ++k) {
    if (args[k] == "--backends" && k + 1 < args.size()) {
      backends = split(args[++k]);
    } else if (args[k] == "--samples" && k + 1 < args.size()) {
      samples = std::max(1, std::stoi(args[++k]));
    } else {
      die("usage: vyre_e2e_bench [--backends cuda,opencl] [--samples N]");
    }
  }
  (void)register_builtin_backends(BackendRegistry::global());
  json report{{"harness", "vyre_e2e_bench"}, {"samples", samples}};
  json skipped = json::array();
  if (backends.empty()) {
    for (const auto& entry : BackendRegistry::global().list()) {
      if (entry.id == "reference") continue;
      if (entry.available) {
        backends.push_back(entry.id);
      } else {
        const std::string why = entry.why_unavailable ? entry.why_unavailable->message : "";
        skipped.push_back({{"backend", entry.id}, {"why", why}});
      }
    }
  }
  report["skipped"] = skipped;
  json results = json::array();
  for (const std::string& id : backends) results.push_back(measure(id, samples));
  report["results"] = results;
  std::printf("%s\n", report.dump(2).c_str());
  return 0;
}
