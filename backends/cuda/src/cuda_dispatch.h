// One dispatch on a CudaDevice: uploads the bindings, launches the pipeline's kernel with its
// arguments packed per the kernel ABI, and records an event; CudaPendingDispatch then polls that
// event and, on completion, reads the writable buffers back and frees the device memory.
#pragma once

#include <memory>

#include "cuda_device.h"
#include "cuda_pipeline.h"
#include "vyre/backend/backend.h"

namespace vyre::cuda {

Result<std::unique_ptr<PendingDispatch>> start_dispatch(const std::shared_ptr<CudaDevice>& device,
                                                        const CudaPipeline& pipeline,
                                                        Bindings& bindings,
                                                        const LaunchGeometry& geometry);

}  // namespace vyre::cuda
