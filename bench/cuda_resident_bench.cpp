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
//   Vyre/StreamLaunchSync Stream::launch of that kernel on device buffers + Stream::synchronize
//   Vyre/GraphReplay      a GraphRecording of 100 such launches, Graph::replay + synchronize
//   Vyre/Upload|Download  Stream::upload/download of 64 MiB + synchronize: Staged from ordinary
//                         host memory (vyre's pinned staging), Pinned from allocate_pinned memory
//   Vyre/Heat4096         1000 Stream::launch steps on resident device buffers, then synchronize
//   Vyre/Prepared*        the same launch + sync and heat loop through Runtime::prepare and
//                         PreparedKernel::launch (positional args; slot-bound ping-pong args)
#include <benchmark/benchmark.h>

#if __has_include("vyre/backends/cuda/backend.h")
#include <optional>

#include "cuda_resident_support.h"
#include "vyre/backend/device.h"
#include "vyre/backend/device_buffer.h"
#include "vyre/backend/graph.h"
#include "vyre/backend/pinned_memory.h"
#include "vyre/backend/stream.h"
#include "vyre/backends/builtin.h"
#include "vyre/pipeline/pipeline_cache.h"
#include "vyre/registry/backend_registry.h"
#include "vyre/runtime/prepared_kernel.h"
#include "vyre/runtime/runtime.h"

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
  CUdeviceptr x = 0, y = 0;         // saxpy, kLaunchElements each
  CUdeviceptr grid[2] = {0, 0};     // heat, kHeatSide^2 each
  CUdeviceptr transfer_device = 0;  // kTransferBytes
  void* transfer_host = nullptr;    // kTransferBytes, pinned
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
      error =
          "raw handles: " + (saxpy_raw.ok() ? heat_raw.error().message : saxpy_raw.error().message);
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

    saxpy_args = std::make_unique<RawArgs>(
        saxpy_program, std::vector<CUdeviceptr>{x, y},
        std::vector<std::uint64_t>{kLaunchElements, kLaunchElements},
        std::vector<std::uint64_t>{f32_bits(2.0f)}, std::vector<std::uint32_t>{kLaunchElements});
    const std::uint64_t cells = std::uint64_t{kHeatSide} * kHeatSide;
    for (int k = 0; k < 2; ++k) {
      heat_args[k] =
          std::make_unique<RawArgs>(heat_program, std::vector<CUdeviceptr>{grid[k], grid[1 - k]},
                                    std::vector<std::uint64_t>{cells, cells},
                                    std::vector<std::uint64_t>{f32_bits(kHeatAlpha)},
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
  state.SetLabel(heat_source_path().substr(heat_source_path().rfind('/') + 1));
}
BENCHMARK(BM_Raw_Heat4096)->Unit(benchmark::kMillisecond)->UseManualTime();

// ---- vyre: the same work through device buffers, streams and graphs -------------------------

// vyre's state, made once: device buffers from the caching allocator, one stream, the same
// pipelines the raw side launches.
struct VyreState {
  RawState* raw = nullptr;
  Device device;
  Stream stream;
  DeviceBuffer x, y;
  DeviceBuffer grid[2];
  DeviceBuffer transfer;
  std::vector<std::uint8_t> pageable;    // kTransferBytes of ordinary host memory
  std::unique_ptr<PinnedMemory> pinned;  // kTransferBytes from Backend::allocate_pinned
  DeviceBindings saxpy_bindings;
  DeviceBindings heat_bindings[2];
  LaunchGeometry saxpy_geometry;
  LaunchGeometry heat_geometry;
  std::string error;

  explicit VyreState(RawState& raw_state) : raw(&raw_state) {
    if (Status made = make(); !made.ok()) error = made.error().message;
  }

  Status make() {
    auto& backend = cuda_setup().backend;
    device = VYRE_TRY(Device::open(backend, 0));
    stream = VYRE_TRY(device.create_stream());
    x = VYRE_TRY(
        device.upload(HostBuffer::of(ir::Type::F32, std::vector<float>(kLaunchElements, 1.0f))));
    y = VYRE_TRY(device.allocate_zeroed(ir::Type::F32, kLaunchElements));
    const std::uint64_t cells = std::uint64_t{kHeatSide} * kHeatSide;
    std::vector<float> initial(cells, 1.0f);
    for (std::uint32_t c = 0; c < kHeatSide; ++c)
      initial[std::size_t{kHeatSide / 2} * kHeatSide + c] = 100.0f;
    grid[0] = VYRE_TRY(device.upload(HostBuffer::of(ir::Type::F32, initial)));
    grid[1] = VYRE_TRY(device.upload(HostBuffer::of(ir::Type::F32, initial)));
    transfer = VYRE_TRY(device.allocate(ir::Type::U32, kTransferBytes / 4));
    pageable.assign(kTransferBytes, 1);
    pinned = VYRE_TRY(backend->allocate_pinned(kTransferBytes));
    std::memset(pinned->bytes().data(), 1, kTransferBytes);

    saxpy_bindings.buffers = {VYRE_TRY(x.backend_view()), VYRE_TRY(y.backend_view())};
    saxpy_bindings.params = {Scalar::f32(2.0f)};
    saxpy_bindings.sizes = {kLaunchElements};
    saxpy_geometry.workgroup = raw->saxpy_pipeline->workgroup();
    saxpy_geometry.groups = {(kLaunchElements + 255) / 256, 1, 1};
    for (int k = 0; k < 2; ++k) {
      heat_bindings[k].buffers = {VYRE_TRY(grid[k].backend_view()),
                                  VYRE_TRY(grid[1 - k].backend_view())};
      heat_bindings[k].params = {Scalar::f32(kHeatAlpha)};
      heat_bindings[k].sizes = {kHeatSide, kHeatSide};
    }
    const auto& wg = raw->heat_pipeline->workgroup();
    heat_geometry.workgroup = wg;
    heat_geometry.groups = {(kHeatSide + wg[0] - 1) / wg[0], (kHeatSide + wg[1] - 1) / wg[1], 1};
    return Ok{};
  }
};

VyreState* vyre_state(benchmark::State& state) {
  RawState* raw = raw_state(state);
  if (raw == nullptr) return nullptr;
  static VyreState instance(*raw);
  if (!instance.error.empty()) {
    state.SkipWithError(instance.error.c_str());
    return nullptr;
  }
  return &instance;
}

bool failed(benchmark::State& state, const Status& status) {
  if (status.ok()) return false;
  state.SkipWithError(status.error().message.c_str());
  return true;
}

void BM_Vyre_StreamLaunchSync(benchmark::State& state) {
  VyreState* vyre = vyre_state(state);
  if (vyre == nullptr) return;
  for (auto _ : state) {
    if (failed(state, vyre->stream.launch(*vyre->raw->saxpy_pipeline, vyre->saxpy_bindings,
                                          vyre->saxpy_geometry)) ||
        failed(state, vyre->stream.synchronize())) {
      return;
    }
  }
}
BENCHMARK(BM_Vyre_StreamLaunchSync)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

void BM_Vyre_GraphReplay(benchmark::State& state) {
  VyreState* vyre = vyre_state(state);
  if (vyre == nullptr) return;
  GraphRecording recording(vyre->device);
  for (int k = 0; k < kGraphKernels; ++k) {
    auto node =
        recording.launch(vyre->raw->saxpy_pipeline, vyre->saxpy_bindings, vyre->saxpy_geometry);
    if (!node.ok()) {
      state.SkipWithError(node.error().message.c_str());
      return;
    }
  }
  auto graph = Graph::instantiate(std::move(recording));
  if (!graph.ok()) {
    state.SkipWithError(graph.error().message.c_str());
    return;
  }
  if (failed(state, graph->replay(vyre->stream)) || failed(state, vyre->stream.synchronize())) {
    return;
  }
  WallTimer timer;
  for (auto _ : state) {
    timer.start();
    const Status replayed = graph->replay(vyre->stream);
    const Status synced = vyre->stream.synchronize();
    timer.stop(state);
    if (failed(state, replayed) || failed(state, synced)) return;
  }
  report_per_unit(state, timer.total(), kGraphKernels, "per_kernel_us");
}
BENCHMARK(BM_Vyre_GraphReplay)->Unit(benchmark::kMicrosecond)->UseManualTime()->MinTime(1.0);

// Upload or download of kTransferBytes + synchronize, from ordinary (pageable) host memory
// through vyre's pinned staging, or from Backend::allocate_pinned memory directly.
template <bool kUpload, bool kPinned>
void vyre_transfer(benchmark::State& state) {
  VyreState* vyre = vyre_state(state);
  if (vyre == nullptr) return;
  std::span<std::uint8_t> host =
      kPinned ? vyre->pinned->bytes() : std::span<std::uint8_t>(vyre->pageable);
  WallTimer timer;
  for (auto _ : state) {
    timer.start();
    const Status moved = kUpload ? vyre->stream.upload(vyre->transfer, host)
                                 : vyre->stream.download(vyre->transfer, host);
    const Status synced = vyre->stream.synchronize();
    timer.stop(state);
    if (failed(state, moved) || failed(state, synced)) return;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kTransferBytes));
  if (kPinned)
    state.SetLabel(vyre->pinned->pinned() ? "pinned" : "NOT pinned (registration failed)");
}
void BM_Vyre_UploadStaged(benchmark::State& state) {
  vyre_transfer<true, false>(state);
}
void BM_Vyre_DownloadStaged(benchmark::State& state) {
  vyre_transfer<false, false>(state);
}
void BM_Vyre_UploadPinned(benchmark::State& state) {
  vyre_transfer<true, true>(state);
}
void BM_Vyre_DownloadPinned(benchmark::State& state) {
  vyre_transfer<false, true>(state);
}
BENCHMARK(BM_Vyre_UploadStaged)->Unit(benchmark::kMicrosecond)->UseManualTime();
BENCHMARK(BM_Vyre_DownloadStaged)->Unit(benchmark::kMicrosecond)->UseManualTime();
BENCHMARK(BM_Vyre_UploadPinned)->Unit(benchmark::kMicrosecond)->UseManualTime();
BENCHMARK(BM_Vyre_DownloadPinned)->Unit(benchmark::kMicrosecond)->UseManualTime();

