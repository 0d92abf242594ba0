// CUDA backend tests that need a GPU (they skip, saying why, without one): every example
// matches the reference backend, serialized pipelines dispatch, zero-length buffers, async
// dispatch with timeouts, and recovery from a context poisoned by a faulting kernel.
#include <gtest/gtest.h>

#if __has_include("vyre/backends/cuda/backend.h")  // the CUDA backend was built

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cuda_test_support.h"
#include "program_pointers.h"
#include "vyre/backends/cuda/nvrtc_compiler.h"
#include "vyre/backends/reference.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/pipeline_cache.h"

namespace vyre::cuda {
namespace {

using testing::make_bindings;
using testing::make_geometry;
using testing::outputs_match;
using testing::parse_or_die;
using testing::show;

// One device backend for the whole binary (the driver is initialised once per process).
std::shared_ptr<CudaBackend> device_backend(std::string* why) {
  static auto backend = CudaBackend::create();
  if (!backend.ok()) {
    *why = backend.error().message;
    return nullptr;
  }
  return *backend;
}

#define REQUIRE_CUDA_DEVICE(backend)             \
  std::string why_no_device;                     \
  auto backend = device_backend(&why_no_device); \
  if (backend == nullptr) GTEST_SKIP() << "no CUDA device: " << why_no_device

Bindings run_reference(const ir::Program& program, const Bindings& inputs,
                       const DispatchConfig& config) {
  auto reference = make_reference_backend();
  Bindings bindings = inputs;
  auto pipeline = reference->compile(program, config);
  EXPECT_TRUE(pipeline.ok()) << show(pipeline.error());
  if (!pipeline.ok()) return bindings;
  const LaunchGeometry geometry = make_geometry(program, bindings, (*pipeline)->workgroup());
  const Status status = reference->dispatch(**pipeline, bindings, geometry, config);
  EXPECT_TRUE(status.ok()) << show(status.error());
  return bindings;
}

Bindings run_cuda(Backend& backend, const CompiledPipeline& pipeline, const Bindings& inputs,
                  const DispatchConfig& config) {
  Bindings bindings = inputs;
  const LaunchGeometry geometry = make_geometry(pipeline.program(), bindings, pipeline.workgroup());
  const Status status = backend.dispatch(pipeline, bindings, geometry, config);
  EXPECT_TRUE(status.ok()) << show(status.error());
  return bindings;
}

class CudaRunExample : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(CudaRunExample, MatchesReference) {
  REQUIRE_CUDA_DEVICE(backend);
  const ir::Program program = parse_or_die(testing::read_text(GetParam()));
  DispatchConfig config;
  const Bindings inputs = make_bindings(program, 7);
  const Bindings expected = run_reference(program, inputs, config);
  auto pipeline = backend->compile(program, config);
  ASSERT_TRUE(pipeline.ok()) << show(pipeline.error());
  const Bindings actual = run_cuda(*backend, **pipeline, inputs, config);
  EXPECT_TRUE(outputs_match(program, expected, actual, config.ulp_budget));

  // Loaded from its serialized bytes (the disk-cache hit path), it computes the same.
  auto bytes = backend->serialize(**pipeline);
  ASSERT_TRUE(bytes.ok());
  auto loaded = backend->load(program, config, *bytes);
  ASSERT_TRUE(loaded.ok()) << show(loaded.error());
  const Bindings again = run_cuda(*backend, **loaded, inputs, config);
  EXPECT_TRUE(outputs_match(program, expected, again, config.ulp_budget));
}

INSTANTIATE_TEST_SUITE_P(Examples, CudaRunExample, ::testing::ValuesIn(testing::example_files()),
                         testing::example_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CudaRunExample);

constexpr std::string_view kSemantics = R"(kernel semantics workgroup(64) {
  param shift: u32
  buffer a: read i32[n]
  buffer b: read i32[n]
  buffer q: write i32[n]
  buffer s: write u32[n]
  buffer f: write f32[n]
  buffer w: write i64[n]
  let i = global_id.x
  if i < len(q) {
    q[i] = a[i] / (b[i] - 512) + a[i] % (b[i] & 7)
    s[i] = u32(a[i]) << (shift + u32(b[i]))
    f[i] = f32(a[i]) * 1.5 + f32(b[i]) / 3.0
    w[i] = i64(a[i]) * 3037000499i64 * 3037000499i64
  }
}
)";

