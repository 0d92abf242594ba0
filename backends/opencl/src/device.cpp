#include "device.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "cl_handle.h"
#include "pocl_cache_dir.h"
#include "vyre/backends/c_emitter.h"
#include "vyre/backends/opencl/codes.h"

namespace vyre::opencl {
namespace {

std::string platform_string(cl_platform_id platform, cl_platform_info what) {
  std::size_t size = 0;
  if (clGetPlatformInfo(platform, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return {};
  std::string out(size, '\0');
  if (clGetPlatformInfo(platform, what, size, out.data(), nullptr) != CL_SUCCESS) return {};
  out.resize(out.find('\0') == std::string::npos ? size : out.find('\0'));
  return out;
}

std::string device_string(cl_device_id device, cl_device_info what) {
  std::size_t size = 0;
  if (clGetDeviceInfo(device, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return {};
  std::string out(size, '\0');
  if (clGetDeviceInfo(device, what, size, out.data(), nullptr) != CL_SUCCESS) return {};
  out.resize(out.find('\0') == std::string::npos ? size : out.find('\0'));
  return out;
}

template <class T>
T device_value(cl_device_id device, cl_device_info what, T fallback = T{}) {
  T value{};
  if (clGetDeviceInfo(device, what, sizeof value, &value, nullptr) != CL_SUCCESS) return fallback;
  return value;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string type_name(cl_device_type type) {
  if (type & CL_DEVICE_TYPE_GPU) return "GPU";
  if (type & CL_DEVICE_TYPE_CPU) return "CPU";
  if (type & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
  return "other";
}

bool has_extension(const std::string& extensions, std::string_view name) {
  std::size_t pos = 0;
  while ((pos = extensions.find(name, pos)) != std::string::npos) {
    std::size_t end = pos + name.size();
    bool starts = pos == 0 || extensions[pos - 1] == ' ';
    bool ends = end == extensions.size() || extensions[end] == ' ';
    if (starts && ends) return true;
    pos = end;
  }
  return false;
}

Diagnostic unavailable(std::string message) {
  return Diagnostic::error(
      code::BackendUnavailable, "the opencl backend is unavailable: " + message,
      "install an OpenCL driver (e.g. pocl-opencl-icd) and check `clinfo -l`, or choose "
      "another backend");
}

}  // namespace

std::string DeviceEntry::describe() const {
  return fmt::format("{}:{}  {} / {} ({})", platform_index, device_index, platform_name,
                     device_name, type_name(type));
}

Result<std::vector<DeviceEntry>> enumerate_devices() {
  cl_uint platform_count = 0;
  cl_int err = clGetPlatformIDs(0, nullptr, &platform_count);
  if (err != CL_SUCCESS || platform_count == 0) {
    return unavailable(err == CL_SUCCESS ||
                               err == -1001  // CL_PLATFORM_NOT_FOUND_KHR: the ICD loader found none
                           ? "no OpenCL platform is installed (the ICD loader found none)"
                           : fmt::format("clGetPlatformIDs failed: {}", cl_error_name(err)));
  }
  std::vector<cl_platform_id> platforms(platform_count);
  err = clGetPlatformIDs(platform_count, platforms.data(), nullptr);
  if (err != CL_SUCCESS) {
    return unavailable(fmt::format("clGetPlatformIDs failed: {}", cl_error_name(err)));
  }
  std::vector<DeviceEntry> out;
  for (unsigned p = 0; p < platforms.size(); ++p) {
    cl_uint device_count = 0;
    if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, nullptr, &device_count) != CL_SUCCESS ||
        device_count == 0) {
      continue;  // a platform without devices (CL_DEVICE_NOT_FOUND) is skipped
    }
    std::vector<cl_device_id> devices(device_count);
    if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, device_count, devices.data(), nullptr) !=
        CL_SUCCESS) {
      continue;
    }
    for (unsigned d = 0; d < devices.size(); ++d) {
      DeviceEntry entry;
      entry.platform = platforms[p];
      entry.device = devices[d];
      entry.platform_index = p;
      entry.device_index = d;
      entry.platform_name = platform_string(platforms[p], CL_PLATFORM_NAME);
      entry.device_name = device_string(devices[d], CL_DEVICE_NAME);
      entry.type = device_value<cl_device_type>(devices[d], CL_DEVICE_TYPE);
      out.push_back(std::move(entry));
    }
  }
  if (out.empty()) {
    // PoCL offers no device when it cannot create its cache folder.
    if (auto bad_setting = pocl_cache_dir_problem()) return std::move(*bad_setting);
    return unavailable(
        fmt::format("{} OpenCL platform(s) found, but none offers a device", platform_count));
  }
  return out;
}

Result<DeviceEntry> select_device(const std::vector<DeviceEntry>& devices,
                                  const std::optional<std::string>& selector) {
  if (!selector) {
    for (const DeviceEntry& e : devices) {
      if (e.type & CL_DEVICE_TYPE_GPU) return e;
    }
    return devices.front();
  }
  const std::string& want = *selector;
  // "P:D": platform and device index.
  if (auto colon = want.find(':'); colon != std::string::npos) {
    unsigned p = 0;
    unsigned d = 0;
    auto r1 = std::from_chars(want.data(), want.data() + colon, p);
    auto r2 = std::from_chars(want.data() + colon + 1, want.data() + want.size(), d);
    if (r1.ec == std::errc{} && r1.ptr == want.data() + colon && r2.ec == std::errc{} &&
        r2.ptr == want.data() + want.size()) {
      for (const DeviceEntry& e : devices) {
        if (e.platform_index == p && e.device_index == d) return e;
      }
    }
  }
  const std::string needle = lower(want);
  for (const DeviceEntry& e : devices) {
    if (lower(e.platform_name + " / " + e.device_name).find(needle) != std::string::npos) return e;
  }
  Diagnostic diag = Diagnostic::error(
      code::OpenClDeviceNotFound,
      fmt::format("VYRE_OPENCL_DEVICE=\"{}\" matches no OpenCL device", want),
      "set VYRE_OPENCL_DEVICE to \"P:D\" or a part of a device name listed below, or unset it");
  for (const DeviceEntry& e : devices) diag.note("present: " + e.describe());
  return diag;
}

DeviceProperties read_device_properties(const DeviceEntry& entry) {
  DeviceProperties out;
  Capabilities& caps = out.capabilities;
  cl_device_id device = entry.device;

  std::size_t sizes[3] = {1, 1, 1};
  if (clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof sizes, sizes, nullptr) ==
      CL_SUCCESS) {
    for (int i = 0; i < 3; ++i) {
      caps.max_workgroup_size[i] =
          static_cast<std::uint32_t>(std::min<std::size_t>(sizes[i], UINT32_MAX));
    }
  }
  caps.max_workgroup_invocations = static_cast<std::uint32_t>(std::min<std::size_t>(
      device_value<std::size_t>(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, 1), UINT32_MAX));
  // OpenCL has no per-dimension group limit; global ids are read as u32, so keep grids in it.
  caps.max_groups = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
  caps.max_shared_bytes = device_value<cl_ulong>(device, CL_DEVICE_LOCAL_MEM_SIZE);
  caps.max_buffer_bytes = device_value<cl_ulong>(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE);

  const std::string extensions = device_string(device, CL_DEVICE_EXTENSIONS);
  const bool fp64 = has_extension(extensions, "cl_khr_fp64") ||
                    device_value<cl_device_fp_config>(device, CL_DEVICE_DOUBLE_FP_CONFIG) != 0;
  const bool atomics64 = has_extension(extensions, "cl_khr_int64_base_atomics") &&
                         has_extension(extensions, "cl_khr_int64_extended_atomics");
  caps.f64 = fp64;
  caps.atomics32 = true;  // OpenCL 1.1+ core: 32-bit atomics on global and local memory
  caps.atomics64 = atomics64;
  caps.subgroup_size = 1;
  caps.element_types = {ir::Type::Bool, ir::Type::I32, ir::Type::U32,
                        ir::Type::I64,  ir::Type::U64, ir::Type::F32};
  if (fp64) caps.element_types.push_back(ir::Type::F64);
  for (std::string_view ext :
       {"cl_khr_fp64", "cl_khr_int64_base_atomics", "cl_khr_int64_extended_atomics"}) {
    if (has_extension(extensions, ext)) caps.features.emplace_back(ext);
  }
  const auto single = device_value<cl_device_fp_config>(device, CL_DEVICE_SINGLE_FP_CONFIG);
  out.correctly_rounded_divide_sqrt = (single & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0;
  if (out.correctly_rounded_divide_sqrt) {
    caps.features.emplace_back("correctly_rounded_divide_sqrt");
  }
  if (single & CL_FP_DENORM) caps.features.emplace_back("fp32_denormals");

  const std::string platform_version = platform_string(entry.platform, CL_PLATFORM_VERSION);
  // PoCL (3.1 in Debian 12) miscompiles a barrier in one branch of an `if`: stores after it
  // escape their bounds checks and corrupt the host's heap (`vyre fuzz --seed 1171`).
  caps.barriers_under_if = platform_version.find("PoCL") == std::string::npos;
  DeviceFingerprint& fp = out.fingerprint;
  fp.vendor = entry.platform_name;
  fp.device = entry.device_name;
  fp.driver =
      fmt::format("{}; driver {}", platform_version, device_string(device, CL_DRIVER_VERSION));
  // The compiler is the platform's OpenCL C compiler plus vyre's generator: a change to either
  // changes the kernel binary.
  fp.compiler =
      fmt::format("{}; {}; {}", platform_version, device_string(device, CL_DEVICE_OPENCL_C_VERSION),
                  codegen::kCodegenRevision);
  return out;
}

}  // namespace vyre::opencl