void BM_Vyre_Heat4096(benchmark::State& state) {
  VyreState* vyre = vyre_state(state);
  if (vyre == nullptr) return;
  WallTimer timer;
  for (auto _ : state) {
    timer.start();
    Status launched = Ok{};
    for (int step = 0; step < kHeatSteps && launched.ok(); ++step) {
      launched = vyre->stream.launch(*vyre->raw->heat_pipeline, vyre->heat_bindings[step % 2],
                                     vyre->heat_geometry);
    }
    const Status synced = vyre->stream.synchronize();
    timer.stop(state);
    if (failed(state, launched) || failed(state, synced)) return;
  }
  report_per_unit(state, timer.total(), kHeatSteps, "step_us");
  state.SetLabel(heat_source_path().substr(heat_source_path().rfind('/') + 1));
}
BENCHMARK(BM_Vyre_Heat4096)->Unit(benchmark::kMillisecond)->UseManualTime();

// ---- vyre: prepared kernels (Runtime::prepare), the API an application uses ---------------

// A Runtime over the global registry with a memory-only cache; its cuda:0 is the registry's
// CUDA backend (not the one above), so it has its own buffers.
struct PreparedState {
  std::unique_ptr<Runtime> runtime;
  Device device;
  Stream stream;
  // optional: PreparedKernel's inline default constructor needs its State complete.
  std::optional<PreparedKernel> saxpy;
  std::optional<PreparedKernel> heat;
  DeviceBuffer x, y;
  DeviceBuffer grid[2];
  LaunchArgs heat_args[2];  // step k reads grid[k % 2], writes the other
  std::string error;