TEST(CudaDispatch, IntegerAndFloatSemanticsMatchReference) {
  REQUIRE_CUDA_DEVICE(backend);
  const ir::Program program = parse_or_die(kSemantics);
  DispatchConfig config;
  const Bindings inputs = make_bindings(program, 3);
  const Bindings expected = run_reference(program, inputs, config);
  auto pipeline = backend->compile(program, config);
  ASSERT_TRUE(pipeline.ok()) << show(pipeline.error());
  EXPECT_TRUE(outputs_match(program, expected, run_cuda(*backend, **pipeline, inputs, config), 0));
}

constexpr std::string_view kScale = R"(kernel scale workgroup(64) {
  param k: f32
  buffer x: read f32[n]
  buffer empty: read u32[m]
  buffer y: write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = x[i] * k + f32(len(empty)) }
}
)";

TEST(CudaDispatch, ZeroLengthBufferIsNullWithLengthZero) {
  REQUIRE_CUDA_DEVICE(backend);
  const ir::Program program = parse_or_die(kScale);
  auto pipeline = backend->compile(program, {});
  ASSERT_TRUE(pipeline.ok()) << show(pipeline.error());
  Bindings bindings;
  bindings.buffers.push_back(HostBuffer::of<float>(ir::Type::F32, {1, 2, 3}));
  bindings.buffers.push_back(HostBuffer(ir::Type::U32, std::size_t{0}));
  bindings.buffers.push_back(HostBuffer(ir::Type::F32, std::size_t{3}));
  bindings.params.push_back(Scalar::f32(2.0f));
  bindings.sizes = {3, 0};
  LaunchGeometry geometry;
  geometry.workgroup = (*pipeline)->workgroup();
  const Status status = backend->dispatch(**pipeline, bindings, geometry, {});
  ASSERT_TRUE(status.ok()) << show(status.error());
  EXPECT_EQ(bindings.buffers[2].to_vector<float>(), (std::vector<float>{2, 4, 6}));
}

// Each invocation spins `rounds` times; long enough to outlast a microsecond wait.
constexpr std::string_view kSpin = R"(kernel spin workgroup(64) {
  param rounds: u32
  buffer out: write u32[n]
  let i = global_id.x
  var acc = i
  for r in 0u..rounds {
    acc = acc * 1664525u + 1013904223u
  }
  if i < len(out) { out[i] = acc }
}
)";

TEST(CudaDispatch, ReadyPollsUntilDone) {
  REQUIRE_CUDA_DEVICE(backend);
  const ir::Program program = parse_or_die(kSpin);
  auto pipeline = backend->compile(program, {});
  ASSERT_TRUE(pipeline.ok()) << show(pipeline.error());
  Bindings bindings;
  bindings.buffers.push_back(HostBuffer(ir::Type::U32, std::size_t{256}));
  bindings.params.push_back(Scalar::u32(1000));
  bindings.sizes = {256};
  const LaunchGeometry geometry = make_geometry(program, bindings, (*pipeline)->workgroup());
  auto pending = backend->dispatch_async(**pipeline, bindings, geometry, {});
  ASSERT_TRUE(pending.ok()) << show(pending.error());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!(*pending)->ready() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  EXPECT_TRUE((*pending)->ready());
  EXPECT_TRUE((*pending)->wait(std::chrono::seconds(1)).ok());
}

// Pipelines compiled together (one NVRTC call, one cubin) each run their own kernel.
TEST(CudaDispatch, BatchCompiledExamplesMatchTheReference) {
  REQUIRE_CUDA_DEVICE(backend);
  std::vector<ir::Program> programs;
  for (const auto& file : testing::example_files()) {
    programs.push_back(parse_or_die(testing::read_text(file), file.filename().string()));
  }
  DispatchConfig config;
  auto compiled = backend->compile_many(vyre::testing::program_pointers(programs), config);
  ASSERT_EQ(compiled.size(), programs.size());
  for (std::size_t k = 0; k < programs.size(); ++k) {
    ASSERT_TRUE(compiled[k].ok()) << show(compiled[k].error());
    const Bindings inputs = make_bindings(programs[k], 3);
    const Bindings expected = run_reference(programs[k], inputs, config);
    const Bindings actual = run_cuda(*backend, **compiled[k], inputs, config);
    EXPECT_TRUE(outputs_match(programs[k], expected, actual, config.ulp_budget))
        << programs[k]->name;
  }
}

