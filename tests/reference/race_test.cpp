// The reference backend's data-race detector (docs/IR.md section 8): a missing barrier in a
// shared-memory reduction and in a tiled matmul is reported with both accesses and invocations;
// the same kernels with their barriers, atomics, and each invocation's own element are not; two
// workgroups storing to one buffer element are; and the detector can be turned off.
#include <gtest/gtest.h>

#include <map>

#include "runtime/run_support.h"
#include "vyre/backends/reference.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

using testing::parse;

// Runs on a reference backend of its own, with race detection on or off.
Result<RunResult> run_reference(const ir::Program& program, RunInputs inputs, bool detect = true,
                                std::map<std::string, std::uint64_t> sizes = {}) {
  BackendRegistry registry;
  BackendProvider provider;
  provider.id = "reference";
  provider.origin = "race_test";
  provider.probe = [] { return Status(Ok{}); };
  provider.factory = [detect]() -> Result<std::shared_ptr<Backend>> {
    ReferenceOptions options;
    options.detect_races = detect;
    return make_reference_backend(options);
  };
  EXPECT_TRUE(registry.add(std::move(provider)).ok());
  Runtime runtime(registry);
  DispatchConfig config;
  config.allowed_backends = {"reference"};
  config.sizes = std::move(sizes);
  return runtime.run(program, std::move(inputs), config);
}

std::string reduction(bool with_barrier) {
  return std::string(R"(kernel reduce workgroup(64) {
  buffer x: read f32[n]
  buffer out: write f32[n]
  shared t: f32[64]
  let lid = local_id.x
  t[lid] = x[global_id.x]
  barrier()
  for s in 0u..6u {
    let stride = 32u >> s
    if lid < stride {
      t[lid] = t[lid] + t[lid + stride]
    }
)") + (with_barrier ? "    barrier()\n" : "") +
         R"(  }
  if lid == 0u {
    out[group_id.x] = t[0u]
  }
})";
}

RunInputs floats(const std::string& name, std::size_t n) {
  RunInputs in;
  std::vector<float> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<float>(i % 7);
  in.buffers[name] = HostBuffer::of(ir::Type::F32, values);
  return in;
}

TEST(RaceDetector, ReductionMissingABarrierNamesBothAccesses) {
  auto r = run_reference(parse(reduction(false)), floats("x", 128));
  ASSERT_FALSE(r.ok()) << "lockstep hid the missing barrier";
  const Diagnostic& d = r.error();
  EXPECT_EQ(d.code, code::DataRace);
  EXPECT_NE(d.message.find("shared array `t`"), std::string::npos) << d.message;
  // Lane 16 stores t[16] in the first step; lane 0 loads it in the second.
  EXPECT_NE(d.message.find("element 16"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("local_id (16, 0, 0) stores to it at 11:7"), std::string::npos)
      << d.message;
  EXPECT_NE(d.message.find("local_id (0, 0, 0) loads it at 11:25"), std::string::npos) << d.message;
  EXPECT_EQ(d.location.line, 11u);
  ASSERT_FALSE(d.notes.empty());
  EXPECT_EQ(d.notes[0].location.line, 11u);
  EXPECT_NE(d.help.find("barrier()"), std::string::npos);
}

TEST(RaceDetector, ReductionWithItsBarrierIsRaceFree) {
  auto r = run_reference(parse(reduction(true)), floats("x", 128));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->outputs.at("out").to_vector<float>()[0], 189.0f);  // 0+1+..+6 repeated
}

TEST(RaceDetector, TiledMatmulMissingItsSecondBarrier) {
  std::string source = testing::read_file(std::string(VYRE_SOURCE_DIR) + "/examples/matmul.vy");
  const std::string second = "    barrier()\n  }\n  if row";
  ASSERT_NE(source.find(second), std::string::npos);
  source.replace(source.find(second), second.size(), "  }\n  if row");
  const std::size_t m = 16, k = 48, n = 16;
  RunInputs in = floats("a", m * k);
  in.buffers["b"] = floats("b", k * n).buffers.at("b");
  const std::map<std::string, std::uint64_t> sizes = {{"m", m}, {"n", n}, {"k", k}};
  auto r = run_reference(parse(source), std::move(in), true, sizes);
  ASSERT_FALSE(r.ok());
  const Diagnostic& d = r.error();
  EXPECT_EQ(d.code, code::DataRace);
  EXPECT_NE(d.message.find("shared array `tile_a`"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("loads it at 34:"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("stores to it at 30:"), std::string::npos) << d.message;
  // Off, the same kernel runs (and, in lockstep, happens to compute the right product).
  RunInputs again = floats("a", m * k);
  again.buffers["b"] = floats("b", k * n).buffers.at("b");
  EXPECT_TRUE(run_reference(parse(source), std::move(again), /*detect=*/false, sizes).ok());
}

TEST(RaceDetector, BufferElementSharedWithinAWorkgroup) {
  auto r = run_reference(parse(R"(kernel neighbours workgroup(8) {
  buffer y: read_write u32[n]
  let i = global_id.x
  y[i] = i
  let left = y[(i + 7u) % 8u]
  y[i] = left
})"),
                         [] {
                           RunInputs in;
                           in.buffers["y"] = HostBuffer(ir::Type::U32, 8);
                           return in;
                         }());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code::DataRace);
  EXPECT_NE(r.error().message.find("buffer `y`"), std::string::npos) << r.error().message;
}

TEST(RaceDetector, TwoWorkgroupsStoringOneElement) {
  auto program = parse(R"(kernel last_wins workgroup(4) {
  buffer out: write u32[n]
  if local_id.x == 0u {
    out[0u] = group_id.x
  }
})");
  auto result = run_reference(program, {}, true, {{"n", 16}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code::DataRace);
  EXPECT_NE(result.error().message.find("workgroup (0, 0, 0)"), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("stores to it at 4:5"), std::string::npos)
      << result.error().message;
  EXPECT_TRUE(run_reference(program, {}, false, {{"n", 16}}).ok());
}

TEST(RaceDetector, AtomicsAndOwnElementsAreNotRaces) {
  auto program = parse(R"(kernel fine workgroup(64) {
  buffer out: read_write u32[n]
  buffer count: read_write u32[1]
  shared t: u32[64]
  let i = global_id.x
  atomic_add(count[0u], 1u)
  t[local_id.x] = t[local_id.x] + i
  out[i] = t[local_id.x]
  out[i] = out[i] + 1u
  barrier()
  out[i] = t[63u - local_id.x]
})");
  auto result = run_reference(program, {}, true, {{"n", 256}});
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->outputs.at("count").to_vector<std::uint32_t>()[0], 256u);
}

}  // namespace
}  // namespace vyre
