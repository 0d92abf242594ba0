// The reference backend's data-race detector (docs/IR.md section 8) costs time on every plain
// load and store: reference dispatches of a streaming kernel, a shared-memory reduction and a
// tiled matmul, each with the detector on and off. Figures are in docs/PERFORMANCE.md.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>

#include "vyre/backends/reference.h"
#include "vyre/ir/text.h"
#include "vyre/runtime/inputs.h"
#include "vyre/runtime/launch.h"

namespace vyre {
namespace {

constexpr const char* kSaxpy = R"(kernel saxpy workgroup(256) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
})";

constexpr const char* kReduce = R"(kernel reduce workgroup(256) {
  buffer x: read f32[n]
  buffer out: write f32[n]
  shared t: f32[256]
  let lid = local_id.x
  t[lid] = x[global_id.x]
  barrier()
  for s in 0u..8u {
    let stride = 128u >> s
    if lid < stride {
      t[lid] += t[lid + stride]
    }
    barrier()
  }
  if lid == 0u { out[group_id.x] = t[0u] }
})";

// examples/matmul.vy without its comments: 16 x 16 tiles staged in shared memory.
constexpr const char* kMatmul = R"(kernel matmul workgroup(16, 16) dispatch(n, m) {
  buffer a: read f32[m*k]
  buffer b: read f32[k*n]
  buffer c: write f32[m*n]
  shared tile_a: f32[256]
  shared tile_b: f32[256]
  let col = global_id.x
  let row = global_id.y
  let tx = local_id.x
  let ty = local_id.y
  var acc = 0.0
  for t in 0u..(k + 15u) / 16u {
    var a_value = 0.0
    if row < m && t * 16u + tx < k { a_value = a[row * k + t * 16u + tx] }
    var b_value = 0.0
    if t * 16u + ty < k && col < n { b_value = b[(t * 16u + ty) * n + col] }
    tile_a[ty * 16u + tx] = a_value
    tile_b[ty * 16u + tx] = b_value
    barrier()
    for j in 0u..16u {
      acc += tile_a[ty * 16u + j] * tile_b[j * 16u + tx]
    }
    barrier()
  }
  if row < m && col < n { c[row * n + col] = acc }
})";

struct Prepared {
  std::shared_ptr<Backend> backend;
  std::shared_ptr<const CompiledPipeline> pipeline;
  Bindings bindings;
  LaunchGeometry geometry;
};

Prepared prepare(const std::string& source, RunInputs inputs, bool detect,
                 std::map<std::string, std::uint64_t> sizes = {}) {
  auto program = ir::parse_program(source);
  if (!program) std::abort();
  ReferenceOptions options;
  options.detect_races = detect;
  Prepared p;
  p.backend = make_reference_backend(options);
  DispatchConfig config;
  config.sizes = std::move(sizes);
  auto pipeline = p.backend->compile(*program, config);
  auto bindings = bind_inputs(*program, std::move(inputs), config);
  if (!pipeline || !bindings) std::abort();
  p.pipeline = *pipeline;
  p.bindings = std::move(*bindings);
  auto geometry = derive_geometry(*program, (*pipeline)->workgroup(), p.bindings.sizes, config);
  if (!geometry) std::abort();
  p.geometry = *geometry;
  return p;
}

void run(benchmark::State& state, Prepared p, std::uint64_t elements) {
  const DispatchConfig config;
  for (auto _ : state) {
    Bindings bindings = p.bindings;
    if (!p.backend->dispatch(*p.pipeline, bindings, p.geometry, config)) {
      state.SkipWithError("dispatch failed");
      return;
    }
    benchmark::DoNotOptimize(bindings.buffers.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * elements));
}

RunInputs floats(std::initializer_list<std::pair<const char*, std::size_t>> buffers) {
  RunInputs in;
  for (const auto& [name, n] : buffers) {
    in.buffers[name] = HostBuffer::of(ir::Type::F32, std::vector<float>(n, 0.5f));
  }
  return in;
}

void BM_ReferenceSaxpy(benchmark::State& state) {
  const std::size_t n = 1 << 18;
  RunInputs in = floats({{"x", n}, {"y", n}});
  in.params["a"] = Scalar::f32(2.0f);
  run(state, prepare(kSaxpy, std::move(in), state.range(0) != 0), n);
}

void BM_ReferenceReduction(benchmark::State& state) {
  const std::size_t n = 1 << 16;
  run(state, prepare(kReduce, floats({{"x", n}}), state.range(0) != 0), n);
}

void BM_ReferenceMatmul(benchmark::State& state) {
  const std::uint64_t m = 64, k = 64, n = 64;
  run(state,
      prepare(kMatmul, floats({{"a", m * k}, {"b", k * n}}), state.range(0) != 0,
              {{"m", m}, {"n", n}, {"k", k}}),
      m * n);
}

// Argument: 1 = race detection on, 0 = off.
BENCHMARK(BM_ReferenceSaxpy)->ArgName("races")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReferenceReduction)->ArgName("races")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReferenceMatmul)->ArgName("races")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vyre

BENCHMARK_MAIN();
