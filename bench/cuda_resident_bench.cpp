// Resident-buffer CUDA benchmarks: vyre's device buffers, prepared kernels, recorded graphs and
// staged transfers, each next to its raw CUDA anchor, which launches the very kernel vyre
// generated (compiled by vyre's CUDA backend, taken from the pipeline). Without a GPU every case
// reports "no CUDA device". scripts/device.sh runs this with repetitions in random order and
// prints the medians side by side (bench/resident_figures.py).
//
//   Raw/LaunchSync        cuLaunchKernel(saxpy, 1,000 elements) + cuStreamSynchronize
//   Raw/GraphReplay       cuGraphLaunch of a 100-node graph of that kernel + sync (per_kernel_us)
//   Raw/MemcpyPinned*     cuMemcpy{HtoD,DtoH}Async of 64 MiB from/to pinned host memory + sync
//   Raw/Heat4096          1000 steps of the heat stencil, ping-pong, then sync (step_us)
//   Vyre/...              the same work through vyre (see the second half of this file)
#include <benchmark/benchmark.h>

#if __has_include("vyre/backends/cuda/backend.h")
#include "cuda_resident_support.h"

namespace {

using namespace vyre;
using namespace vyre::bench;

// Device state for the raw anchors, made once per process in the backend's context. The raw
// side uses its own stream, so nothing vyre queued is waited for in its loops.
struct RawState {
  const cuda::DriverApi* api = nullptr;
  CUstream stream = nullptr;
  CUfunction saxpy = nullptr;
  CUfunction heat = nullptr;
  ir::Program saxpy_program = parse_or_abort(kSaxpy, "saxpy.vy");
  ir::Program heat_program = bench::heat_program();
  std::shared_ptr<const CompiledPipeline> saxpy_pipeline;
  std::shared_ptr<const CompiledPipeline> heat_pipeline;
  CUdeviceptr x = 0, y = 0;              // saxpy, kLaunchElements each
  CUdeviceptr grid[2] = {0, 0};          // heat, kHeatSide^2 each
  CUdeviceptr transfer_device = 0;       // kTransferBytes
  void* transfer_host = nullptr;         // kTransferBytes, pinned
  std::unique_ptr<RawArgs> saxpy_args;
  std::unique_ptr<RawArgs> heat_args[2];  // step k reads grid[k % 2], writes the other
  std::string error;

