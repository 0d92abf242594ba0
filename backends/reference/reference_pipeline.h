// The reference backend's compiled form of a program: the program and its kernel analysis.
#pragma once

#include <memory>

#include "kernel_info.h"
#include "vyre/backend/backend.h"

namespace vyre::reference {

class ReferencePipeline : public CompiledPipeline {
 public:
  ReferencePipeline(ir::Program program, std::array<std::uint32_t, 3> workgroup)
      : CompiledPipeline(std::move(program), workgroup) {}
  // Points into program(), which this pipeline owns.
  std::shared_ptr<const KernelInfo> info;
};

}  // namespace vyre::reference
