// The shared C-family generator (backends/common): golden properties of the generated source
// for every example in both dialects, and the helpers that make the IR's semantics explicit.
// (The CUDA text is compiled by NVRTC in tests/cuda; here OpenCL text is built by PoCL when a
// device exists.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "opencl_fixture.h"
#include "vyre/backends/c_emitter.h"
#include "vyre/backends/c_kernel_batch.h"
#include "vyre/ir/loop_status.h"
#include "vyre/ir/ops.h"
#include "vyre/ir/text.h"

namespace vyre::testing {
namespace {

using codegen::Dialect;

std::vector<std::filesystem::path> example_files() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(VYRE_SOURCE_DIR "/examples")) {
    if (entry.path().extension() == ".vy") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string emit(const ir::Program& program, Dialect dialect, std::uint32_t ulp = 4) {
  codegen::EmitOptions options;
  options.dialect = dialect;
  options.workgroup = program->workgroup;
  options.ulp_budget = ulp;
  options.int64_atomics = true;
  auto source = codegen::emit_c_kernel(program, options);
  EXPECT_TRUE(source.ok()) << (source.ok() ? "" : render(source.error()));
  return source.ok() ? source->source : std::string();
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class EmitExample : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(EmitExample, OpenClSourceHasTheContract) {
  auto program = ir::parse_program(read(GetParam()));
  ASSERT_TRUE(program.ok()) << render(program.error());
  std::string src = emit(*program, Dialect::OpenCL);
  EXPECT_TRUE(contains(src, "// vyre kernel `" + program->data().name + "`"));
  EXPECT_TRUE(contains(src, "// program digest " + to_hex(program->digest())));
  EXPECT_TRUE(contains(src, "#pragma OPENCL FP_CONTRACT OFF"));
  const auto& wg = program->data().workgroup;
  EXPECT_TRUE(contains(src, "__kernel __attribute__((reqd_work_group_size(" +
                                std::to_string(wg[0]) + ", " + std::to_string(wg[1]) + ", " +
                                std::to_string(wg[2]) + "))) void vyre_main("));
  for (const auto& buffer : program->data().buffers) {
    if (ir::is_loop_status_buffer(buffer)) {  // a generated name: no user name collides
      EXPECT_TRUE(contains(src, " vy_loop_status,"));
      EXPECT_TRUE(contains(src, "vy_u64 vy_len_loop_status"));
      continue;
    }
    EXPECT_TRUE(contains(src, " b_" + buffer.name + ",")) << buffer.name;
    EXPECT_TRUE(contains(src, "vy_u64 len_" + buffer.name)) << buffer.name;
  }
  EXPECT_FALSE(contains(src, "#include"));
  EXPECT_FALSE(contains(src, "native_"));
  EXPECT_FALSE(contains(src, "mad("));
}

TEST_P(EmitExample, CudaSourceNeedsNoHostHeaders) {
  auto program = ir::parse_program(read(GetParam()));
  ASSERT_TRUE(program.ok()) << render(program.error());
  std::string src = emit(*program, Dialect::Cuda);
  EXPECT_TRUE(contains(src, "extern \"C\" __global__ void __launch_bounds__("));
  EXPECT_TRUE(contains(src, "typedef unsigned long long vy_u64;"));
  EXPECT_FALSE(contains(src, "#include"));
  EXPECT_FALSE(contains(src, "__local"));
  EXPECT_FALSE(contains(src, "get_global_id"));
  EXPECT_FALSE(contains(src, "__expf"));
}

TEST_P(EmitExample, OpenClSourceBuildsOnTheDevice) {
  VYRE_REQUIRE_OPENCL();
  auto program = ir::parse_program(read(GetParam()));
  ASSERT_TRUE(program.ok()) << render(program.error());
  auto pipeline = opencl_backend()->compile(*program, {});
  EXPECT_TRUE(pipeline.ok()) << (pipeline.ok() ? "" : render(pipeline.error()));
}

INSTANTIATE_TEST_SUITE_P(Examples, EmitExample, ::testing::ValuesIn(example_files()),
                         [](const ::testing::TestParamInfo<std::filesystem::path>& param) {
                           return param.param.stem().string();
                         });

TEST(Codegen, SaxpyReadsLikeTheProgram) {
  auto program = parse(R"(kernel saxpy workgroup(256) {
    param a: f32
    buffer x: read f32[n]
    buffer y: read_write f32[n]
    let i = global_id.x
    if i < len(y) { y[i] = a * x[i] + y[i] }
  })");
  std::string src = emit(program, Dialect::OpenCL);
  EXPECT_TRUE(contains(src, "__global const vy_f32* restrict b_x"));
  EXPECT_TRUE(contains(src, "__global vy_f32* restrict b_y"));
  EXPECT_TRUE(contains(src, "vy_f32 p_a"));
  EXPECT_TRUE(contains(src, "vy_u32 s_n"));
  EXPECT_TRUE(contains(src, "const vy_u32 v_i = (vy_u32)get_global_id(0);"));
  EXPECT_TRUE(contains(src, "vy_store_global_f32(b_y, len_y, v_i, (p_a * vy_load_global_f32("));
  // 2-space indents inside the kernel.
  EXPECT_TRUE(contains(src, "\n  if (v_i < vy_len32(len_y)) {\n    vy_store"));
  std::string cuda = emit(program, Dialect::Cuda);
  EXPECT_TRUE(contains(cuda, "const vy_f32* __restrict__ b_x"));
  EXPECT_TRUE(contains(cuda, "const vy_u32 v_i = blockIdx.x * blockDim.x + threadIdx.x;"));
}

TEST(Codegen, SemanticsHelpersAreExplicit) {
  auto program = parse(R"(kernel ops workgroup(64) {
    buffer a: read i32[n]
    buffer f: read f32[n]
    buffer o: write i32[n]
    buffer c: read_write u64[n]
    let i = global_id.x
    let x = a[i]
    o[i] = (x + 1i) * x / (x - 3i) % x << x >> 2i
    o[i] = i32(f[i]) + abs(x) + ctz(x)
    let old = atomic_max(c[i], 5u64)
    for j in 0i..x step 3 { o[j] = j }
    while x > 0i max 10 { break }
  })");
  std::string src = emit(program, Dialect::OpenCL);
  for (std::string_view helper :
       {"vy_add_i32(vy_i32 a, vy_i32 b)", "vy_mul_i32", "vy_div_i32", "vy_rem_i32", "vy_shl_i32",
        "vy_shr_i32", "vy_f32_to_i32", "vy_abs_i32", "vy_ctz_i32", "vy_for_next_i32",
        "vy_atomic_max_global_u64", "atom_max(&m[i], v)",
        "#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable",
        "if (b == -1) return vy_neg_i32(a);", "if (x != x) return 0;", "return i < n ? m[i] : 0;",
        "vy_iteration_", " == 10UL) {", "vy_atomic_max_global_u32(vy_loop_status"}) {
    EXPECT_TRUE(contains(src, helper)) << helper << "\n" << src;
  }
  std::string cuda = emit(program, Dialect::Cuda);
  for (std::string_view helper : {"atomicMax(&m[i], v)", "__ffs((int)x)", "10ULL"}) {
    EXPECT_TRUE(contains(cuda, helper)) << helper << "\n" << cuda;
  }
}

TEST(Codegen, UlpBudgetChoosesTranscendentalPrecision) {
  auto program = parse(R"(kernel t workgroup(64) {
    buffer x: read_write f32[n]
    let i = global_id.x
    x[i] = pow(exp(x[i]), 2.0)
  })");
  std::string loose = emit(program, Dialect::OpenCL, 64);
  EXPECT_TRUE(contains(loose, "return exp(x);"));
  EXPECT_TRUE(contains(loose, "return pow(x, y);"));
  EXPECT_FALSE(contains(loose, "cl_khr_fp64"));
  std::string tight = emit(program, Dialect::OpenCL, 1);
  EXPECT_TRUE(contains(tight, "return (vy_f32)exp((vy_f64)x);"));
  EXPECT_TRUE(contains(tight, "#pragma OPENCL EXTENSION cl_khr_fp64 : enable"));
  std::string cuda = emit(program, Dialect::Cuda, 64);
  EXPECT_TRUE(contains(cuda, "return expf(x);"));
}

