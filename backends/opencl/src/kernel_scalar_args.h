// Scalar kernel arguments as the generated OpenCL C declares them: a param as a 64-bit or 32-bit
// value (bool as a 0/1 uint), a size symbol as a uint. Shared by the host-buffer dispatch and
// the device-memory stream launch.
#pragma once

#include <CL/cl.h>

#include <cstdint>

#include "vyre/backend/host_buffer.h"
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

}  // namespace vyre::opencl
