// The NVRTC entry points vyre uses, resolved from libnvrtc with dlopen/dlsym at run time, as
// libcuda is (driver_api.h). vyre never links NVRTC, so the CLI and every embedder start where the
// CUDA toolkit is not installed; only compiling for CUDA needs it, and there a missing NVRTC is a
// diagnostic that says where vyre looked.
#pragma once

#include <nvrtc.h>

#include <span>
#include <string>
#include <vector>

#include "vyre/backends/cuda/nvrtc_compiler.h"  // nvrtc_library_candidates()
#include "vyre/diag/result.h"

namespace vyre::cuda {

struct NvrtcApi {
  decltype(&::nvrtcGetErrorString) get_error_string = nullptr;
  decltype(&::nvrtcVersion) version = nullptr;
  decltype(&::nvrtcGetNumSupportedArchs) get_num_supported_archs = nullptr;
  decltype(&::nvrtcGetSupportedArchs) get_supported_archs = nullptr;
  decltype(&::nvrtcCreateProgram) create_program = nullptr;
  decltype(&::nvrtcDestroyProgram) destroy_program = nullptr;
  decltype(&::nvrtcCompileProgram) compile_program = nullptr;
  decltype(&::nvrtcGetCUBINSize) get_cubin_size = nullptr;
  decltype(&::nvrtcGetCUBIN) get_cubin = nullptr;
  decltype(&::nvrtcGetProgramLogSize) get_program_log_size = nullptr;
  decltype(&::nvrtcGetProgramLog) get_program_log = nullptr;
  decltype(&::nvrtcAddNameExpression) add_name_expression = nullptr;
  decltype(&::nvrtcGetLoweredName) get_lowered_name = nullptr;
};

// Opens the first candidate that loads and has every entry point. CudaUnavailable (VY7001)
// naming each candidate and why it failed, otherwise. Not cached: load_nvrtc_api() is the
// process-wide entry; this is for it and for tests.
Result<NvrtcApi> open_nvrtc(std::span<const std::string> candidates);

// open_nvrtc(nvrtc_library_candidates()) once per process (thread-safe); later calls return the
// same table or the same diagnostic.
Result<const NvrtcApi*> load_nvrtc_api();

}  // namespace vyre::cuda
