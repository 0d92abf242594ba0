// CUDA backend tests that need no GPU: NVRTC compilation of every example to an sm_90 cubin,
// the serialized pipeline format, NVRTC failures as diagnostics, architecture selection, and
// the provider's behaviour without a driver.
#include <gtest/gtest.h>

#if __has_include("vyre/backends/cuda/backend.h")  // the CUDA backend was built

#include <cstdlib>

#include "cuda_test_support.h"
#include "vyre/backends/builtin.h"
#include "vyre/backends/cuda/environment.h"
#include "vyre/backends/cuda/nvrtc_compiler.h"
#include "vyre/backends/cuda/pipeline_format.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/hash.h"
#include "vyre/registry/backend_registry.h"

namespace vyre::cuda {
namespace {

using testing::example_files;
using testing::parse_or_die;
using testing::show;

constexpr std::string_view kSaxpy = R"(kernel saxpy workgroup(256) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
}
)";

// A compile-only backend for sm_90 (on a machine with a GPU, the device's own backend).
std::shared_ptr<CudaBackend> offline_backend() {
  CudaBackendOptions options;
  options.require_device = false;
  auto backend = CudaBackend::create(options);
  if (!backend.ok()) {
    ADD_FAILURE() << show(backend.error());
    return nullptr;
  }
  return *backend;
}

// ELF header: class 64-bit, little-endian, e_machine EM_CUDA (190).
void expect_cuda_elf(const std::vector<std::uint8_t>& cubin) {
  ASSERT_GT(cubin.size(), 64u);
  EXPECT_TRUE(is_elf(cubin));
  EXPECT_EQ(cubin[4], 2) << "ELFCLASS64";
  EXPECT_EQ(cubin[5], 1) << "little-endian";
  EXPECT_EQ(cubin[18] | (cubin[19] << 8), 190) << "EM_CUDA";
}

void compile_and_check(const ir::Program& program) {
  auto backend = offline_backend();
  ASSERT_NE(backend, nullptr);
  DispatchConfig config;
  auto pipeline = backend->compile(program, config);
  ASSERT_TRUE(pipeline.ok()) << show(pipeline.error());
  auto bytes = backend->serialize(**pipeline);
  ASSERT_TRUE(bytes.ok()) << show(bytes.error());
  auto image = decode_cubin_image(*bytes);
  ASSERT_TRUE(image.ok()) << show(image.error());
  EXPECT_EQ(image->arch, backend->arch());
  EXPECT_EQ(image->workgroup, program->workgroup);
  EXPECT_EQ(image->program, program.digest());
  EXPECT_FALSE(image->entry.empty());
  expect_cuda_elf(image->cubin);
  // The cubin sits at a 16-byte offset: inside a malloc'd buffer it is aligned for the driver.
  EXPECT_EQ((bytes->size() - image->cubin.size()) % 16, 0u);

  // The disk-hit path: the bytes load back into an equivalent pipeline.
  auto loaded = backend->load(program, config, *bytes);
  ASSERT_TRUE(loaded.ok()) << show(loaded.error());
  EXPECT_EQ((*loaded)->workgroup(), (*pipeline)->workgroup());
  auto again = backend->serialize(**loaded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
}

class CudaCompileExample : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(CudaCompileExample, CompilesToCubin) {
  const std::string text = testing::read_text(GetParam());
  compile_and_check(parse_or_die(text, GetParam().filename().string()));
}

INSTANTIATE_TEST_SUITE_P(Examples, CudaCompileExample, ::testing::ValuesIn(example_files()),
                         testing::example_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CudaCompileExample);

TEST(CudaCompile, SaxpyCompilesForSm90) {
  auto backend = offline_backend();
  ASSERT_NE(backend, nullptr);
  if (!backend->has_device() && !env_value(kArchVariable)) {
    EXPECT_EQ(backend->arch().name(), "sm_90");
  }
  compile_and_check(parse_or_die(kSaxpy));
}

TEST(CudaCompile, WorkgroupOverrideIsCompiledIn) {
  auto backend = offline_backend();
  ASSERT_NE(backend, nullptr);
  const ir::Program program = parse_or_die(kSaxpy);
  DispatchConfig config;
  config.workgroup_override = std::array<std::uint32_t, 3>{128, 1, 1};
  auto pipeline = backend->compile(program, config);
  ASSERT_TRUE(pipeline.ok()) << show(pipeline.error());
  EXPECT_EQ((*pipeline)->workgroup()[0], 128u);
  auto bytes = backend->serialize(**pipeline);
  ASSERT_TRUE(bytes.ok());
  // Loading under another workgroup policy must not reuse these bytes.
  auto wrong = backend->load(program, DispatchConfig{}, *bytes);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, code::BadPipelineBytes);
}

