// Pipeline cache costs with the FakeBackend (so only the cache is measured): key computation,
// a memory-tier hit (for small and large programs: it must not depend on program size), and a
// disk-tier hit in a fresh cache object over a warm folder (a fresh process's first request).
#include <benchmark/benchmark.h>

#include "../tests/pipeline/fake_backend.h"
#include "vyre/ir/encoding.h"
#include "vyre/pipeline/pipeline_cache.h"

namespace {

using namespace vyre;
using namespace vyre::pipeline;
using namespace vyre::pipeline::testing;

PipelineCacheOptions bench_options(const std::filesystem::path& root) {
  PipelineCacheOptions options;  // defaults, as a deployment would have them
  options.root = root;
  options.persist_stats = false;
  options.warning_sink = [](const Diagnostic&) {};
  return options;
}

// Full derivation of the 32-byte key from scratch (what the first request of a key pays).
void BM_KeyComputation(benchmark::State& state) {
  FakeBackend backend;
  ir::Program program = make_program(1, static_cast<std::size_t>(state.range(0)));
  (void)program.digest();
  DispatchConfig config;
  NamedValues env = generated_code_environment();
  for (auto _ : state) {
    KeyFactors factors = make_key_factors(backend, program, config, env);
    benchmark::DoNotOptimize(factors.key());
  }
}
BENCHMARK(BM_KeyComputation)->Arg(1)->Arg(10000);

// A program decoded from its Full encoding: the decoder, then check(), which gives the Program
// its digest. For programs of 1 and 10000 statements.
void BM_DecodeProgram(benchmark::State& state) {
  const std::vector<std::uint8_t> bytes =
      ir::encode_program(make_program(1, static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) benchmark::DoNotOptimize(ir::decode_program(bytes));
}
BENCHMARK(BM_DecodeProgram)->Arg(1)->Arg(10000);

// The memoised identity lookup every request pays (hashes small fixed fields, no BLAKE3).
void BM_KeyMemoised(benchmark::State& state) {
  TempDir dir;
  FakeBackend backend;
  ir::Program program = make_program(1, static_cast<std::size_t>(state.range(0)));
  auto cache = open_cache(bench_options(dir.path()));
  DispatchConfig config;
  for (auto _ : state) benchmark::DoNotOptimize(cache->key_factors(backend, program, config));
}
BENCHMARK(BM_KeyMemoised)->Arg(1)->Arg(10000);

void BM_MemoryHit(benchmark::State& state) {
  TempDir dir;
  FakeBackend backend;
  ir::Program program = make_program(1, static_cast<std::size_t>(state.range(0)));
  auto cache = open_cache(bench_options(dir.path()));
  DispatchConfig config;
  CacheOutcome outcome;
  if (!cache->obtain(backend, program, config).ok()) state.SkipWithError("compile failed");
  for (auto _ : state) {
    auto pipeline = cache->obtain(backend, program, config, &outcome);
    benchmark::DoNotOptimize(pipeline);
  }
  if (outcome.tier != CacheTier::Memory) state.SkipWithError("not a memory hit");
  state.counters["program_statements"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_MemoryHit)->Arg(1)->Arg(1000)->Arg(10000);

void BM_MemoryHitThreads(benchmark::State& state) {
  static TempDir* dir = nullptr;
  static FakeBackend* backend = nullptr;
  static std::shared_ptr<PipelineCache> cache;
  static ir::Program* program = nullptr;
  if (state.thread_index() == 0) {
    dir = new TempDir;
    backend = new FakeBackend;
    program = new ir::Program(make_program(1));
    cache = open_cache(bench_options(dir->path()));
    (void)cache->obtain(*backend, *program, {});
  }
  for (auto _ : state) benchmark::DoNotOptimize(cache->obtain(*backend, *program, {}));
  if (state.thread_index() == 0) {
    cache.reset();
    delete program;
    delete backend;
    delete dir;
  }
}
BENCHMARK(BM_MemoryHitThreads)->Threads(1)->Threads(2)->Threads(4);

// Disk hit in a fresh PipelineCache (cold memory tier, empty identity memo) over a warm folder.
// Opening the cache is outside the timed region; the FakeBackend's load is a byte comparison,
// measured alone by BM_FakeBackendLoad, so the difference is what the cache adds.
void BM_DiskHitFreshCache(benchmark::State& state) {
  TempDir dir;
  FakeBackend backend;
  backend.payload_bytes = static_cast<std::size_t>(state.range(0));
  ir::Program program = make_program(1);
  DispatchConfig config;
  open_cache(bench_options(dir.path()))->obtain(backend, program, config).value();
  CacheOutcome outcome;
  for (auto _ : state) {
    state.PauseTiming();
    auto cache = open_cache(bench_options(dir.path()));
    state.ResumeTiming();
    auto pipeline = cache->obtain(backend, program, config, &outcome);
    benchmark::DoNotOptimize(pipeline);
    state.PauseTiming();
    if (outcome.tier != CacheTier::Disk) state.SkipWithError("not a disk hit");
    cache.reset();
    state.ResumeTiming();
  }
  state.counters["payload_bytes"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_DiskHitFreshCache)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20)->UseRealTime();

void BM_FakeBackendLoad(benchmark::State& state) {
  FakeBackend backend;
  backend.payload_bytes = static_cast<std::size_t>(state.range(0));
  ir::Program program = make_program(1);
  std::string bytes = backend.expected_bytes(program, {});
  std::vector<std::uint8_t> payload(bytes.begin(), bytes.end());
  for (auto _ : state) benchmark::DoNotOptimize(backend.load(program, {}, payload));
}
BENCHMARK(BM_FakeBackendLoad)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);

void BM_OpenCache(benchmark::State& state) {
  TempDir dir;
  FakeBackend backend;
  for (std::uint32_t v = 0; v < 64; ++v) {
    (void)open_cache(bench_options(dir.path()))->obtain(backend, make_program(v), {});
  }
  for (auto _ : state) benchmark::DoNotOptimize(open_cache(bench_options(dir.path())));
}
BENCHMARK(BM_OpenCache);

}  // namespace

BENCHMARK_MAIN();
