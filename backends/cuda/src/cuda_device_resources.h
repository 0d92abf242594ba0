// What one CUDA device of a CudaBackend holds for device memory, for the backend's lifetime:
// the CudaDevice (context, generation), its caching allocator, the pinned staging ring and the
// registry of pinned host ranges, the default stream, and the helper kernel for 8-byte fills.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "cuda_device.h"
#include "cuda_pinned.h"
#include "cuda_pipeline.h"
#include "cuda_staging.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/stream.h"

namespace vyre::cuda {

struct CudaDeviceResources {
  std::uint32_t index = 0;  // the CUDA ordinal, as in "cuda:1"
  std::shared_ptr<CudaDevice> device;
  std::shared_ptr<PinnedRanges> pinned;
  std::shared_ptr<StagingRing> staging;
  std::shared_ptr<CachingAllocator> allocator;
  std::shared_ptr<BackendStream> default_stream;

  // The context generation the allocator's cache was filled in: a cache of an older context is
  // dropped before the next allocation (its blocks died with that context).
  std::uint64_t allocator_generation = 0;
  std::mutex mutex;  // guards allocator_generation and the fill kernel

  // A kernel writing one 8-byte value into every element (cuMemsetD32 cannot when the halves
  // differ), compiled on first use by `compile_fill`.
  std::function<Result<std::shared_ptr<const CompiledPipeline>>()> compile_fill;
  std::shared_ptr<const CompiledPipeline> fill_pipeline;
  // The fill kernel, compiling it once; never call it holding a lease (compiling loads the
  // module under one).
  Result<const CudaPipeline*> fill64();
};

}  // namespace vyre::cuda
