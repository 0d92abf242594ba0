#include "cuda_device.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "vyre/backends/cuda/codes.h"

namespace vyre::cuda {
namespace {

Diagnostic unavailable(std::string why) {
  return Diagnostic::error(code::BackendUnavailable, std::move(why),
                           "run where an NVIDIA GPU and its driver are visible (nvidia-smi lists "
                           "it), fix VYRE_CUDA_DEVICE, or choose another backend with --backend");
}

// The kernel module's version ("580.65.06") from /proc, when readable: a driver upgrade changes
// it even when the CUDA API version stays the same.
std::string kernel_module_version() {
  std::ifstream file("/proc/driver/nvidia/version");
  std::string line;
  if (!std::getline(file, line)) return {};
  std::istringstream words(line);
  std::string word;
  while (words >> word) {
    const bool version_like = std::count(word.begin(), word.end(), '.') >= 1 &&
                              std::all_of(word.begin(), word.end(), [](char c) {
                                return (c >= '0' && c <= '9') || c == '.';
                              });
    if (version_like) return word;
  }
  return {};
}

}  // namespace

Status CallCheck::operator()(CUresult result, std::string_view call, std::string_view during) {
  if (result == CUDA_SUCCESS) return Ok{};
  if (poisons_context(result) && !poison) poison = result;
  return driver_error(api_, result, call, during);
}

Result<std::shared_ptr<CudaDevice>> CudaDevice::open(int ordinal) {
  // One instance per ordinal while anyone holds it (see the header: resets are process-wide).
  static std::mutex open_mutex;
  static std::map<int, std::weak_ptr<CudaDevice>> open_devices;
  std::lock_guard open_lock(open_mutex);
  if (auto it = open_devices.find(ordinal); it != open_devices.end()) {
    if (auto existing = it->second.lock()) return existing;
  }
  const DriverApi& api = *VYRE_TRY(load_driver_api());
  if (CUresult r = api.init(0); r != CUDA_SUCCESS) {
    return unavailable("the CUDA driver did not initialise: " + describe_error(api, r));
  }
  int count = 0;
  if (CUresult r = api.device_get_count(&count); r != CUDA_SUCCESS) {
    return unavailable("the CUDA driver could not count devices: " + describe_error(api, r));
  }
  if (count == 0) return unavailable("the CUDA driver sees no device");
  if (ordinal < 0 || ordinal >= count) {
    return unavailable("CUDA device " + std::to_string(ordinal) +
                       " does not exist (the driver sees " + std::to_string(count) + ")");
  }
  CUdevice device = 0;
  if (CUresult r = api.device_get(&device, ordinal); r != CUDA_SUCCESS) {
    return unavailable("cuDeviceGet(" + std::to_string(ordinal) +
                       ") failed: " + describe_error(api, r));
  }

  DeviceInfo info;
  info.ordinal = ordinal;
  char name[256] = {};
  if (api.device_get_name(name, sizeof(name) - 1, device) == CUDA_SUCCESS) info.name = name;
  auto attribute = [&](CUdevice_attribute which, int fallback) {
    int value = 0;
    return api.device_get_attribute(&value, which, device) == CUDA_SUCCESS ? value : fallback;
  };
  info.cc_major = attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 0);
  info.cc_minor = attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 0);
  int driver_version = 0;
  api.driver_get_version(&driver_version);
  const std::string api_version = "CUDA " + std::to_string(driver_version / 1000) + "." +
                                  std::to_string(driver_version % 1000 / 10);
  const std::string module = kernel_module_version();
  info.driver = module.empty() ? api_version : module + ", " + api_version;

  Capabilities& caps = info.capabilities;
  caps.max_workgroup_size = {
      static_cast<std::uint32_t>(attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, 1024)),
      static_cast<std::uint32_t>(attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, 1024)),
      static_cast<std::uint32_t>(attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, 64))};
  caps.max_workgroup_invocations =
      static_cast<std::uint32_t>(attribute(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, 1024));
  caps.max_groups = {
      static_cast<std::uint64_t>(attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, 2147483647)),
      static_cast<std::uint64_t>(attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, 65535)),
      static_cast<std::uint64_t>(attribute(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, 65535))};
  // Static shared memory: the generated kernels declare their arrays statically, and 48 KiB is
  // the most a kernel may use without opting in per function.
  caps.max_shared_bytes =
      static_cast<std::uint64_t>(attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, 49152));
  std::size_t total = 0;
  if (api.device_total_mem(&total, device) == CUDA_SUCCESS && total > 0)
    caps.max_buffer_bytes = total;
  caps.subgroup_size = static_cast<std::uint32_t>(attribute(CU_DEVICE_ATTRIBUTE_WARP_SIZE, 32));

  auto opened = std::shared_ptr<CudaDevice>(new CudaDevice(api, device, std::move(info)));
  {
    std::unique_lock lock(opened->mutex_);
    VYRE_TRY(opened->build_context());
  }
  open_devices[ordinal] = opened;
  return opened;
}

CudaDevice::~CudaDevice() {
  std::unique_lock lock(mutex_);
  drop_context(/*context_alive=*/true);
}

