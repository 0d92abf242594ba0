#include "prelude.h"

namespace vyre::codegen::detail {

std::string build_note(Dialect dialect) {
  if (dialect == Dialect::Cuda) {
    return "// Compile with NVRTC --fmad=false: vyre never contracts a * b + c into an fma.\n";
  }
  return "// Build with -cl-fp32-correctly-rounded-divide-sqrt and without\n"
         "// -cl-denorms-are-zero or fast-math options.\n";
}

std::string prelude(Dialect dialect, bool f64, bool int64_atomics,
                    std::span<const std::string> helpers) {
  std::string out;
  if (dialect == Dialect::OpenCL) {
    out += "// No contraction: a * b + c rounds twice unless the program calls fma.\n";
    out += "#pragma OPENCL FP_CONTRACT OFF\n";
    if (f64) out += "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n";
    if (int64_atomics) {
      out += "#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable\n";
      out += "#pragma OPENCL EXTENSION cl_khr_int64_extended_atomics : enable\n";
    }
    out += "\n";
    out +=
        "typedef uchar vy_u8;\n"
        "typedef int vy_i32;\n"
        "typedef uint vy_u32;\n"
        "typedef long vy_i64;\n"
        "typedef ulong vy_u64;\n"
        "typedef float vy_f32;\n";
    if (f64) out += "typedef double vy_f64;\n";
  } else {
    out += "// NVRTC sees no host headers: vyre's fixed-width types are spelled out here.\n";
    out +=
        "typedef unsigned char vy_u8;\n"
        "typedef int vy_i32;\n"
        "typedef unsigned int vy_u32;\n"
        "typedef long long vy_i64;\n"
        "typedef unsigned long long vy_u64;\n"
        "typedef float vy_f32;\n"
        "typedef double vy_f64;\n";
  }
  out += "\n";
  for (const std::string& helper : helpers) {
    out += helper;
    out += "\n";
  }
  return out;
}

}  // namespace vyre::codegen::detail
