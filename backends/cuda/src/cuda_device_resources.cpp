#include "cuda_device_resources.h"

#include "cuda_launch_args.h"

namespace vyre::cuda {

Result<const CudaPipeline*> CudaDeviceResources::fill64() {
  std::lock_guard lock(mutex);
  if (fill_pipeline == nullptr) fill_pipeline = VYRE_TRY(compile_fill());
  return as_cuda_pipeline(*fill_pipeline);
}

}  // namespace vyre::cuda
