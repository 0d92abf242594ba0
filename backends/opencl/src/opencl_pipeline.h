// OpenClPipeline: one program's kernel in a built cl_program. Several pipelines may share one
// cl_program (compile_many builds many programs' kernels together); each holds its own
// reference to it and knows its kernel's entry name.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cl_handle.h"
#include "vyre/backend/backend.h"
#include "vyre/backends/c_emitter.h"

namespace vyre::opencl {

class OpenClPipeline final : public CompiledPipeline {
 public:
  OpenClPipeline(const Backend& owner, ir::Program program, std::array<std::uint32_t, 3> workgroup,
                 ClProgram built, std::string entry, std::vector<codegen::KernelArg> args,
                 std::uint32_t ulp_budget, std::shared_ptr<const std::string> source)
      : CompiledPipeline(owner, std::move(program), workgroup),
        cl_program_(std::move(built)),
        entry_(std::move(entry)),
        args_(std::move(args)),
        ulp_budget_(ulp_budget),
        source_(std::move(source)) {}

  cl_program program_handle() const { return cl_program_.get(); }
  const std::string& entry() const { return entry_; }
  const std::vector<codegen::KernelArg>& args() const { return args_; }
  std::uint32_t ulp_budget() const { return ulp_budget_; }
  // The OpenCL C it was built from (a batch's whole source); null when loaded from a binary.
  const std::shared_ptr<const std::string>& source() const { return source_; }

  // Kernel objects are reused: arguments are captured at enqueue, so a kernel can go back to the
  // pool as soon as it is enqueued. clSetKernelArg is not thread-safe per kernel, hence one each.
  Result<ClKernel> take_kernel() const;
  void give_back(ClKernel kernel) const;

 private:
  ClProgram cl_program_;
  std::string entry_;
  std::vector<codegen::KernelArg> args_;
  std::uint32_t ulp_budget_;
  std::shared_ptr<const std::string> source_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<ClKernel> pool_;
};

}  // namespace vyre::opencl
