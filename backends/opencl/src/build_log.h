// Turns a failed clBuildProgram's log into a diagnostic that quotes the generated lines the
// compiler complains about.
#pragma once

#include <CL/cl.h>

#include <string>
#include <string_view>

#include "vyre/diag/diagnostic.h"

namespace vyre::opencl {

// CL_PROGRAM_BUILD_LOG of `program` for `device`, without trailing NULs; empty if unreadable.
std::string read_build_log(cl_program program, cl_device_id device);

// `log` is CL_PROGRAM_BUILD_LOG; `source` the generated OpenCL C. Messages of the form
// "<source>:LINE:COL: error: ..." (clang-based compilers: PoCL, Intel, AMD) become notes with
// the generated line and a caret.
Diagnostic build_failure(std::string_view kernel_name, std::string_view log,
                         std::string_view source);

}  // namespace vyre::opencl