TEST(CudaCompile, FingerprintNamesArchAndCompiler) {
  auto backend = offline_backend();
  ASSERT_NE(backend, nullptr);
  const DeviceFingerprint& fp = backend->fingerprint();
  EXPECT_EQ(fp.vendor, "NVIDIA Corporation");
  EXPECT_NE(fp.device.find(backend->arch().name()), std::string::npos) << fp.device;
  EXPECT_EQ(fp.compiler.rfind("nvrtc ", 0), 0u) << fp.compiler;
  // The generator and the serialized format are part of it: a change to either must miss.
  EXPECT_NE(fp.compiler.find(codegen::kCodegenRevision), std::string::npos) << fp.compiler;
  EXPECT_NE(fp.compiler.find("cubin format " + std::to_string(kCubinFormatVersion)),
            std::string::npos)
      << fp.compiler;
  EXPECT_FALSE(fp.driver.empty());
}

TEST(CudaCompile, SupportedOpsComeFromTheCLowerings) {
  auto backend = offline_backend();
  ASSERT_NE(backend, nullptr);
  const std::vector<std::string> ops = backend->supported_ops();
  EXPECT_NE(std::find(ops.begin(), ops.end(), "sqrt"), ops.end());
}

TEST(CudaNvrtc, CompileErrorBecomesDiagnosticWithSourceLine) {
  const std::string source =
      "extern \"C\" __global__ void vyre_main(float* out) {\n"
      "  out[0] = 1.0f;\n"
      "  out[1] = undefined_name + 2.0f;\n"
      "}\n";
  CubinRequest request;
  request.source = source;
  request.kernel_name = "broken";
  auto cubin = compile_to_cubin(request);
  ASSERT_FALSE(cubin.ok());
  const Diagnostic& d = cubin.error();
  EXPECT_EQ(d.code, code::NvrtcCompileFailed);
  EXPECT_NE(d.message.find("broken"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("undefined_name"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("vyre_kernel.cu:3"), std::string::npos) << d.message;
  ASSERT_FALSE(d.notes.empty());
  EXPECT_NE(d.notes[0].message.find("3 | out[1] = undefined_name + 2.0f;"), std::string::npos)
      << d.notes[0].message;
  EXPECT_FALSE(d.help.empty());
}

TEST(CudaNvrtc, CompilesRawSourceToCubin) {
  const std::string source = "extern \"C\" __global__ void vyre_main(float* out) { out[0] = 1; }\n";
  CubinRequest request;
  request.source = source;
  request.kernel_name = "tiny";
  auto cubin = compile_to_cubin(request);
  ASSERT_TRUE(cubin.ok()) << show(cubin.error());
  EXPECT_EQ(cubin->entry, "vyre_main");
  expect_cuda_elf(cubin->bytes);
}

TEST(CudaNvrtc, ParsesLogLines) {
  const auto entries = parse_nvrtc_log(
      "vyre_kernel.cu(12): error: identifier \"x\" is undefined\n"
      "      x = 1;\n"
      "      ^\n\n"
      "vyre_kernel.cu(40): warning #177-D: variable \"y\" was declared but never referenced\n"
      "1 error detected in the compilation of \"vyre_kernel.cu\".\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].line, 12u);
  EXPECT_EQ(entries[0].severity, "error");
  EXPECT_EQ(entries[0].message, "identifier \"x\" is undefined");
  EXPECT_EQ(entries[1].line, 40u);
  EXPECT_EQ(entries[1].severity, "warning");
}

TEST(CudaNvrtc, OptionsForbidContractionAndFastMath) {
  const auto options = nvrtc_options(CudaArch{9, 0, 'a'});
  EXPECT_NE(std::find(options.begin(), options.end(), "-arch=sm_90a"), options.end());
  EXPECT_NE(std::find(options.begin(), options.end(), "--fmad=false"), options.end());
  EXPECT_NE(std::find(options.begin(), options.end(), "--ftz=false"), options.end());
  EXPECT_EQ(std::find(options.begin(), options.end(), "--use_fast_math"), options.end());
}

TEST(CudaArchTest, ParsesAndNames) {
  auto a = parse_arch("sm_90a", "--arch");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->major, 9);
  EXPECT_EQ(a->minor, 0);
  EXPECT_EQ(a->suffix, 'a');
  EXPECT_EQ(a->name(), "sm_90a");
  auto b = parse_arch("120", "--arch");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->name(), "sm_120");
  for (std::string_view bad : {"", "sm_", "compute_90", "sm_9", "sm_90x", "sm_1234", "sm_30"}) {
    auto parsed = parse_arch(bad, "VYRE_CUDA_ARCH");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, code::CudaBadArch);
  }
}

