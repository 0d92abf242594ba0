// CudaArch: a real CUDA target architecture as NVRTC's -arch and cubins name it (sm_90,
// sm_90a, sm_100f), and the rules for which devices can run a cubin built for it.
#pragma once

#include <string>
#include <string_view>

#include "vyre/backends/cuda/codes.h"  // parse_arch fails with code::CudaBadArch
#include "vyre/diag/result.h"

namespace vyre::cuda {

struct CudaArch {
  int major = 9;
  int minor = 0;
  // 0 for the portable target; 'a' (arch-specific: only exactly this compute capability) or
  // 'f' (family-specific: this major version, minor at least this one).
  char suffix = 0;

  std::string name() const;  // "sm_90a"
  friend bool operator==(const CudaArch&, const CudaArch&) = default;
};

// The target used when neither a device, --arch nor VYRE_CUDA_ARCH decides it.
inline constexpr CudaArch kDefaultArch{9, 0, 0};

// Accepts "sm_90", "sm_90a", "sm_100f" and the bare "90"; anything else is CudaBadArch (VY7004).
// `origin` names where the text came from ("VYRE_CUDA_ARCH", "--arch") for the message.
Result<CudaArch> parse_arch(std::string_view text, std::string_view origin);

// The portable target of a device with compute capability major.minor ("sm_90" for 9.0).
CudaArch arch_of_device(int major, int minor);

// Whether a cubin built for `arch` runs on a device of compute capability major.minor: cubins
// are compatible within a major version upwards; 'a' targets need that exact device.
bool arch_runs_on(const CudaArch& arch, int major, int minor);

}  // namespace vyre::cuda