// An explicit reset destroys the primary context with every module and allocation in it; the
// pipeline the cache holds stays valid and reloads its module from its bytes in the new context,
// without a second compile.
TEST(CudaDispatch, ResetRebuildsTheContextAndReloadsWithoutRecompiling) {
  REQUIRE_CUDA_DEVICE(backend);
  const ir::Program program = parse_or_die(
      testing::read_text(std::filesystem::path(VYRE_SOURCE_DIR) / "examples" / "saxpy.vy"));
  auto cache = pipeline::PipelineCache::open({});  // memory only
  ASSERT_TRUE(cache.ok());
  auto first = (*cache)->obtain(*backend, program, {});
  ASSERT_TRUE(first.ok()) << show(first.error());
  const Bindings inputs = make_bindings(program, 11);
  const Bindings before = run_cuda(*backend, **first, inputs, {});

  const std::uint64_t generation = backend->context_generation();
  ASSERT_NE(generation, 0u);
  const Status reset = backend->reset_device();
  ASSERT_TRUE(reset.ok()) << show(reset.error());
  EXPECT_NE(backend->context_generation(), generation);
  EXPECT_FALSE(backend->health().has_value());

  pipeline::CacheOutcome outcome;
  auto again = (*cache)->obtain(*backend, program, {}, &outcome);
  ASSERT_TRUE(again.ok()) << show(again.error());
  EXPECT_EQ(outcome.tier, pipeline::CacheTier::Memory);
  const Bindings after = run_cuda(*backend, **again, inputs, {});
  EXPECT_EQ(after.buffers[1].bytes(), before.buffers[1].bytes());
  EXPECT_EQ((*cache)->snapshot().compiles, 1u);
  auto raw = backend->raw_handles(again->get());
  ASSERT_TRUE(raw.ok()) << show(raw.error());
  EXPECT_NE(raw->function, nullptr);
}

// Poisons the backend's context with a kernel that stores through a wild pointer, then checks
// what vyre reports: the faulting dispatch fails with CudaContextLost; afterwards either the
// rebuilt context runs the same pipeline again (module reloaded from its bytes), or, where the
// driver keeps the error for the life of the process, every dispatch fails with a diagnostic
// saying to restart. Never a crash. Exits 0 when the behaviour is one of those.
// For the death-test children: exit 1 with a message when `ok` is false.
void exit_unless(bool ok, const char* test, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "%s: %s\n", test, what.c_str());
  std::exit(1);
}

ir::Program saxpy_example() {
  return parse_or_die(
      testing::read_text(std::filesystem::path(VYRE_SOURCE_DIR) / "examples" / "saxpy.vy"));
}

Result<std::shared_ptr<pipeline::PipelineCache>> open_cache(const std::filesystem::path& dir) {
  pipeline::PipelineCacheOptions options;
  options.root = dir;
  return pipeline::PipelineCache::open(options);
}

[[noreturn]] void poison_and_recover(const std::filesystem::path& cache_dir) {
  auto backend = CudaBackend::create();
  if (!backend.ok()) {
    std::fprintf(stderr, "no CUDA device: %s\n", show(backend.error()).c_str());
    std::exit(3);
  }
  auto check = [](bool ok, const std::string& what) { exit_unless(ok, "poison test", what); };
  const ir::Program program = saxpy_example();
  auto cache = open_cache(cache_dir);
  check(cache.ok(), "cache did not open");
  auto pipeline = (*cache)->obtain(**backend, program, {});
  check(pipeline.ok(), "compile failed");
  check((*cache)->flush().ok(), "cache flush failed");
  const Bindings inputs = make_bindings(program, 5);
  Bindings first = inputs;
  const LaunchGeometry geometry = make_geometry(program, first, (*pipeline)->workgroup());
  check((*backend)->dispatch(**pipeline, first, geometry, {}).ok(), "first dispatch failed");

  const std::string source =
      "extern \"C\" __global__ void vyre_main(unsigned long long address) {\n"
      "  *reinterpret_cast<volatile int*>(address) = 1;\n"
      "}\n";
  CubinRequest request;
  request.source = source;
  request.arch = (*backend)->arch();
  request.kernel_name = "wild_store";
  auto cubin = compile_to_cubin(request);
  check(cubin.ok(), "wild kernel did not compile");
  auto raw = (*backend)->raw_handles();
  check(raw.ok(), "no raw handles");
  const DriverApi& api = *raw->api;
  CUmodule module = nullptr;
  CUfunction wild = nullptr;
  check(api.module_load_data(&module, cubin->bytes.data()) == CUDA_SUCCESS, "module load");
  check(api.module_get_function(&wild, module, cubin->entry.c_str()) == CUDA_SUCCESS, "function");
  unsigned long long address = 0x10;
  void* args[] = {&address};
  check(api.launch_kernel(wild, 1, 1, 1, 1, 1, 1, 0, raw->stream, args, nullptr) == CUDA_SUCCESS,
        "launch");
  const CUresult fault = api.stream_synchronize(raw->stream);
  check(poisons_context(fault), "no sticky fault: " + describe_error(api, fault));

  Bindings lost = inputs;
  const Status status = (*backend)->dispatch(**pipeline, lost, geometry, {});
  check(!status.ok(), "dispatch on a poisoned context succeeded");
  std::fprintf(stderr, "after the fault: %s\n", show(status.error()).c_str());
  check(status.error().code == code::DeviceLost, "not DeviceLost");

  Bindings again = inputs;
  const Status retry = (*backend)->dispatch(**pipeline, again, geometry, {});
  if (retry.ok()) {
    check(again.buffers[1].bytes() == first.buffers[1].bytes(), "wrong results after rebuild");
    std::fprintf(stderr, "recovered: the pipeline ran again on the rebuilt context\n");
  } else {
    std::fprintf(stderr, "retry: %s\n", show(retry.error()).c_str());
    check(retry.error().code == code::DeviceLost, "retry failed without DeviceLost");
    check(retry.error().help.find("restart") != std::string::npos, "retry help lacks restart");
    // Lost for the process: the backend says so, and routing will skip it.
    auto health = (*backend)->health();
    check(health.has_value() && health->code == code::DeviceLost, "health() not lost");
    std::fprintf(stderr, "lost: %s\n", health->message.c_str());
  }
  std::exit(0);
}

