// compile_many on OpenCL: many programs' kernels built as one cl_program. Every kernel of a batch
// (different workgroup sizes, shared memory, f64, 64-bit atomics, equal digests) dispatches and
// matches the reference backend; a program that breaks the batch's build gets its own
// diagnostic while the others compile; a batched pipeline serializes and loads its own kernel,
// also through Runtime::precompile and a disk cache read by a fresh cache.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "opencl_fixture.h"
#include "vyre/backends/builtin.h"
#include "vyre/backends/c_kernel_batch.h"
#include "vyre/backends/opencl/backend.h"
#include "vyre/ir/ops.h"
#include "vyre/runtime/runtime.h"

namespace vyre::testing {
namespace {

class OpenClBatchTest : public ::testing::Test {
 protected:
  void SetUp() override { VYRE_REQUIRE_OPENCL(); }
  Backend& backend() { return *opencl_backend(); }
};

std::vector<const ir::Program*> pointers(const std::vector<ir::Program>& programs) {
  std::vector<const ir::Program*> out;
  for (const ir::Program& p : programs) out.push_back(&p);
  return out;
}

std::string text_of(std::span<const std::uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

const std::map<std::string, std::uint64_t> kSizes = {
    {"n", 1000}, {"g", 4}, {"w", 37}, {"h", 23}, {"m", 19}, {"k", 21}, {"cols", 45}, {"rows", 29}};

// Runs `pipeline` and the reference on the same pseudo-random inputs; "" when they agree.
std::string compare_with_reference(Backend& backend, const CompiledPipeline& pipeline) {
  const ir::Program& program = pipeline.program();
  std::map<std::string, Scalar> params;
  if (program->name == "mandelbrot") {
    params = {
        {"x0", Scalar::f32(-2.0f)}, {"y0", Scalar::f32(-1.2f)}, {"scale", Scalar::f32(0.07f)}};
  }
  Bindings expected = make_bindings(program, kSizes, 11, params);
  Bindings actual = expected;
  Status ref = run(*reference_backend(), program, expected);
  if (!ref.ok()) return "reference: " + render(ref.error());
  LaunchGeometry g = geometry_for(program, actual, pipeline.workgroup());
  Status ran = backend.dispatch(pipeline, actual, g, {});
  if (!ran.ok()) return render(ran.error());
  for (std::size_t i = 0; i < program->buffers.size(); ++i) {
    if (!ir::can_write(program->buffers[i].access)) continue;
    std::string mismatch = compare_buffers(expected.buffers[i], actual.buffers[i]);
    if (!mismatch.empty()) return "buffer `" + program->buffers[i].name + "`: " + mismatch;
  }
  return "";
}

std::vector<ir::Program> examples() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(VYRE_SOURCE_DIR "/examples")) {
    if (entry.path().extension() == ".vy") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<ir::Program> out;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    out.push_back(parse(text.str()));
  }
  return out;
}

// y[i] * factor: programs with one ABI, so only the entry name tells their kernels apart.
ir::Program times(std::uint32_t factor) {
  return parse("kernel times" + std::to_string(factor) +
               " workgroup(32) {\n  buffer y: read_write u32[n]\n  let i = global_id.x\n"
               "  if i < n { y[i] = y[i] * " +
               std::to_string(factor) + "u }\n}\n");
}

TEST_F(OpenClBatchTest, EveryKernelOfABatchRunsAndMatchesTheReference) {
  std::vector<ir::Program> programs = examples();
  ASSERT_GE(programs.size(), 8u);
  // The same saxpy with other local names: an equal digest, so one shared kernel.
  programs.push_back(parse(R"(kernel saxpy_renamed workgroup(256) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let j = global_id.x
  if j < len(y) {
    y[j] = a * x[j] + y[j]
  }
})"));
  const auto saxpy = std::find_if(programs.begin(), programs.end(),
                                  [](const ir::Program& p) { return p->name == "saxpy"; });
  ASSERT_NE(saxpy, programs.end());
  ASSERT_EQ(saxpy->digest(), programs.back().digest());
  const Capabilities& caps = backend().capabilities();
  if (caps.f64) {
    programs.push_back(parse(R"(kernel halves workgroup(16) {
  buffer x: read_write f64[n]
  let i = global_id.x
  if i < n { x[i] = x[i] / 3.0 + sqrt(abs(x[i])) }
})"));
  }
  if (caps.atomics64) {
    programs.push_back(parse(R"(kernel wide_atomics workgroup(64) dispatch(n) {
  buffer wide: read_write i64[2]
  let i = global_id.x
  atomic_min(wide[0u], -i64(i))
  atomic_add(wide[1u], 4294967296i64)
})"));
  }
  auto results = backend().compile_many(pointers(programs), {});
  ASSERT_EQ(results.size(), programs.size());
  for (std::size_t i = 0; i < programs.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << programs[i]->name << ": " << render(results[i].error());
    EXPECT_EQ(&(*results[i])->program().data(), &programs[i].data());
    EXPECT_EQ((*results[i])->workgroup(), programs[i]->workgroup);
    EXPECT_EQ(compare_with_reference(backend(), **results[i]), "") << programs[i]->name;
  }
  // Built together: each batched kernel has its program's own entry name.
  auto bytes = backend().serialize(**results[0]);
  ASSERT_TRUE(bytes.ok()) << render(bytes.error());
  EXPECT_NE(text_of(*bytes).find(codegen::batch_entry_name(programs[0])), std::string::npos);
}

TEST_F(OpenClBatchTest, AProgramThatBreaksTheBuildGetsItsOwnDiagnostic) {
  ASSERT_TRUE(ir::OpRegistry::global().add("vyre_test_batch_broken", ir::OpSignature::FloatUnary,
                                           true, "an op whose OpenCL lowering does not compile"));

  ASSERT_TRUE(ir::OpRegistry::global().add("vyre_test_batch_unlowered", ir::OpSignature::FloatUnary,
                                           true, "an op with no OpenCL lowering"));
  std::vector<ir::Program> programs = {times(2),
                                       times(3),
                                       parse(R"(kernel broken workgroup(1) {
    buffer x: read_write f32[4]
    x[0u] = vyre_test_batch_broken(x[1u])
  })"),
                                       times(5),
                                       parse(R"(kernel unlowered workgroup(1) {
    buffer x: read_write f32[4]
    x[0u] = vyre_test_batch_unlowered(x[1u])
  })"),
                                       times(7)};
  opencl::OpenClBackendOptions options;
  options.extra_lowerings = {{"vyre_test_batch_broken", "(({0}) + * vyre_batch_broken)"}};
  auto broken_backend = opencl::make_opencl_backend(options);
  ASSERT_TRUE(broken_backend.ok()) << render(broken_backend.error());
  auto results = (*broken_backend)->compile_many(pointers(programs), {});
  ASSERT_EQ(results.size(), programs.size());
  for (std::size_t i : {0u, 1u, 3u, 5u}) {
    ASSERT_TRUE(results[i].ok()) << programs[i]->name << ": " << render(results[i].error());
    EXPECT_EQ(compare_with_reference(**broken_backend, **results[i]), "") << programs[i]->name;
  }
  ASSERT_FALSE(results[2].ok());
  const Diagnostic& d = results[2].error();
  EXPECT_EQ(d.code, "VY4101");  // KernelBuildFailed (was VY6003)
  EXPECT_NE(d.message.find("kernel `broken`"), std::string::npos) << d.message;
  bool quoted = false;
  for (const Note& note : d.notes) {
    quoted = quoted || note.message.find("vyre_batch_broken") != std::string::npos;
  }
  EXPECT_TRUE(quoted) << render(d);
  ASSERT_FALSE(results[4].ok());
  EXPECT_EQ(results[4].error().code, "VY4005") << render(results[4].error());
}