  PreparedState() {
    if (Status made = make(); !made.ok()) error = made.error().message;
  }

  Status make() {
    BackendRegistry& registry = BackendRegistry::global();
    if (!registry.has("cuda")) VYRE_TRY(register_builtin_backends(registry));
    auto cache = VYRE_TRY(pipeline::PipelineCache::open(pipeline::PipelineCacheOptions{}));
    runtime = std::make_unique<Runtime>(registry, cache);
    device = VYRE_TRY(runtime->device("cuda:0"));
    stream = VYRE_TRY(device.create_stream());
    saxpy.emplace(VYRE_TRY(runtime->prepare(parse_or_abort(kSaxpy, "saxpy.vy"), device)));
    DispatchConfig heat_config;
    const ir::Program heat_program = bench::heat_program();
    for (const std::string& symbol : heat_program->size_symbols) {
      heat_config.sizes[symbol] = kHeatSide;
    }
    heat.emplace(VYRE_TRY(runtime->prepare(heat_program, device, heat_config)));
    x = VYRE_TRY(
        device.upload(HostBuffer::of(ir::Type::F32, std::vector<float>(kLaunchElements, 1.0f))));
    y = VYRE_TRY(device.allocate_zeroed(ir::Type::F32, kLaunchElements));
    const std::uint64_t cells = std::uint64_t{kHeatSide} * kHeatSide;
    std::vector<float> initial(cells, 1.0f);
    for (std::uint32_t c = 0; c < kHeatSide; ++c) {
      initial[std::size_t{kHeatSide / 2} * kHeatSide + c] = 100.0f;
    }
    grid[0] = VYRE_TRY(device.upload(HostBuffer::of(ir::Type::F32, initial)));
    grid[1] = VYRE_TRY(device.upload(HostBuffer::of(ir::Type::F32, initial)));
    const ArgSlot src = VYRE_TRY(heat->slot(heat_program->buffers[0].name));
    const ArgSlot dst = VYRE_TRY(heat->slot(heat_program->buffers[1].name));
    const ArgSlot alpha = VYRE_TRY(heat->slot(heat_program->params[0].name));
    for (int k = 0; k < 2; ++k) {
      heat_args[k] = heat->args();
      heat_args[k].set(src, grid[k]);
      heat_args[k].set(dst, grid[1 - k]);
      heat_args[k].set(alpha, Scalar::f32(kHeatAlpha));
    }
    return Ok{};
  }
};