TEST(Codegen, LiteralsKeepTheirExactValue) {
  auto program = parse(R"(kernel lits workgroup(1) {
    buffer o: write f32[8]
    buffer q: write i64[2]
    o[0u] = 0.1
    o[1u] = -0.0
    o[2u] = f32.inf
    o[3u] = f32.nan
    o[4u] = 1e-45
    q[0u] = -9223372036854775808i64
  })");
  std::string src = emit(program, Dialect::OpenCL);
  EXPECT_TRUE(contains(src, "0.1f")) << src;
  EXPECT_TRUE(contains(src, "1u, -0.0f);")) << src;
  EXPECT_TRUE(contains(src, "as_float(0x7f800000u)")) << src;
  EXPECT_TRUE(contains(src, "as_float(0x7fc00000u)")) << src;
  EXPECT_TRUE(contains(src, "-9223372036854775807L - 1L);")) << src;
  std::string cuda = emit(program, Dialect::Cuda);
  EXPECT_TRUE(contains(cuda, "__uint_as_float(0x7f800000u)")) << cuda;
  EXPECT_TRUE(contains(cuda, "-9223372036854775807LL - 1LL);")) << cuda;
}

TEST(Codegen, NamesAreSanitisedAndPrefixed) {
  auto program = parse(R"(kernel k workgroup(1) {
    param int: u32
    buffer float: write u32[4]
    let kernel_ = int
    float[0u] = kernel_
  })");
  std::string src = emit(program, Dialect::OpenCL);
  EXPECT_TRUE(contains(src, "vy_u32 p_int")) << src;
  EXPECT_TRUE(contains(src, "b_float")) << src;
  EXPECT_TRUE(contains(src, "v_kernel_")) << src;
}

