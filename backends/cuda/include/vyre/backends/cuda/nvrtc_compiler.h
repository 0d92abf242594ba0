// NVRTC: CUDA C source to a cubin for one real architecture, with vyre's floating-point rules
// (no contraction, no flush to zero, correctly rounded division and square root). A failed
// compilation becomes a diagnostic quoting the generated lines NVRTC's log points at. NVRTC is
// loaded at run time (src/nvrtc_api.h), never linked.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/backends/c_emitter.h"
#include "vyre/backends/cuda/arch.h"
#include "vyre/diag/result.h"

namespace vyre::cuda {

// The file name NVRTC reports errors against ("vyre_kernel.cu(12): error: ...").
inline constexpr std::string_view kKernelFileName = "vyre_kernel.cu";

struct CubinRequest {
  std::string_view source;
  std::string_view entry = codegen::kSingleEntry;  // the __global__ function to keep and name
  CudaArch arch = kDefaultArch;
  std::string_view kernel_name;  // the program's name, for messages
};

struct Cubin {
  std::vector<std::uint8_t> bytes;  // an ELF image for request.arch
  std::string entry;                // the entry's lowered (symbol) name, for cuModuleGetFunction
  std::string log;                  // NVRTC's log (warnings), possibly empty
};

Result<Cubin> compile_to_cubin(const CubinRequest& request);

// The options compile_to_cubin passes to NVRTC.
std::vector<std::string> nvrtc_options(const CudaArch& arch);

// Ok once NVRTC is loaded (once per process), else CudaUnavailable (VY7001) naming every
// library tried. compile_to_cubin fails the same way without it.
Status nvrtc_available();

// Where vyre looks for libnvrtc: VYRE_NVRTC_PATH alone when set, else NVRTC's sonames through
// the dynamic loader's search path, then under /usr/local/cuda.
std::vector<std::string> nvrtc_library_candidates();

// Whether one of `candidates` loads as NVRTC (not cached, nothing kept loaded on failure):
// Ok, or the CudaUnavailable diagnostic nvrtc_available() would give for that list.
Status probe_nvrtc(std::span<const std::string> candidates);

// "nvrtc 13.0": the compiler revision that enters the device fingerprint ("nvrtc unavailable"
// when it cannot be loaded; a backend is not created then).
std::string nvrtc_version();

// Whether this NVRTC can target `arch` (nvrtcGetSupportedArchs); suffixes are accepted when the
// base architecture is.
bool nvrtc_supports(const CudaArch& arch);
std::string nvrtc_supported_archs();  // "sm_75 sm_80 ... sm_120" for messages

// One "file(LINE): error: message" line of an NVRTC log.
struct NvrtcLogEntry {
  std::uint32_t line = 0;
  std::string severity;  // "error", "warning", "catastrophic error", ...
  std::string message;
};
std::vector<NvrtcLogEntry> parse_nvrtc_log(std::string_view log);

// The NvrtcCompileFailed (VY7003) diagnostic for a failed compilation of `source`.
Diagnostic nvrtc_failure(std::string_view source, std::string_view log, const CudaArch& arch,
                         std::string_view kernel_name);

}  // namespace vyre::cuda
