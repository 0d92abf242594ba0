// OpenClBackend: vyre's OpenCL backend. Lowers programs to OpenCL C 1.2 with the shared C-family
// generator (backends/common), builds them with the platform compiler, serializes the program
// binary for the pipeline cache, and dispatches on one in-order queue of the selected device.
// Runs in CI on PoCL (Debian's pocl-opencl-icd).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/registry/backend_registry.h"

namespace vyre::opencl {

inline constexpr std::string_view kBackendId = "opencl";

// compile_many builds at most this many programs' kernels as one cl_program; a larger batch is
// built in parts.
inline constexpr std::size_t kMaxKernelsPerBuild = 128;

struct OpenClBackendOptions {
  // "P:D" (platform and device index) or a case-insensitive substring of "platform / device"
  // names; unset = VYRE_OPENCL_DEVICE, else the first GPU, else the first device.
  std::optional<std::string> device;
  // Op lowerings (op -> OpenCL C template, as in backends/common) over the generator's own: how
  // a caller, or a test, lowers an op the generator does not know.
  std::vector<std::pair<std::string, std::string>> extra_lowerings;
};

// Creates the backend on the selected device, or says why it cannot (BackendUnavailable,
// OpenClDeviceNotFound, DeviceApiError).
Result<std::shared_ptr<Backend>> make_opencl_backend(const OpenClBackendOptions& options = {});

// Checks that an OpenCL platform with a usable device is present (and that VYRE_OPENCL_DEVICE,
// if set, selects one): Ok, or the diagnostic saying why not. Never crashes without a platform.
Status probe_opencl(const OpenClBackendOptions& options = {});

// One line per device the ICD loader sees: "P:D  platform / device (type)", for `vyre backends`.
Result<std::vector<std::string>> list_opencl_devices();

// The "opencl" provider for a BackendRegistry, at the priority backends/CMakeLists.txt gives it.
BackendProvider opencl_backend_provider(int priority);

}  // namespace vyre::opencl
