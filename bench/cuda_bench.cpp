// CUDA backend benchmarks. Without the CUDA toolkit this builds to an empty benchmark binary;
// without a GPU only the NVRTC compile case runs (the others report "no CUDA device").
//
//   cold compile     vyre's compile (codegen + NVRTC to a cubin, + module load with a device)
//   load from bytes  CudaBackend::load of serialized bytes = the disk-cache hit path
//   launch + sync    vyre's dispatch of an empty kernel vs raw cuLaunchKernel+cuStreamSynchronize
//   saxpy bandwidth  the generated saxpy kernel vs cuMemcpyDtoD, in bytes moved per second
#include <benchmark/benchmark.h>

#if __has_include("vyre/backends/cuda/backend.h")
#include <memory>
#include <string>

#include "vyre/backends/c_emitter.h"
#include "vyre/backends/cuda/backend.h"
#include "vyre/backends/cuda/nvrtc_compiler.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"

namespace {

using namespace vyre;
using vyre::cuda::CudaBackend;

constexpr std::string_view kSaxpy = R"(kernel saxpy workgroup(256) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
}
)";
constexpr std::string_view kEmpty = R"(kernel empty workgroup(32) dispatch(32) {
  return
}
)";
constexpr std::size_t kSaxpyElements = std::size_t{64} << 20;  // 64M floats, 256 MiB per buffer

ir::Program parse(std::string_view text) {
  auto program = ir::parse_program(text);
  if (!program.ok()) {
    std::fprintf(stderr, "%s\n", render_human(program.error(), {.source = text}).c_str());
    std::abort();
  }
  return *program;
}

// One backend per process: the device one when there is a GPU, else compile-only.
struct Setup {
  std::shared_ptr<CudaBackend> backend;
  std::string why_no_device;
  Setup() {
    auto device = CudaBackend::create();
    if (device.ok()) {
      backend = *device;
      return;
    }
    why_no_device = "no CUDA device: " + device.error().message;
    cuda::CudaBackendOptions options;
    options.require_device = false;
    auto offline = CudaBackend::create(options);
    if (offline.ok()) backend = *offline;
  }
};

Setup& setup() {
  static Setup instance;
  return instance;
}

bool need_device(benchmark::State& state) {
  if (setup().backend && setup().backend->has_device()) return true;
  state.SkipWithError(setup().why_no_device.c_str());
  return false;
}