TEST(Codegen, MissingLoweringIsADiagnostic) {
  ASSERT_TRUE(ir::OpRegistry::global().add("vyre_test_unlowered", ir::OpSignature::FloatUnary, true,
                                           "an op no backend lowers"));
  auto program = parse(R"(kernel k workgroup(1) {
    buffer x: read_write f32[4]
    x[0u] = vyre_test_unlowered(x[0u])
  })");
  codegen::EmitOptions options;
  options.dialect = Dialect::OpenCL;
  auto source = codegen::emit_c_kernel(program, options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().code, "VY4005");
  EXPECT_TRUE(contains(source.error().message, "vyre_test_unlowered"));
}

TEST(Codegen, SupportedOpsComeFromTheDialectsOwnTable) {
  auto ops = codegen::lowered_ops(codegen::c_lowerings(Dialect::OpenCL));
  for (std::string_view op : {"sqrt", "fma", "pow", "min", "popcount", "clz", "ctz", "round"}) {
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
  }
  EXPECT_EQ(codegen::c_lowerings(Dialect::OpenCL).at("sqrt"), "sqrt({0})");
  EXPECT_EQ(codegen::c_lowerings(Dialect::Cuda).at("sqrt"), "sqrt{f}({0})");
}

// A lowering given to one emit call serves only that call: nothing is registered globally.
TEST(Codegen, ALoweringTableServesOnlyTheEmitItIsGivenTo) {
  ASSERT_TRUE(ir::OpRegistry::global().add("vyre_test_local", ir::OpSignature::FloatUnary, true,
                                           "an op one table lowers"));
  auto program = parse(R"(kernel k workgroup(1) {
    buffer x: read_write f32[4]
    x[0u] = vyre_test_local(x[0u])
  })");
  codegen::LoweringTable table = codegen::c_lowerings(Dialect::OpenCL);
  table["vyre_test_local"] = "(({0}) * 2.0f)";
  codegen::EmitOptions options;
  options.lowerings = &table;
  auto source = codegen::emit_c_kernel(program, options);
  ASSERT_TRUE(source.ok()) << source.error().message;
  EXPECT_TRUE(contains(source->source, "* 2.0f)")) << source->source;
  EXPECT_FALSE(codegen::emit_c_kernel(program, codegen::EmitOptions{}).ok());
}

TEST(Codegen, ABatchHasOnePreludeAndEachKernelUnderItsOwnEntry) {
  std::vector<ir::Program> programs;
  std::vector<codegen::KernelParts> parts;
  for (const auto& file : example_files()) {
    programs.push_back(*ir::parse_program(read(file)));
    codegen::EmitOptions options;
    options.workgroup = programs.back()->workgroup;
    options.int64_atomics = true;
    options.entry = codegen::batch_entry_name(programs.back());
    auto kernel = codegen::emit_c_kernel_parts(programs.back(), options);
    ASSERT_TRUE(kernel.ok()) << render(kernel.error());
    // The single-kernel source is exactly these parts assembled.
    options.entry = "vyre_main";
    auto single = codegen::emit_c_kernel(programs.back(), options);
    ASSERT_TRUE(single.ok());
    EXPECT_TRUE(contains(single->source, kernel->header));
    parts.push_back(std::move(kernel).value());
  }
  const std::string batch = codegen::emit_c_kernel_batch(parts);
  auto count = [&](std::string_view part) {
    std::size_t n = 0;
    for (std::size_t at = batch.find(part); at != std::string::npos; at = batch.find(part, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("#pragma OPENCL FP_CONTRACT OFF"), 1u);
  EXPECT_EQ(count("typedef uint vy_u32;"), 1u);
  EXPECT_EQ(count("static inline vy_u32 vy_len32("), 1u) << "a helper shared by many kernels";
  EXPECT_EQ(count("__kernel "), programs.size());
  EXPECT_EQ(count("void vyre_main("), 0u);
  for (const ir::Program& p : programs) {
    EXPECT_EQ(count("void " + codegen::batch_entry_name(p) + "("), 1u) << p->name;
  }
  EXPECT_EQ(codegen::batch_entry_name(programs[0]), "vyre_" + to_hex(programs[0].digest()));
}

}  // namespace
}  // namespace vyre::testing
