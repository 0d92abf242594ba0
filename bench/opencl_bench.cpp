// OpenCL backend costs against the raw OpenCL API on the same device, for saxpy:
//  - cold build: vyre compile (generate + clBuildProgram) vs raw clCreateProgramWithSource +
//    clBuildProgram, each with PoCL's own build cache cold (every iteration builds a source PoCL
//    has never seen: a different constant) and warm (the same source again);
//  - disk hit: a fresh PipelineCache (empty memory tier, as in a new process) whose disk tier
//    holds the entry -> OpenClBackend::load, vs raw clCreateProgramWithBinary + clBuildProgram;
//  - first dispatch after compile, and steady dispatch vs a raw enqueue + finish loop.
// Run with POCL_CACHE_DIR pointing at a fresh folder (bench/README in the report explains).
#include <benchmark/benchmark.h>

#include <CL/cl.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "vyre/backends/c_emitter.h"
#include "vyre/backends/opencl/backend.h"
#include "vyre/ir/text.h"
#include "vyre/pipeline/pipeline_cache.h"

namespace {

using namespace vyre;

std::string saxpy_text(int variant) {
  // The variant changes one constant, so the program (and its generated source) is new to PoCL.
  return "kernel saxpy workgroup(256) {\n  param a: f32\n  buffer x: read f32[n]\n"
         "  buffer y: read_write f32[n]\n  let i = global_id.x\n  if i < len(y) {\n"
         "    y[i] = a * x[i] + y[i] + " +
         std::to_string(variant) + ".0\n  }\n}\n";
}

ir::Program saxpy(int variant) {
  return *ir::parse_program(saxpy_text(variant));
}

std::atomic<int> g_variant{1000};

Backend* backend() {
  static std::shared_ptr<Backend> b = [] {
    auto r = opencl::make_opencl_backend();
    return r.ok() ? *r : nullptr;
  }();
  return b.get();
}

// Raw OpenCL objects for the comparison: one context and queue on the first device.
struct Raw {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
  Raw() {
    clGetPlatformIDs(1, &platform, nullptr);
    clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, nullptr);
    context = clCreateContext(nullptr, 1, &device, nullptr, nullptr, nullptr);
    queue = clCreateCommandQueue(context, device, 0, nullptr);
  }
};
Raw& raw() {
  static Raw r;
  return r;
}

std::string opencl_source(const ir::Program& program) {
  codegen::EmitOptions options;
  options.workgroup = program->workgroup;
  return codegen::emit_c_kernel(program, options)->source;
}

const char* kOptions = "-cl-std=CL1.2 -cl-fp32-correctly-rounded-divide-sqrt";

cl_program raw_build(const std::string& source) {
  const char* text = source.c_str();
  std::size_t length = source.size();
  cl_program p = clCreateProgramWithSource(raw().context, 1, &text, &length, nullptr);
  clBuildProgram(p, 1, &raw().device, kOptions, nullptr, nullptr);
  return p;
}

std::vector<unsigned char> raw_binary(cl_program p) {
  std::size_t size = 0;
  clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, nullptr);
  std::vector<unsigned char> out(size);
  unsigned char* target = out.data();
  clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof target, &target, nullptr);
  return out;
}

#define REQUIRE_DEVICE(state)                \
  if (backend() == nullptr) {                \
    state.SkipWithError("no OpenCL device"); \
    return;                                  \
  }