void BM_CudaColdCompileSaxpy(benchmark::State& state) {
  if (!setup().backend) {
    state.SkipWithError("the CUDA backend could not be created");
    return;
  }
  const ir::Program program = parse(kSaxpy);
  for (auto _ : state) {
    auto pipeline = setup().backend->compile(program, {});
    if (!pipeline.ok()) {
      state.SkipWithError(pipeline.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(pipeline);
  }
  state.SetLabel(setup().backend->arch().name() + ", " + cuda::nvrtc_version());
}
BENCHMARK(BM_CudaColdCompileSaxpy)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_CudaLoadFromBytes(benchmark::State& state) {
  if (!need_device(state)) return;
  const ir::Program program = parse(kSaxpy);
  auto pipeline = setup().backend->compile(program, {});
  auto bytes = setup().backend->serialize(**pipeline);
  for (auto _ : state) {
    auto loaded = setup().backend->load(program, {}, *bytes);
    if (!loaded.ok()) {
      state.SkipWithError(loaded.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(loaded);
  }
  state.SetLabel(std::to_string(bytes->size()) + " bytes");
}
BENCHMARK(BM_CudaLoadFromBytes)->Unit(benchmark::kMicrosecond);

void BM_CudaVyreDispatchEmpty(benchmark::State& state) {
  if (!need_device(state)) return;
  const ir::Program program = parse(kEmpty);
  auto pipeline = setup().backend->compile(program, {});
  if (!pipeline.ok()) {
    state.SkipWithError(pipeline.error().message.c_str());
    return;
  }
  Bindings bindings;
  LaunchGeometry geometry;
  geometry.workgroup = (*pipeline)->workgroup();
  for (auto _ : state) {
    const Status status = setup().backend->dispatch(**pipeline, bindings, geometry, {});
    if (!status.ok()) {
      state.SkipWithError(status.error().message.c_str());
      return;
    }
  }
}
BENCHMARK(BM_CudaVyreDispatchEmpty)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

void BM_CudaRawLaunchEmpty(benchmark::State& state) {
  if (!need_device(state)) return;
  const ir::Program program = parse(kEmpty);
  auto pipeline = setup().backend->compile(program, {});
  auto raw = setup().backend->raw_handles(pipeline->get());
  if (!raw.ok()) {
    state.SkipWithError(raw.error().message.c_str());
    return;
  }
  const cuda::DriverApi& api = *raw->api;
  for (auto _ : state) {
    api.launch_kernel(raw->function, 1, 1, 1, 32, 1, 1, 0, raw->stream, nullptr, nullptr);
    if (api.stream_synchronize(raw->stream) != CUDA_SUCCESS) {
      state.SkipWithError("cuStreamSynchronize failed");
      return;
    }
  }
}
BENCHMARK(BM_CudaRawLaunchEmpty)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

// Device buffers for the bandwidth cases, allocated once.
struct DeviceArrays {
  CUdeviceptr x = 0;
  CUdeviceptr y = 0;
  bool ok = false;
  explicit DeviceArrays(const cuda::DriverApi& api) {
    const std::size_t bytes = kSaxpyElements * sizeof(float);
    ok = api.mem_alloc(&x, bytes) == CUDA_SUCCESS && api.mem_alloc(&y, bytes) == CUDA_SUCCESS &&
         api.memset_d8(x, 0, bytes) == CUDA_SUCCESS && api.memset_d8(y, 0, bytes) == CUDA_SUCCESS;
  }
};

DeviceArrays& arrays(const cuda::DriverApi& api) {
  static DeviceArrays instance(api);
  return instance;
}

// Times `body` with events on the stream; reports bytes_per_second from `bytes` per iteration.
template <class Body>
void time_on_stream(benchmark::State& state, const CudaBackend::RawHandles& raw, std::size_t bytes,
                    Body body) {
  const cuda::DriverApi& api = *raw.api;
  CUevent start = nullptr;
  CUevent stop = nullptr;
  api.event_create(&start, CU_EVENT_DEFAULT);
  api.event_create(&stop, CU_EVENT_DEFAULT);
  body();  // warm up
  api.stream_synchronize(raw.stream);
  for (auto _ : state) {
    api.event_record(start, raw.stream);
    body();
    api.event_record(stop, raw.stream);
    api.event_synchronize(stop);
    float ms = 0;
    api.event_elapsed_time(&ms, start, stop);
    state.SetIterationTime(ms / 1e3);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  api.event_destroy(start);
  api.event_destroy(stop);
}

void BM_CudaSaxpyKernel64M(benchmark::State& state) {
  if (!need_device(state)) return;
  const ir::Program program = parse(kSaxpy);
  auto pipeline = setup().backend->compile(program, {});
  auto raw = setup().backend->raw_handles(pipeline->get());
  if (!raw.ok()) {
    state.SkipWithError(raw.error().message.c_str());
    return;
  }
  DeviceArrays& data = arrays(*raw->api);
  if (!data.ok) {
    state.SkipWithError("could not allocate 2 x 256 MiB");
    return;
  }
  // Kernel ABI: (x, len x, y, len y, a, n).
  unsigned long long x = data.x, y = data.y, length = kSaxpyElements;
  float a = 2.0f;
  unsigned n = static_cast<unsigned>(kSaxpyElements);
  std::vector<void*> args;
  for (const codegen::KernelArg& arg : codegen::kernel_args(program)) {
    switch (arg.kind) {
      case codegen::KernelArg::BufferPointer:
        args.push_back(arg.index == 0 ? &x : &y);
        break;
      case codegen::KernelArg::BufferLength:
        args.push_back(&length);
        break;
      case codegen::KernelArg::Param:
        args.push_back(&a);
        break;
      case codegen::KernelArg::Size:
        args.push_back(&n);
        break;
    }
  }
  const unsigned groups = static_cast<unsigned>(kSaxpyElements / 256);
  // saxpy reads x and y and writes y: 12 bytes per element.
  time_on_stream(state, *raw, kSaxpyElements * 12, [&] {
    raw->api->launch_kernel(raw->function, groups, 1, 1, 256, 1, 1, 0, raw->stream, args.data(),
                            nullptr);
  });
}
BENCHMARK(BM_CudaSaxpyKernel64M)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_CudaMemcpyDtoD64M(benchmark::State& state) {
  if (!need_device(state)) return;
  auto raw = setup().backend->raw_handles();
  if (!raw.ok()) {
    state.SkipWithError(raw.error().message.c_str());
    return;
  }
  DeviceArrays& data = arrays(*raw->api);
  if (!data.ok) {
    state.SkipWithError("could not allocate 2 x 256 MiB");
    return;
  }
  // A copy reads and writes each element: 8 bytes per float.
  time_on_stream(state, *raw, kSaxpyElements * 8, [&] {
    raw->api->memcpy_dtod_async(data.y, data.x, kSaxpyElements * sizeof(float), raw->stream);
  });
}
BENCHMARK(BM_CudaMemcpyDtoD64M)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
#endif  // CUDA backend built

BENCHMARK_MAIN();