TEST(CudaArchTest, CompatibilityRules) {
  EXPECT_TRUE(arch_runs_on({9, 0, 0}, 9, 0));
  EXPECT_TRUE(arch_runs_on({8, 0, 0}, 8, 6));
  EXPECT_FALSE(arch_runs_on({8, 6, 0}, 8, 0));
  EXPECT_FALSE(arch_runs_on({8, 0, 0}, 9, 0));
  EXPECT_TRUE(arch_runs_on({9, 0, 'a'}, 9, 0));
  EXPECT_FALSE(arch_runs_on({10, 0, 'a'}, 10, 3));
  EXPECT_TRUE(arch_runs_on({10, 0, 'f'}, 10, 3));
}

TEST(CudaArchTest, ExplicitArchWithoutDevice) {
  if (probe_cuda().ok()) GTEST_SKIP() << "a CUDA device decides the architecture here";
  CudaBackendOptions options;
  options.require_device = false;
  options.arch = "sm_80";
  auto backend = CudaBackend::create(options);
  ASSERT_TRUE(backend.ok()) << show(backend.error());
  EXPECT_EQ((*backend)->arch().name(), "sm_80");
  EXPECT_NE((*backend)->fingerprint().device.find("sm_80"), std::string::npos);

  options.arch = "sm_13";
  auto bad = CudaBackend::create(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, code::CudaBadArch);
}

class CudaPipelineFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = offline_backend();
    ASSERT_NE(backend_, nullptr);
    auto pipeline = backend_->compile(program_, config_);
    ASSERT_TRUE(pipeline.ok()) << show(pipeline.error());
    bytes_ = *backend_->serialize(**pipeline);
  }
  Result<std::shared_ptr<const CompiledPipeline>> load(const std::vector<std::uint8_t>& bytes) {
    return backend_->load(program_, config_, bytes);
  }
  std::shared_ptr<CudaBackend> backend_;
  ir::Program program_ = parse_or_die(kSaxpy);
  DispatchConfig config_;
  std::vector<std::uint8_t> bytes_;
};

TEST_F(CudaPipelineFormat, RejectsAnotherArchitecture) {
  auto image = decode_cubin_image(bytes_);
  ASSERT_TRUE(image.ok());
  image->arch = backend_->arch().suffix == 'a' ? CudaArch{backend_->arch().major, 0, 0}
                                               : CudaArch{backend_->arch().major, 0, 'a'};
  auto loaded = load(encode_cubin_image(*image));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, code::CubinArchMismatch);
  EXPECT_NE(loaded.error().message.find(image->arch.name()), std::string::npos);
}

TEST_F(CudaPipelineFormat, RejectsTruncatedAndCorruptBytes) {
  for (std::size_t keep : {std::size_t{0}, std::size_t{7}, std::size_t{20}, bytes_.size() - 1}) {
    std::vector<std::uint8_t> cut(bytes_.begin(), bytes_.begin() + static_cast<long>(keep));
    auto loaded = load(cut);
    ASSERT_FALSE(loaded.ok()) << keep;
    EXPECT_EQ(loaded.error().code, code::BadPipelineBytes) << keep;
  }
  std::vector<std::uint8_t> bad_magic = bytes_;
  bad_magic[0] ^= 0xff;
  EXPECT_FALSE(load(bad_magic).ok());
  std::vector<std::uint8_t> trailing = bytes_;
  trailing.push_back(0);
  EXPECT_FALSE(load(trailing).ok());
  // The padding between header and cubin must be zero.
  auto image = decode_cubin_image(bytes_);
  ASSERT_TRUE(image.ok());
  const std::size_t header = 8 + 4 + (4 + image->arch.name().size()) + (4 + image->entry.size()) +
                             4 + 5 * image->args.size() + 12 + 32 + 8;
  const std::size_t cubin_at = bytes_.size() - image->cubin.size();
  ASSERT_GE(cubin_at, header);
  ASSERT_LT(cubin_at - header, 16u);
  if (cubin_at > header) {
    std::vector<std::uint8_t> dirty = bytes_;
    dirty[cubin_at - 1] = 1;
    auto loaded = load(dirty);
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().message.find("padding"), std::string::npos) << loaded.error().message;
  }
  std::vector<std::uint8_t> version = bytes_;
  version[8] = 99;
  auto wrong_version = load(version);
  ASSERT_FALSE(wrong_version.ok());
  EXPECT_NE(wrong_version.error().message.find("version"), std::string::npos);
}

