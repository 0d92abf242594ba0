// Kernel arguments in the order the generated OpenCL C declares them (codegen::kernel_args):
// each buffer's cl_mem and element count, each param as a 64-bit or 32-bit value (bool as a 0/1
// uint), each size symbol as a uint. Shared by the host-buffer dispatch and the device-memory
// stream launch, which differ only in where a buffer's cl_mem and count come from.
#pragma once

#include <CL/cl.h>

#include <cstdint>
#include <span>

#include <fmt/format.h>

#include "cl_handle.h"
#include "vyre/backend/host_buffer.h"
#include "vyre/backends/c_emitter.h"
#include "vyre/ir/types.h"

namespace vyre::opencl {

inline cl_int set_param_arg(cl_kernel kernel, cl_uint slot, const Scalar& value) {
  if (ir::bit_width(value.type) == 64) {
    cl_ulong bits = value.bits;
    return clSetKernelArg(kernel, slot, sizeof bits, &bits);
  }
  cl_uint bits =
      value.type == ir::Type::Bool ? (value.bits != 0 ? 1u : 0u) : static_cast<cl_uint>(value.bits);
  return clSetKernelArg(kernel, slot, sizeof bits, &bits);
}

inline cl_int set_size_arg(cl_kernel kernel, cl_uint slot, std::uint64_t size) {
  cl_uint bits = static_cast<cl_uint>(size);
  return clSetKernelArg(kernel, slot, sizeof bits, &bits);
}

// Sets every argument of `kernel`. `memory(i)` gives buffer i's cl_mem (a Result, so binding a
// view can fail with its own diagnostic) and `count(i)` its element count.
template <class Memory, class Count>
Status set_kernel_args(cl_kernel kernel, std::span<const codegen::KernelArg> args, Memory&& memory,
                       Count&& count, std::span<const Scalar> params,
                       std::span<const std::uint64_t> sizes) {
  for (cl_uint slot = 0; slot < args.size(); ++slot) {
    const codegen::KernelArg& arg = args[slot];
    cl_int err = CL_SUCCESS;
    switch (arg.kind) {
      case codegen::KernelArg::BufferPointer: {
        cl_mem mem = VYRE_TRY(memory(arg.index));
        err = clSetKernelArg(kernel, slot, sizeof mem, &mem);
        break;
      }
      case codegen::KernelArg::BufferLength: {
        cl_ulong elements = count(arg.index);
        err = clSetKernelArg(kernel, slot, sizeof elements, &elements);
        break;
      }
      case codegen::KernelArg::Param:
        err = set_param_arg(kernel, slot, params[arg.index]);
        break;
      case codegen::KernelArg::Size:
        err = set_size_arg(kernel, slot, sizes[arg.index]);
        break;
    }
    if (err != CL_SUCCESS) {
      return api_error("clSetKernelArg", err, fmt::format("setting argument {}", slot));
    }
  }
  return Ok{};
}

}  // namespace vyre::opencl
