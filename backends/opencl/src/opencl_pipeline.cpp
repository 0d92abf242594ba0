#include "opencl_pipeline.h"

namespace vyre::opencl {

Result<ClKernel> OpenClPipeline::take_kernel() const {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      ClKernel k = std::move(pool_.back());
      pool_.pop_back();
      return k;
    }
  }
  cl_int err = CL_SUCCESS;
  cl_kernel k = clCreateKernel(cl_program_.get(), entry_.c_str(), &err);
  if (err != CL_SUCCESS)
    return api_error("clCreateKernel", err, "creating kernel `" + entry_ + "`");
  return ClKernel(k);
}

void OpenClPipeline::give_back(ClKernel kernel) const {
  std::lock_guard lock(pool_mutex_);
  if (pool_.size() < 8) pool_.push_back(std::move(kernel));
}

}  // namespace vyre::opencl
