// DeviceFingerprint: what identifies the device and toolchain that produced a compiled
// pipeline. Part of every cache key, so a driver or compiler upgrade misses instead of loading
// a stale blob. Never holds anything host-specific (paths, host names) or nondeterministic.
#pragma once

#include <string>

namespace vyre {

struct DeviceFingerprint {
  std::string vendor;    // "NVIDIA Corporation", "The pocl project", "vyre"
  std::string device;    // full architecture: "NVIDIA H100 80GB HBM3 sm_90", "pthread-haswell"
  std::string driver;    // driver revision: "580.159.04", "OpenCL 3.0 PoCL 3.1"
  std::string compiler;  // backend compiler revision: "nvrtc 13.0", "pocl 3.1 llvm 15"

  std::string describe() const;  // one line for people
  friend bool operator==(const DeviceFingerprint&, const DeviceFingerprint&) = default;
};

}  // namespace vyre