// A fresh process after the fault: the pipeline the faulting process cached comes back from the
// disk tier without recompiling and computes the same results as the reference.
[[noreturn]] void reload_after_fault(const std::filesystem::path& cache_dir) {
  auto check = [](bool ok, const std::string& what) { exit_unless(ok, "reload test", what); };
  auto backend = CudaBackend::create();
  check(backend.ok(), "no backend in the fresh process");
  const ir::Program program = saxpy_example();
  auto cache = open_cache(cache_dir);
  check(cache.ok(), "cache did not open");
  pipeline::CacheOutcome outcome;
  auto pipeline = (*cache)->obtain(**backend, program, {}, &outcome);
  check(pipeline.ok(), "obtain failed");
  check(outcome.tier == pipeline::CacheTier::Disk, "not a disk hit after the fault");
  check((*cache)->snapshot().compiles == 0, "recompiled");
  const Bindings inputs = make_bindings(program, 5);
  Bindings actual = inputs;
  const LaunchGeometry geometry = make_geometry(program, actual, (*pipeline)->workgroup());
  check((*backend)->dispatch(**pipeline, actual, geometry, {}).ok(), "dispatch failed");
  const Bindings expected = run_reference(program, inputs, {});
  check(actual.buffers[1].bytes() == expected.buffers[1].bytes(), "wrong results");
  std::fprintf(stderr, "reloaded from disk in %.3f ms, no compile\n",
               outcome.lookup_ms + outcome.load_ms);
  std::exit(0);
}

TEST(CudaDispatchDeathTest, PoisonedContextIsReportedAndRebuilt) {
  if (!probe_cuda().ok()) GTEST_SKIP() << "no CUDA device: " << probe_cuda().error().message;
  // A fresh process: a poisoned context may stay poisoned for the rest of the process.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // The death-test children re-run this function from the top (threadsafe style): they find the
  // cache folder the parent made through the environment they inherit.
  constexpr const char* kDirVariable = "VYRE_TEST_POISON_CACHE_DIR";
  const bool parent = std::getenv(kDirVariable) == nullptr;
  if (parent) {
    std::string pattern = (std::filesystem::temp_directory_path() / "vyre-poison-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    ::setenv(kDirVariable, pattern.c_str(), 1);
  }
  const std::filesystem::path dir = std::getenv(kDirVariable);
  EXPECT_EXIT(poison_and_recover(dir), ::testing::ExitedWithCode(0), "after the fault");
  EXPECT_EXIT(reload_after_fault(dir), ::testing::ExitedWithCode(0), "no compile");
  if (parent) {
    ::unsetenv(kDirVariable);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
}

TEST(CudaDispatch, FingerprintDescribesTheDevice) {
  REQUIRE_CUDA_DEVICE(backend);
  const DeviceFingerprint& fp = backend->fingerprint();
  EXPECT_NE(fp.device.find(backend->arch().name()), std::string::npos) << fp.device;
  EXPECT_NE(fp.driver.find("CUDA "), std::string::npos) << fp.driver;
  EXPECT_GE(backend->capabilities().max_workgroup_invocations, 1024u);
  std::cout << "cuda fingerprint: " << fp.describe() << "\n";
}

}  // namespace
}  // namespace vyre::cuda

#endif
