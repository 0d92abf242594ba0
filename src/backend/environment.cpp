#include "vyre/backend/environment.h"

#include <array>
#include <cstdlib>

namespace vyre {
namespace {

constexpr std::array kVariables = {
    EnvVarInfo{EnvVar::CacheDir, "VYRE_CACHE_DIR", false, "root folder of the disk pipeline cache"},
    EnvVarInfo{EnvVar::XdgCacheHome, "XDG_CACHE_HOME", false,
               "cache root parent when VYRE_CACHE_DIR is unset ($XDG_CACHE_HOME/vyre/pipelines)"},
    EnvVarInfo{EnvVar::Home, "HOME", false, "cache root parent fallback (~/.cache/vyre/pipelines)"},
    EnvVarInfo{EnvVar::CacheMaxBytes, "VYRE_CACHE_MAX_BYTES", false,
               "upper bound on the disk cache's total bytes (least recently used evicted)"},
    EnvVarInfo{EnvVar::PipelineCacheEntries, "VYRE_PIPELINE_CACHE_ENTRIES", false,
               "memory tier bound on entries"},
    EnvVarInfo{EnvVar::PipelineCacheBytes, "VYRE_PIPELINE_CACHE_BYTES", false,
               "memory tier bound on bytes"},
    EnvVarInfo{
        EnvVar::Jit, "VYRE_JIT", false,
        "JIT policy: allow (default), warn (report each compile), forbid (a miss is an error)"},
    EnvVarInfo{EnvVar::OpenClDevice, "VYRE_OPENCL_DEVICE", false,
               "OpenCL platform/device by index (\"0:1\") or name substring; the chosen device "
               "enters the key through its fingerprint"},
    EnvVarInfo{EnvVar::CudaArch, "VYRE_CUDA_ARCH", true,
               "NVRTC target architecture (e.g. sm_90) when no device decides it"},
    EnvVarInfo{EnvVar::CudaDevice, "VYRE_CUDA_DEVICE", false,
               "CUDA device ordinal; the device enters the key through its fingerprint"},
    EnvVarInfo{EnvVar::ReferenceRaces, "VYRE_REFERENCE_RACES", false,
               "0 turns off the reference backend's data-race detector (on by default)"},
};

}  // namespace

std::span<const EnvVarInfo> environment_variables() {
  return kVariables;
}

const EnvVarInfo& env_info(EnvVar var) {
  for (const EnvVarInfo& info : kVariables) {
    if (info.var == var) return info;
  }
  return kVariables[0];  // unreachable: every EnvVar has a row
}

std::optional<std::string> env_value(EnvVar var) {
  const char* value = std::getenv(std::string(env_info(var).name).c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

}  // namespace vyre