TEST_F(OpenClBatchTest, ABatchedPipelineSerializesAndLoadsItsOwnKernel) {
  std::vector<ir::Program> programs = {times(2), times(3), times(5)};
  auto results = backend().compile_many(pointers(programs), {});
  for (const auto& r : results) ASSERT_TRUE(r.ok()) << render(r.error());
  auto bytes = backend().serialize(**results[1]);
  ASSERT_TRUE(bytes.ok()) << render(bytes.error());
  const std::string entry = codegen::batch_entry_name(programs[1]);
  ASSERT_NE(text_of(*bytes).find(entry), std::string::npos);

  // The whole batch's binary, loaded for times3, runs times3's kernel.
  auto loaded = backend().load(programs[1], {}, *bytes);
  ASSERT_TRUE(loaded.ok()) << render(loaded.error());
  Bindings bindings = make_bindings(programs[1], {{"n", 100}}, 3);
  const std::vector<std::uint32_t> before = bindings.buffers[0].to_vector<std::uint32_t>();
  LaunchGeometry g = geometry_for(programs[1], bindings, (*loaded)->workgroup());
  ASSERT_TRUE(backend().dispatch(**loaded, bindings, g, {}).ok());
  const std::vector<std::uint32_t> after = bindings.buffers[0].to_vector<std::uint32_t>();
  for (std::size_t i = 0; i < before.size(); ++i) ASSERT_EQ(after[i], before[i] * 3u) << i;

  // Never another program's kernel: not for another program, nor under another entry name.
  auto other = backend().load(programs[2], {}, *bytes);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, "VY4019");
  std::vector<std::uint8_t> renamed = *bytes;
  const std::string foreign = codegen::batch_entry_name(programs[2]);
  const std::size_t at = text_of(renamed).find(entry);  // the header's entry name comes first
  std::copy(foreign.begin(), foreign.end(), renamed.begin() + static_cast<std::ptrdiff_t>(at));
  auto renamed_load = backend().load(programs[1], {}, renamed);
  ASSERT_FALSE(renamed_load.ok());
  EXPECT_EQ(renamed_load.error().code, "VY4019");
  EXPECT_NE(renamed_load.error().message.find("not this program's"), std::string::npos)
      << renamed_load.error().message;
}