  RawState() {
    auto& backend = *cuda_setup().backend;
    auto saxpy_compiled = backend.compile(saxpy_program, {});
    auto heat_compiled = backend.compile(heat_program, {});
    if (!saxpy_compiled.ok() || !heat_compiled.ok()) {
      error = "compile failed: " + (saxpy_compiled.ok() ? heat_compiled.error().message
                                                         : saxpy_compiled.error().message);
      return;
    }
    saxpy_pipeline = *saxpy_compiled;
    heat_pipeline = *heat_compiled;
    auto saxpy_raw = backend.raw_handles(saxpy_pipeline.get());
    auto heat_raw = backend.raw_handles(heat_pipeline.get());
    if (!saxpy_raw.ok() || !heat_raw.ok()) {
      error = "raw handles: " + (saxpy_raw.ok() ? heat_raw.error().message
                                                : saxpy_raw.error().message);
      return;
    }
    api = saxpy_raw->api;
    saxpy = saxpy_raw->function;
    heat = heat_raw->function;
    const std::size_t grid_bytes = std::size_t{kHeatSide} * kHeatSide * sizeof(float);
    bool ok = api->stream_create(&stream, CU_STREAM_NON_BLOCKING) == CUDA_SUCCESS &&
              api->mem_alloc(&x, kLaunchElements * sizeof(float)) == CUDA_SUCCESS &&
              api->mem_alloc(&y, kLaunchElements * sizeof(float)) == CUDA_SUCCESS &&
              api->mem_alloc(&grid[0], grid_bytes) == CUDA_SUCCESS &&
              api->mem_alloc(&grid[1], grid_bytes) == CUDA_SUCCESS &&
              api->mem_alloc(&transfer_device, kTransferBytes) == CUDA_SUCCESS &&
              api->mem_host_alloc(&transfer_host, kTransferBytes, 0) == CUDA_SUCCESS;
    if (!ok) {
      error = "could not allocate the raw benchmarks' memory";
      return;
    }
    // 1.0f everywhere in the grid, a hot row in the middle: bytes that are not all zero.
    api->memset_d32_async(grid[0], 0x3f800000u, std::size_t{kHeatSide} * kHeatSide, stream);
    api->memset_d32_async(grid[0] + std::size_t{kHeatSide / 2} * kHeatSide * sizeof(float),
                          0x42c80000u /* 100.0f */, kHeatSide, stream);
    api->memcpy_dtod_async(grid[1], grid[0], grid_bytes, stream);
    api->memset_d32_async(x, 0x3f800000u, kLaunchElements, stream);
    api->memset_d32_async(y, 0, kLaunchElements, stream);
    std::memset(transfer_host, 1, kTransferBytes);
    api->stream_synchronize(stream);

    saxpy_args = std::make_unique<RawArgs>(saxpy_program, std::vector<CUdeviceptr>{x, y},
                                           std::vector<std::uint64_t>{kLaunchElements,
                                                                      kLaunchElements},
                                           std::vector<std::uint64_t>{f32_bits(2.0f)},
                                           std::vector<std::uint32_t>{kLaunchElements});
    const std::uint64_t cells = std::uint64_t{kHeatSide} * kHeatSide;
    for (int k = 0; k < 2; ++k) {
      heat_args[k] = std::make_unique<RawArgs>(
          heat_program, std::vector<CUdeviceptr>{grid[k], grid[1 - k]},
          std::vector<std::uint64_t>{cells, cells}, std::vector<std::uint64_t>{f32_bits(kHeatAlpha)},
          std::vector<std::uint32_t>{kHeatSide, kHeatSide});
    }
  }