Status CudaDevice::build_context() {
  CUcontext context = nullptr;
  if (CUresult r = api_.primary_ctx_retain(&context, device_); r != CUDA_SUCCESS) {
    if (poisons_context(r)) {
      // Recent drivers keep a sticky error for the life of the process, reset or not.
      return Diagnostic::error(
          code::DeviceLost,
          "the CUDA context of device " + std::to_string(info_.ordinal) + " (" + info_.name +
              ") was lost and the driver refuses to create a new one in this process: " +
              describe_error(api_, r),
          "restart the process to use this device again; the kernel that faulted is named by "
          "the first CudaContextLost diagnostic");
    }
    return unavailable("cuDevicePrimaryCtxRetain failed on device " +
                       std::to_string(info_.ordinal) + ": " + describe_error(api_, r));
  }
  CUstream stream = nullptr;
  CUresult r = api_.ctx_set_current(context);
  if (r == CUDA_SUCCESS) r = api_.stream_create(&stream, CU_STREAM_NON_BLOCKING);
  if (r != CUDA_SUCCESS) {
    api_.primary_ctx_release(device_);
    return unavailable("could not set up a context and stream on device " +
                       std::to_string(info_.ordinal) + ": " + describe_error(api_, r));
  }
  context_ = context;
  stream_ = stream;
  static std::uint64_t next_generation = 0;  // guarded: every caller holds some device's mutex_
  static std::mutex generation_mutex;
  std::lock_guard guard(generation_mutex);
  generation_ = ++next_generation;
  return Ok{};
}

void CudaDevice::drop_context(bool context_alive) {
  if (context_ == nullptr) return;
  {
    std::lock_guard events(events_mutex_);
    if (context_alive) {
      api_.ctx_set_current(context_);
      for (CUevent event : free_events_) api_.event_destroy(event);
      api_.stream_destroy(stream_);
    }
    free_events_.clear();
  }
  api_.primary_ctx_release(device_);
  context_ = nullptr;
  stream_ = nullptr;
  generation_ = 0;
}

Result<CudaDevice::Lease> CudaDevice::enter() {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Lease lease;
    lease.lock_ = std::shared_lock(mutex_);
    if (generation_ != 0) {
      if (CUresult r = api_.ctx_set_current(context_); r != CUDA_SUCCESS) {
        return driver_error(api_, r, "cuCtxSetCurrent", "entering the device's context");
      }
      lease.context = context_;
      lease.stream = stream_;
      lease.generation = generation_;
      return lease;
    }
    if (lost_) return *lost_;
    // An earlier rebuild failed: try once more.
    lease.lock_.unlock();
    std::unique_lock exclusive(mutex_);
    if (generation_ == 0) VYRE_TRY(build_context());
  }
  return unavailable("the CUDA context could not be rebuilt");
}

Diagnostic CudaDevice::recover(CUresult error, std::uint64_t generation, std::string_view during) {
  std::string outcome;
  bool permanent = false;
  std::unique_lock lock(mutex_);
  if (generation_ == generation) {
    drop_context(/*context_alive=*/false);
    const CUresult reset = api_.primary_ctx_reset(device_);
    Status rebuilt = build_context();
    if (reset != CUDA_SUCCESS) {
      outcome = "; resetting the primary context failed too (" + describe_error(api_, reset) + ")";
    } else if (!rebuilt.ok()) {
      permanent = true;
      outcome = "; the driver refuses to rebuild the context in this process (" +
                describe_error(api_, error) +
                " is permanent on this driver): restart the process to use the device again";
    } else {
      outcome = "; the primary context was reset and rebuilt";
    }
  } else {
    outcome = lost_ ? "; the device was already lost" : "; the context had already been rebuilt";
  }
  const std::string what = "CUDA device " + std::to_string(info_.ordinal) + " (" + info_.name +
                           ") reported " + describe_error(api_, error) + " while " +
                           std::string(during) + outcome;
  if (permanent || lost_) {
    Diagnostic report = Diagnostic::error(
        code::DeviceLost, what,
        "restart the process to use this device again (the driver keeps this error for the life "
        "of the process); compiled pipelines come back from the disk cache without recompiling. "
        "Meanwhile routing skips the device; check the kernel's indexing and the device "
        "(nvidia-smi, kernel log)");
    if (!lost_) lost_ = report;
    return report;
  }
  return Diagnostic::error(code::DeviceLost, what,
                           "retry the dispatch: pipelines reload their kernels from the bytes they "
                           "keep; if it repeats, check the kernel's indexing and the device "
                           "(nvidia-smi, kernel log)");
}

Status CudaDevice::reset() {
  std::unique_lock lock(mutex_);
  if (lost_) return *lost_;
  drop_context(/*context_alive=*/generation_ != 0);
  if (CUresult r = api_.primary_ctx_reset(device_); r != CUDA_SUCCESS) {
    return driver_error(api_, r, "cuDevicePrimaryCtxReset",
                        "resetting device " + std::to_string(info_.ordinal));
  }
  return build_context();
}

std::optional<Diagnostic> CudaDevice::lost() const {
  std::shared_lock lock(mutex_);
  return lost_;
}

std::uint64_t CudaDevice::generation() const {
  std::shared_lock lock(mutex_);
  return generation_;
}

Result<CUevent> CudaDevice::take_event(const Lease& lease, CallCheck& check) {
  {
    std::lock_guard lock(events_mutex_);
    if (!free_events_.empty() && lease.generation == generation_) {
      CUevent event = free_events_.back();
      free_events_.pop_back();
      return event;
    }
  }
  CUevent event = nullptr;
  VYRE_TRY(check(api_.event_create(&event, CU_EVENT_DISABLE_TIMING), "cuEventCreate",
                 "creating a completion event"));
  return event;
}

void CudaDevice::give_event(const Lease& lease, CUevent event) {
  std::lock_guard lock(events_mutex_);
  if (lease.generation == generation_) free_events_.push_back(event);
}

}  // namespace vyre::cuda
