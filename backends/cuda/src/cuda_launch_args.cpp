#include "cuda_launch_args.h"

#include <fmt/format.h>

#include "cuda_memory.h"
#include "vyre/diag/codes.h"

namespace vyre::cuda {

Result<const CudaPipeline*> as_cuda_pipeline(const CompiledPipeline& pipeline) {
  const auto* cuda = dynamic_cast<const CudaPipeline*>(&pipeline);
  if (cuda != nullptr) return cuda;
  return Diagnostic::error(
      code::BadPipelineBytes,
      "kernel `" + pipeline.program()->name + "` was not compiled by the cuda backend",
      "launch a pipeline on a stream of the backend that compiled it");
}

Status pack_launch(const CudaPipeline& pipeline, const DeviceBindings& bindings,
                                const LaunchGeometry& geometry, const CudaDevice::Lease& lease,
                                LaunchArgs& out) {
  if (geometry.workgroup != pipeline.workgroup()) {
    return Diagnostic::error(code::BadBindings,
                             "launch workgroup differs from the one compiled into kernel `" +
                                 pipeline.program()->name + "`",
                             "launch with the pipeline's workgroup (CompiledPipeline::workgroup)");
  }
  bool empty = false;
  for (int d = 0; d < 3; ++d) {
    if (geometry.groups[d] > UINT32_MAX) {
      return Diagnostic::error(
          code::TooManyGroups,
          fmt::format("grid dimension {} has {} workgroups", d, geometry.groups[d]),
          "use a larger workgroup, or split the work");
    }
    out.grid[d] = static_cast<unsigned>(geometry.groups[d]);
    out.block[d] = geometry.workgroup[d];
    empty |= geometry.groups[d] == 0;
  }
  out.empty_grid = empty;

  const std::vector<codegen::KernelArg>& abi = pipeline.image().args;
  out.slots.resize(abi.size());
  out.pointers.resize(abi.size());
  for (std::size_t a = 0; a < abi.size(); ++a) {
    const codegen::KernelArg& arg = abi[a];
    std::uint64_t value = 0;
    switch (arg.kind) {
      case codegen::KernelArg::BufferPointer: {
        const DeviceBufferView& view = bindings.buffers.at(arg.index);
        if (view.count != 0) {
          // The message is built only on failure: this runs on every launch.
          if (cuda_block(view.allocation->block()).generation != lease.generation) {
            return check_generation(view, lease,
                                    "buffer `" + pipeline.program()->buffers[arg.index].name +
                                        "` of kernel `" + pipeline.program()->name + "`");
          }
          value = device_pointer(view);
        }
        break;
      }
      case codegen::KernelArg::BufferLength:
        value = bindings.buffers.at(arg.index).count;
        break;
      case codegen::KernelArg::Param: {
        const Scalar& param = bindings.params.at(arg.index);
        value = param.type == ir::Type::Bool ? (param.bits != 0 ? 1 : 0) : param.bits;
        break;
      }
      case codegen::KernelArg::Size: {
        const std::uint64_t size = bindings.sizes.at(arg.index);
        if (size > UINT32_MAX) {
          return Diagnostic::error(code::SizeOverflow,
                                   fmt::format("size `{}` = {} does not fit in u32",
                                               pipeline.program()->size_symbols[arg.index], size),
                                   "use smaller sizes, or split the work over several launches");
        }
        value = size;
        break;
      }
    }
    out.slots[a] = value;
    out.pointers[a] = &out.slots[a];
  }
  return Ok{};
}

}  // namespace vyre::cuda