PreparedState* prepared_state(benchmark::State& state) {
  if (!need_device(state)) return nullptr;
  static PreparedState instance;
  if (!instance.error.empty()) {
    state.SkipWithError(instance.error.c_str());
    return nullptr;
  }
  return &instance;
}

void BM_Vyre_PreparedLaunchSync(benchmark::State& state) {
  PreparedState* prepared = prepared_state(state);
  if (prepared == nullptr) return;
  for (auto _ : state) {
    const Status launched =
        prepared->saxpy->launch({prepared->x, prepared->y, Scalar::f32(2.0f)}, prepared->stream);
    if (failed(state, launched) || failed(state, prepared->stream.synchronize())) return;
  }
}
BENCHMARK(BM_Vyre_PreparedLaunchSync)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(1.0);

void BM_Vyre_PreparedHeat4096(benchmark::State& state) {
  PreparedState* prepared = prepared_state(state);
  if (prepared == nullptr) return;
  WallTimer timer;
  for (auto _ : state) {
    timer.start();
    Status launched = Ok{};
    for (int step = 0; step < kHeatSteps && launched.ok(); ++step) {
      launched = prepared->heat->launch(prepared->heat_args[step % 2], prepared->stream);
    }
    const Status synced = prepared->stream.synchronize();
    timer.stop(state);
    if (failed(state, launched) || failed(state, synced)) return;
  }
  report_per_unit(state, timer.total(), kHeatSteps, "step_us");
  state.SetLabel(heat_source_path().substr(heat_source_path().rfind('/') + 1));
}
BENCHMARK(BM_Vyre_PreparedHeat4096)->Unit(benchmark::kMillisecond)->UseManualTime();

}  // namespace
#endif  // CUDA backend built

BENCHMARK_MAIN();