TEST_F(CudaPipelineFormat, RejectsBytesOfAnotherProgram) {
  const ir::Program other = parse_or_die(R"(kernel other workgroup(256) {
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = y[i] * 2.0 }
}
)");
  auto loaded = backend_->load(other, config_, bytes_);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, code::BadPipelineBytes);
}

// A header whose argument list is not the program's ABI is refused, even with the right digest.
TEST_F(CudaPipelineFormat, RejectsArgumentsThatAreNotTheProgramsAbi) {
  auto image = decode_cubin_image(bytes_);
  ASSERT_TRUE(image.ok());
  const std::vector<codegen::KernelArg> abi = image->args;
  ASSERT_EQ(abi.size(), 6u);  // x pointer and length, y pointer and length, param a, size n
  EXPECT_TRUE(codegen::has_kernel_args(abi, program_));
  std::vector<std::vector<codegen::KernelArg>> wrong(5, abi);
  wrong[0].pop_back();                                   // one missing
  wrong[1].push_back({codegen::KernelArg::Size, 0});     // one extra
  wrong[2][4].index = 1;                                 // another param
  wrong[3][1].kind = codegen::KernelArg::BufferPointer;  // another kind
  std::swap(wrong[4][0], wrong[4][2]);                   // another order
  for (std::size_t i = 0; i < wrong.size(); ++i) {
    EXPECT_FALSE(codegen::has_kernel_args(wrong[i], program_)) << i;
    CubinImage changed = *image;
    changed.args = wrong[i];
    auto loaded = load(encode_cubin_image(changed));
    ASSERT_FALSE(loaded.ok()) << i;
    EXPECT_EQ(loaded.error().code, code::BadPipelineBytes) << i;
  }
  EXPECT_TRUE(load(encode_cubin_image(*image)).ok());
}

// Every example in one NVRTC compile: each pipeline keeps the batch's cubin with its own entry,
// round-trips through serialize/load, and its bytes are refused for any other program.
TEST(CudaCompile, ExamplesCompileAsOneBatch) {
  auto backend = offline_backend();
  ASSERT_NE(backend, nullptr);
  std::vector<ir::Program> programs;
  for (const auto& file : example_files()) {
    programs.push_back(parse_or_die(testing::read_text(file), file.filename().string()));
  }
  ASSERT_GE(programs.size(), 2u);
  std::vector<const ir::Program*> pointers;
  for (const ir::Program& p : programs) pointers.push_back(&p);
  DispatchConfig config;
  auto compiled = backend->compile_many(pointers, config);
  ASSERT_EQ(compiled.size(), programs.size());
  std::vector<std::uint8_t> first_cubin;
  for (std::size_t k = 0; k < programs.size(); ++k) {
    ASSERT_TRUE(compiled[k].ok()) << programs[k]->name << ": " << show(compiled[k].error());
    auto bytes = backend->serialize(**compiled[k]);
    ASSERT_TRUE(bytes.ok());
    auto image = decode_cubin_image(*bytes);
    ASSERT_TRUE(image.ok()) << show(image.error());
    EXPECT_EQ(image->entry, "vyre_" + to_hex(programs[k].digest()));
    EXPECT_EQ(image->program, programs[k].digest());
    expect_cuda_elf(image->cubin);
    if (k == 0) first_cubin = image->cubin;
    EXPECT_EQ(image->cubin, first_cubin) << "one cubin for the whole batch";
    auto loaded = backend->load(programs[k], config, *bytes);
    ASSERT_TRUE(loaded.ok()) << show(loaded.error());
    const ir::Program& other = programs[(k + 1) % programs.size()];
    auto refused = backend->load(other, config, *bytes);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, code::BadPipelineBytes);
  }
}