// Through the runtime and a disk cache: precompiled in one batch, stored, and loaded by a fresh
// cache (as by a new process), each program still runs its own kernel.
TEST_F(OpenClBatchTest, PrecompiledBatchServedFromDiskRunsEachProgramsOwnKernel) {
  BackendRegistry registry;
  ASSERT_TRUE(register_builtin_backends(registry).ok());
  const auto root =
      std::filesystem::temp_directory_path() / ("vyre-batch-cache-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  pipeline::PipelineCacheOptions options;
  options.root = root;
  options.persist_stats = false;
  std::vector<ir::Program> programs = {times(13), times(17), times(19)};
  DispatchConfig config;
  config.allowed_backends = {"opencl"};
  {
    Runtime runtime(registry, pipeline::PipelineCache::open(options).value());
    auto results = runtime.precompile(pointers(programs), config);
    for (const auto& r : results) {
      ASSERT_TRUE(r.ok()) << render(r.error());
      EXPECT_EQ(r->cache.batch_size, 3u);
    }
  }
  Runtime fresh(registry, pipeline::PipelineCache::open(options).value());
  const std::uint32_t factors[] = {13, 17, 19};
  for (std::size_t k = 0; k < programs.size(); ++k) {
    RunInputs in;
    in.buffers["y"] = HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>{1, 2, 3});
    auto run = fresh.run(programs[k], in, config);
    ASSERT_TRUE(run.ok()) << render(run.error());
    EXPECT_EQ(run->report.cache->tier, pipeline::CacheTier::Disk) << run->report.cache_outcome;
    EXPECT_EQ(run->outputs.at("y").to_vector<std::uint32_t>(),
              (std::vector<std::uint32_t>{factors[k], 2 * factors[k], 3 * factors[k]}));
  }
  std::filesystem::remove_all(root);
}

TEST_F(OpenClBatchTest, ABatchOverTheBuildLimitIsBuiltInParts) {
  std::vector<ir::Program> programs;
  for (std::uint32_t f = 0; f < opencl::kMaxKernelsPerBuild + 3; ++f) programs.push_back(times(f));
  auto results = backend().compile_many(pointers(programs), {});
  ASSERT_EQ(results.size(), programs.size());
  for (const auto& r : results) ASSERT_TRUE(r.ok()) << render(r.error());
  EXPECT_EQ(compare_with_reference(backend(), *results.back().value()), "");
}

TEST_F(OpenClBatchTest, ABatchOfOneIsAnOrdinaryCompile) {
  std::vector<ir::Program> programs = {times(11)};
  auto results = backend().compile_many(pointers(programs), {});
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].ok()) << render(results[0].error());
  auto bytes = backend().serialize(**results[0]);
  ASSERT_TRUE(bytes.ok());
  EXPECT_NE(text_of(*bytes).find("vyre_main"), std::string::npos);
  EXPECT_EQ(text_of(*bytes).find(codegen::batch_entry_name(programs[0])), std::string::npos);
}

}  // namespace
}  // namespace vyre::testing