  CUresult launch_saxpy() {
    return api->launch_kernel(saxpy, (kLaunchElements + 255) / 256, 1, 1, 256, 1, 1, 0, stream,
                              saxpy_args->data(), nullptr);
  }
  CUresult launch_heat(int step) {
    const auto& wg = heat_pipeline->workgroup();
    return api->launch_kernel(heat, (kHeatSide + wg[0] - 1) / wg[0],
                              (kHeatSide + wg[1] - 1) / wg[1], 1, wg[0], wg[1], wg[2], 0, stream,
                              heat_args[step % 2]->data(), nullptr);
  }
};

RawState* raw_state(benchmark::State& state) {
  if (!need_device(state)) return nullptr;
  static RawState instance;
  if (!instance.error.empty()) {
    state.SkipWithError(instance.error.c_str());
    return nullptr;
  }
  return &instance;
}

void BM_Raw_LaunchSync(benchmark::State& state) {
  RawState* raw = raw_state(state);
  if (raw == nullptr) return;
  for (auto _ : state) {
    raw->launch_saxpy();
    if (raw->api->stream_synchronize(raw->stream) != CUDA_SUCCESS) {
      state.SkipWithError("cuStreamSynchronize failed");
      return;
    }
  }
}
BENCHMARK(BM_Raw_LaunchSync)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

void BM_Raw_GraphReplay(benchmark::State& state) {
  RawState* raw = raw_state(state);
  if (raw == nullptr) return;
  const cuda::DriverApi& api = *raw->api;
  // The graph a capture of kGraphKernels launches on one stream yields: a chain of kernel nodes.
  CUgraph graph = nullptr;
  CUgraphExec exec = nullptr;
  if (api.graph_create(&graph, 0) != CUDA_SUCCESS) {
    state.SkipWithError("cuGraphCreate failed");
    return;
  }
  CUDA_KERNEL_NODE_PARAMS params{};
  params.func = raw->saxpy;
  params.gridDimX = (kLaunchElements + 255) / 256;
  params.gridDimY = params.gridDimZ = 1;
  params.blockDimX = 256;
  params.blockDimY = params.blockDimZ = 1;
  params.kernelParams = raw->saxpy_args->data();
  CUgraphNode previous = nullptr;
  for (int k = 0; k < kGraphKernels; ++k) {
    CUgraphNode node = nullptr;
    if (api.graph_add_kernel_node(&node, graph, previous ? &previous : nullptr, previous ? 1 : 0,
                                  &params) != CUDA_SUCCESS) {
      state.SkipWithError("cuGraphAddKernelNode failed");
      api.graph_destroy(graph);
      return;
    }
    previous = node;
  }
  if (api.graph_instantiate(&exec, graph, 0) != CUDA_SUCCESS ||
      api.graph_upload(exec, raw->stream) != CUDA_SUCCESS) {
    state.SkipWithError("cuGraphInstantiate failed");
    api.graph_destroy(graph);
    return;
  }
  api.stream_synchronize(raw->stream);
  WallTimer timer;
  for (auto _ : state) {
    timer.start();
    api.graph_launch(exec, raw->stream);
    const CUresult synced = api.stream_synchronize(raw->stream);
    timer.stop(state);
    if (synced != CUDA_SUCCESS) {
      state.SkipWithError("cuStreamSynchronize failed");
      break;
    }
  }
  report_per_unit(state, timer.total(), kGraphKernels, "per_kernel_us");
  api.graph_exec_destroy(exec);
  api.graph_destroy(graph);
}
BENCHMARK(BM_Raw_GraphReplay)->Unit(benchmark::kMicrosecond)->UseManualTime()->MinTime(1.0);

void BM_Raw_MemcpyPinnedH2D(benchmark::State& state) {
  RawState* raw = raw_state(state);
  if (raw == nullptr) return;
  WallTimer timer;
  for (auto _ : state) {
    timer.start();
    raw->api->memcpy_htod_async(raw->transfer_device, raw->transfer_host, kTransferBytes,
                                raw->stream);
    raw->api->stream_synchronize(raw->stream);
    timer.stop(state);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTransferBytes));
}
BENCHMARK(BM_Raw_MemcpyPinnedH2D)->Unit(benchmark::kMicrosecond)->UseManualTime();

void BM_Raw_MemcpyPinnedD2H(benchmark::State& state) {
  RawState* raw = raw_state(state);
  if (raw == nullptr) return;
  WallTimer timer;
  for (auto _ : state) {
    timer.start();
    raw->api->memcpy_dtoh_async(raw->transfer_host, raw->transfer_device, kTransferBytes,
                                raw->stream);
    raw->api->stream_synchronize(raw->stream);
    timer.stop(state);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTransferBytes));
}
BENCHMARK(BM_Raw_MemcpyPinnedD2H)->Unit(benchmark::kMicrosecond)->UseManualTime();

void BM_Raw_Heat4096(benchmark::State& state) {
  RawState* raw = raw_state(state);
  if (raw == nullptr) return;
  WallTimer timer;
  for (auto _ : state) {
    timer.start();
    for (int step = 0; step < kHeatSteps; ++step) raw->launch_heat(step);
    const CUresult synced = raw->api->stream_synchronize(raw->stream);
    timer.stop(state);
    if (synced != CUDA_SUCCESS) {
      state.SkipWithError("cuStreamSynchronize failed");
      break;
    }
  }
  report_per_unit(state, timer.total(), kHeatSteps, "step_us");
}
BENCHMARK(BM_Raw_Heat4096)->Unit(benchmark::kMillisecond)->UseManualTime();

}  // namespace
#endif  // CUDA backend built

BENCHMARK_MAIN();