// A batch of one is an ordinary compile(), with the ordinary entry name.
TEST(CudaCompile, BatchOfOneIsAnOrdinaryCompile) {
  auto backend = offline_backend();
  ASSERT_NE(backend, nullptr);
  const ir::Program program = parse_or_die(kSaxpy);
  const ir::Program* one[] = {&program};
  auto compiled = backend->compile_many(one, {});
  ASSERT_EQ(compiled.size(), 1u);
  ASSERT_TRUE(compiled[0].ok()) << show(compiled[0].error());
  auto image = decode_cubin_image(*backend->serialize(**compiled[0]));
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->entry, "vyre_main");
}

TEST(CudaDriver, FailedCallsBecomeDiagnostics) {
  DriverApi no_driver;  // no entry points: describe_error falls back to the number
  const Diagnostic oom =
      driver_error(no_driver, CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc", "allocating buffer `y`");
  EXPECT_EQ(oom.code, code::DeviceOutOfMemory);
  EXPECT_NE(oom.message.find("cuMemAlloc"), std::string::npos) << oom.message;
  const Diagnostic invalid =
      driver_error(no_driver, CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel", "launching `saxpy`");
  EXPECT_EQ(invalid.code, code::DeviceApiError);
  EXPECT_NE(invalid.message.find("launching `saxpy`"), std::string::npos) << invalid.message;
  EXPECT_TRUE(poisons_context(CUDA_ERROR_ILLEGAL_ADDRESS));
  EXPECT_TRUE(poisons_context(CUDA_ERROR_LAUNCH_FAILED));
  EXPECT_FALSE(poisons_context(CUDA_ERROR_OUT_OF_MEMORY));
  EXPECT_FALSE(poisons_context(CUDA_ERROR_INVALID_VALUE));
}

TEST(CudaProvider, RegisteredAsBuiltin) {
  BackendRegistry registry;
  ASSERT_TRUE(register_builtin_backends(registry).ok());
  EXPECT_TRUE(registry.has("cuda"));
  bool listed = false;
  for (const BackendStatus& status : registry.list()) {
    if (status.id != "cuda") continue;
    listed = true;
    EXPECT_EQ(status.origin, "backends/cuda");
    if (!status.available) {
      ASSERT_TRUE(status.why_unavailable.has_value());
      EXPECT_EQ(status.why_unavailable->code, code::BackendUnavailable)
          << show(*status.why_unavailable);
    }
  }
  EXPECT_TRUE(listed);
}

TEST(CudaProvider, ProbeExplainsMissingDriver) {
  const Status probe = probe_cuda();
  if (probe.ok()) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_EQ(probe.error().code, code::BackendUnavailable);
  EXPECT_FALSE(probe.error().message.empty());
  EXPECT_FALSE(probe.error().help.empty());
  // Requiring a device then fails with the same kind of diagnostic, never a crash.
  auto backend = CudaBackend::create();
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.error().code, code::BackendUnavailable);
}

TEST(CudaProvider, CompileOnlyBackendRefusesDispatch) {
  if (probe_cuda().ok()) GTEST_SKIP() << "a CUDA device is present";
  auto backend = offline_backend();
  ASSERT_NE(backend, nullptr);
  const ir::Program program = parse_or_die(kSaxpy);
  auto pipeline = backend->compile(program, {});
  ASSERT_TRUE(pipeline.ok());
  Bindings bindings = testing::make_bindings(program);
  const LaunchGeometry geometry =
      testing::make_geometry(program, bindings, (*pipeline)->workgroup());
  const Status status = backend->dispatch(**pipeline, bindings, geometry, {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, code::CudaNoDevice);
}

}  // namespace
}  // namespace vyre::cuda

#else  // built without the CUDA toolkit: the provider is listed as unavailable

#include "vyre/backends/builtin.h"
#include "vyre/diag/codes.h"
#include "vyre/registry/backend_registry.h"

namespace vyre {
namespace {

TEST(CudaProvider, ListedAsNotBuilt) {
  BackendRegistry registry;
  ASSERT_TRUE(register_builtin_backends(registry).ok());
  auto backend = registry.acquire("cuda");
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.error().code, code::BackendUnavailable);
}

}  // namespace
}  // namespace vyre

#endif
