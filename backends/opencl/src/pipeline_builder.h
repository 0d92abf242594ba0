// Turning programs into built OpenCL pipelines on one device: generate OpenCL C, build it, create
// the kernel. build_pipeline() builds one program (entry "vyre_main"); build_pipelines() builds
// many programs' kernels as one cl_program, so a compiler's fixed cost per build (PoCL: ~0.5 s)
// is paid once per batch rather than once per program.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include <CL/cl.h>

#include "vyre/backend/backend.h"
#include "vyre/backends/c_emitter.h"
#include "vyre/backends/opencl/backend.h"  // kMaxKernelsPerBuild

namespace vyre::opencl {

struct BuildTarget {
  const Backend* owner = nullptr;  // the backend the pipelines belong to
  cl_context context = nullptr;
  cl_device_id device = nullptr;
  std::string options;        // clBuildProgram options
  codegen::EmitOptions emit;  // device-wide generator options; workgroup, ULP, entry set per call
};

// One program in its own cl_program. KernelBuildFailed with the build log's lines quoted,
// BackendLacksFeature from the generator, DeviceApiError.
Result<std::shared_ptr<const CompiledPipeline>> build_pipeline(const BuildTarget& target,
                                                               const ir::Program& program,
                                                               const DispatchConfig& config);

// Many programs, index-aligned results. Each program's kernel is generated on its own (a
// generator error stays with its program), then the kernels are built together under entry
// names derived from their program digests (codegen::batch_entry_name). When a batched build
// fails, the batch is halved and each half rebuilt, down to single programs built by
// build_pipeline(): the failure ends up with the program that causes it, as its usual
// diagnostic, and every other program still compiles (about 2 log2(n) extra builds per bad
// program). Programs with equal digests share one kernel.
std::vector<Result<std::shared_ptr<const CompiledPipeline>>> build_pipelines(
    const BuildTarget& target, std::span<const ir::Program* const> programs,
    const DispatchConfig& config);

}  // namespace vyre::opencl
