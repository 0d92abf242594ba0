// The arguments of one launch on device buffers, packed in the generated kernel's ABI
// (c_emitter.h: each buffer's pointer and element count, the params, the size symbols), 8 bytes
// a slot with narrower values in the low bytes. Shared by streams (cuLaunchKernel) and graphs
// (kernel nodes), so both launch exactly what Runtime::run would.
#pragma once

#include <cstdint>
#include <vector>

#include "cuda_device.h"
#include "cuda_pipeline.h"
#include "vyre/backend/backend.h"
#include "vyre/backend/device_bindings.h"

namespace vyre::cuda {

struct LaunchArgs {
  std::vector<std::uint64_t> slots;
  std::vector<void*> pointers;  // into slots
  unsigned grid[3] = {1, 1, 1};
  unsigned block[3] = {1, 1, 1};
  bool empty_grid = false;  // a zero grid dimension: nothing to run
};

// Fills `out` (reusing its storage). CudaStaleBuffer for a buffer of an older context,
// SizeOverflow / TooManyGroups for values the ABI cannot carry, BadBindings for a geometry whose
// workgroup is not the pipeline's.
Status pack_launch(const CudaPipeline& pipeline, const DeviceBindings& bindings,
                   const LaunchGeometry& geometry, const CudaDevice::Lease& lease, LaunchArgs& out);

// The pipeline as the CUDA backend's, or BadPipelineBytes naming the kernel.
Result<const CudaPipeline*> as_cuda_pipeline(const CompiledPipeline& pipeline);

}  // namespace vyre::cuda