void BM_RawBuildSource_PoclCold(benchmark::State& state) {
  REQUIRE_DEVICE(state);
  clReleaseProgram(raw_build(opencl_source(saxpy(g_variant++))));  // the compiler's own warm-up
  for (auto _ : state) {
    state.PauseTiming();
    std::string source = opencl_source(saxpy(g_variant++));
    state.ResumeTiming();
    clReleaseProgram(raw_build(source));
  }
}
void BM_VyreCompile_PoclCold(benchmark::State& state) {
  REQUIRE_DEVICE(state);
  (void)backend()->compile(saxpy(g_variant++), {});
  for (auto _ : state) {
    state.PauseTiming();
    ir::Program p = saxpy(g_variant++);
    state.ResumeTiming();
    benchmark::DoNotOptimize(backend()->compile(p, {}));
  }
}
void BM_RawBuildSource_PoclWarm(benchmark::State& state) {
  REQUIRE_DEVICE(state);
  std::string source = opencl_source(saxpy(1));
  clReleaseProgram(raw_build(source));
  for (auto _ : state) clReleaseProgram(raw_build(source));
}
void BM_VyreCompile_PoclWarm(benchmark::State& state) {
  REQUIRE_DEVICE(state);
  ir::Program p = saxpy(1);
  (void)backend()->compile(p, {});
  for (auto _ : state) benchmark::DoNotOptimize(backend()->compile(p, {}));
}
void BM_RawBuildBinary(benchmark::State& state) {
  REQUIRE_DEVICE(state);
  cl_program built = raw_build(opencl_source(saxpy(1)));
  std::vector<unsigned char> binary = raw_binary(built);
  clReleaseProgram(built);
  for (auto _ : state) {
    const unsigned char* data = binary.data();
    std::size_t length = binary.size();
    cl_program p = clCreateProgramWithBinary(raw().context, 1, &raw().device, &length, &data,
                                             nullptr, nullptr);
    clBuildProgram(p, 1, &raw().device, kOptions, nullptr, nullptr);
    cl_kernel k = clCreateKernel(p, "vyre_main", nullptr);
    clReleaseKernel(k);
    clReleaseProgram(p);
  }
}
void BM_VyreLoad(benchmark::State& state) {
  REQUIRE_DEVICE(state);
  ir::Program p = saxpy(1);
  auto bytes = *backend()->serialize(**backend()->compile(p, {}));
  for (auto _ : state) benchmark::DoNotOptimize(backend()->load(p, {}, bytes));
}
// A disk-tier hit as a new process sees it: a fresh PipelineCache (empty memory tier) on a root
// that holds the entry, then obtain() -> identity -> disk read + checks -> OpenClBackend::load.
void BM_VyreDiskHit_FreshCache(benchmark::State& state) {
  REQUIRE_DEVICE(state);
  std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("vyre-bench-cache-" + std::to_string(getpid()));
  std::filesystem::remove_all(root);
  pipeline::PipelineCacheOptions options;
  options.root = root;
  options.persist_stats = false;
  {
    auto cache = *pipeline::PipelineCache::open(options);
    (void)cache->obtain(*backend(), saxpy(1), {});
    (void)cache->flush();
  }
  std::string tier = "?";
  for (auto _ : state) {
    state.PauseTiming();
    auto cache = *pipeline::PipelineCache::open(options);
    ir::Program p = saxpy(1);  // a program parsed in the new "process": digest not memoised
    state.ResumeTiming();
    pipeline::CacheOutcome outcome;
    benchmark::DoNotOptimize(cache->obtain(*backend(), p, {}, &outcome));
    state.PauseTiming();
    tier = outcome.tier == pipeline::CacheTier::Disk ? "disk" : "not-disk";
    cache.reset();
    state.ResumeTiming();
  }
  state.SetLabel("tier=" + tier);
  std::filesystem::remove_all(root);
}
void BM_VyreFirstDispatch(benchmark::State& state) {
  REQUIRE_DEVICE(state);
  const std::size_t n = 1 << 20;
  ir::Program p = saxpy(1);
  for (auto _ : state) {
    state.PauseTiming();
    auto pipeline = *backend()->load(p, {}, *backend()->serialize(**backend()->compile(p, {})));
    Bindings b;
    b.buffers = {HostBuffer(ir::Type::F32, n), HostBuffer(ir::Type::F32, n)};
    b.params = {Scalar::f32(2.0f)};
    b.sizes = {n};
    LaunchGeometry g;
    g.workgroup = {256, 1, 1};
    g.groups = {n / 256, 1, 1};
    state.ResumeTiming();
    benchmark::DoNotOptimize(backend()->dispatch(*pipeline, b, g, {}));
  }
}
void BM_VyreDispatch(benchmark::State& state) {
  REQUIRE_DEVICE(state);
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  ir::Program p = saxpy(1);
  auto pipeline = *backend()->compile(p, {});
  Bindings b;
  b.buffers = {HostBuffer(ir::Type::F32, n), HostBuffer(ir::Type::F32, n)};
  b.params = {Scalar::f32(2.0f)};
  b.sizes = {n};
  LaunchGeometry g;
  g.workgroup = {256, 1, 1};
  g.groups = {(n + 255) / 256, 1, 1};
  for (auto _ : state) benchmark::DoNotOptimize(backend()->dispatch(*pipeline, b, g, {}));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * 12));
}
// The same work through the raw API: buffers created from host memory, one enqueue, read back,
// finish (what a dispatch does), so the difference is vyre's overhead.
void BM_RawDispatch(benchmark::State& state) {
  REQUIRE_DEVICE(state);
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  cl_program program = raw_build(opencl_source(saxpy(1)));
  cl_kernel kernel = clCreateKernel(program, "vyre_main", nullptr);
  std::vector<float> x(n), y(n);
  for (auto _ : state) {
    cl_mem bx = clCreateBuffer(raw().context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, n * 4,
                               x.data(), nullptr);
    cl_mem by = clCreateBuffer(raw().context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, n * 4,
                               y.data(), nullptr);
    cl_ulong len = n;
    float a = 2.0f;
    cl_uint size = static_cast<cl_uint>(n);
    clSetKernelArg(kernel, 0, sizeof bx, &bx);
    clSetKernelArg(kernel, 1, sizeof len, &len);
    clSetKernelArg(kernel, 2, sizeof by, &by);
    clSetKernelArg(kernel, 3, sizeof len, &len);
    clSetKernelArg(kernel, 4, sizeof a, &a);
    clSetKernelArg(kernel, 5, sizeof size, &size);
    std::size_t global = (n + 255) / 256 * 256;
    std::size_t local = 256;
    clEnqueueNDRangeKernel(raw().queue, kernel, 1, nullptr, &global, &local, 0, nullptr, nullptr);
    clEnqueueReadBuffer(raw().queue, by, CL_TRUE, 0, n * 4, y.data(), 0, nullptr, nullptr);
    clReleaseMemObject(bx);
    clReleaseMemObject(by);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * 12));
  clReleaseKernel(kernel);
  clReleaseProgram(program);
}

BENCHMARK(BM_RawBuildSource_PoclCold)->Unit(benchmark::kMillisecond)->Iterations(8);
BENCHMARK(BM_VyreCompile_PoclCold)->Unit(benchmark::kMillisecond)->Iterations(8);
BENCHMARK(BM_RawBuildSource_PoclWarm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VyreCompile_PoclWarm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RawBuildBinary)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VyreLoad)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VyreDiskHit_FreshCache)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VyreFirstDispatch)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_VyreDispatch)->Arg(1 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RawDispatch)->Arg(1 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
