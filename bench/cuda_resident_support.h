// What the resident-buffer CUDA benchmarks share: the kernels (vyre text, compiled by vyre's
// CUDA backend so the raw anchors launch the very kernel vyre generated), the kernel-ABI
// argument packing a raw cuLaunchKernel needs, and a wall-clock timer for manual-time cases.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "vyre/backends/c_emitter.h"
#include "vyre/backends/cuda/backend.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"

namespace vyre::bench {

// The launch-overhead and graph kernel: saxpy on 1,000 elements, small enough that the launch,
// not the kernel, is what is measured.
inline constexpr std::string_view kSaxpy = R"(kernel saxpy workgroup(256) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
}
)";
inline constexpr std::uint32_t kLaunchElements = 1000;
// Kernels per recorded graph: enough that one replay's fixed cost is spread thin.
inline constexpr int kGraphKernels = 100;
// The heat stencil: a 4096 x 4096 f32 grid, 1000 steps per benchmark iteration.
inline constexpr std::uint32_t kHeatSide = 4096;
inline constexpr int kHeatSteps = 1000;
inline constexpr float kHeatAlpha = 0.2f;
// Transfers: 64 MiB, large enough for the copy engines to reach their bandwidth.
inline constexpr std::size_t kTransferBytes = std::size_t{64} << 20;

inline ir::Program parse_or_abort(std::string_view text, const std::string& file) {
  ir::CheckOptions options;
  options.file = file;
  auto program = ir::parse_program(text, options);
  if (!program.ok()) {
    std::fprintf(stderr, "%s\n", render_human(program.error(), {.source = text}).c_str());
    std::abort();
  }
  return *program;
}

// The heat stencil: examples/heat.vy when it has stencil.vy's interface (buffers src and dst,
// one f32 param, the sizes w and h), else examples/stencil.vy, one explicit step of the same
// 5-point heat equation.
inline ir::Program read_program(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return parse_or_abort(text.str(), path);
}

inline bool stencil_interface(const ir::Program& program) {
  return program->buffers.size() == 2 && program->params.size() == 1 &&
         program->params[0].type == ir::Type::F32 && program->size_symbols.size() == 2 &&
         program->buffers[0].element == ir::Type::F32 &&
         program->buffers[1].element == ir::Type::F32;
}

inline std::string heat_source_path() {
  const std::string dir = std::string(VYRE_SOURCE_DIR) + "/examples/";
  if (std::ifstream(dir + "heat.vy").good() && stencil_interface(read_program(dir + "heat.vy"))) {
    return dir + "heat.vy";
  }
  return dir + "stencil.vy";
}

inline ir::Program heat_program() {
  return read_program(heat_source_path());
}

// One CUDA backend per process, with a device; benchmarks skip with the reason when none.
struct CudaSetup {
  std::shared_ptr<cuda::CudaBackend> backend;
  std::string why_not;
  CudaSetup() {
    auto created = cuda::CudaBackend::create();
    if (created.ok()) {
      backend = *created;
    } else {
      why_not = "no CUDA device: " + created.error().message;
    }
  }
};

inline CudaSetup& cuda_setup() {
  static CudaSetup instance;
  return instance;
}

inline bool need_device(benchmark::State& state) {
  if (cuda_setup().backend) return true;
  state.SkipWithError(cuda_setup().why_not.c_str());
  return false;
}

// Arguments for a raw cuLaunchKernel in the generated kernel's ABI (c_emitter.h): each buffer's
// pointer and element count, the params, the size symbols; 8-byte slots, narrower values in the
// low bytes (little-endian), as vyre packs them.
struct RawArgs {
  std::vector<std::uint64_t> slots;
  std::vector<void*> pointers;

  RawArgs(const ir::Program& program, const std::vector<CUdeviceptr>& buffers,
          const std::vector<std::uint64_t>& counts, const std::vector<std::uint64_t>& params,
          const std::vector<std::uint32_t>& sizes) {
    const std::vector<codegen::KernelArg> abi = codegen::kernel_args(program);
    slots.assign(abi.size(), 0);
    pointers.assign(abi.size(), nullptr);
    for (std::size_t a = 0; a < abi.size(); ++a) {
      switch (abi[a].kind) {
        case codegen::KernelArg::BufferPointer:
          slots[a] = buffers.at(abi[a].index);
          break;
        case codegen::KernelArg::BufferLength:
          slots[a] = counts.at(abi[a].index);
          break;
        case codegen::KernelArg::Param:
          slots[a] = params.at(abi[a].index);
          break;
        case codegen::KernelArg::Size:
          slots[a] = sizes.at(abi[a].index);
          break;
      }
      pointers[a] = &slots[a];
    }
  }
  RawArgs(const RawArgs&) = delete;  // pointers point into slots
  RawArgs& operator=(const RawArgs&) = delete;
  void** data() { return pointers.data(); }
};

inline std::uint64_t f32_bits(float value) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

// Sets a manual-time iteration from the wall clock: the benchmarks here time work that ends in a
// synchronisation, so host wall time is what a caller waits for.
class WallTimer {
 public:
  void start() { start_ = std::chrono::steady_clock::now(); }
  double stop(benchmark::State& state) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    state.SetIterationTime(seconds);
    total_ += seconds;
    return seconds;
  }
  double total() const { return total_; }

 private:
  std::chrono::steady_clock::time_point start_;
  double total_ = 0;
};

// Reports `per_unit_us`: microseconds per unit of work (one kernel, one step) over the run.
inline void report_per_unit(benchmark::State& state, double total_seconds, double units_per_iter,
                            const char* name) {
  if (state.iterations() == 0) return;
  state.counters[name] =
      total_seconds * 1e6 / (static_cast<double>(state.iterations()) * units_per_iter);
}

}  // namespace vyre::bench
