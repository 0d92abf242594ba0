// CudaDevice: one CUDA device as vyre uses it: its primary context and one stream, both
// rebuilt after an error that poisons the context or on an explicit reset(). Each rebuild starts
// a new generation; handles made in an older generation (modules, device memory, events) died
// with its context and must not be touched again. There is one CudaDevice per ordinal per
// process (every backend on that ordinal shares it), because a reset of the primary context
// destroys everything made in it, whoever made it.
//
// Drivers differ in what survives a poisoning error: on driver 580 (CUDA 13) an illegal address
// is sticky for the whole process (no context, primary or not, can be created afterwards), so
// the rebuild fails; the device then stays lost and every later use fails fast with the first
// CudaContextLost diagnostic, which says to restart the process.
#pragma once

#include <cuda.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/backend/capabilities.h"
#include "vyre/backends/cuda/driver_api.h"
#include "vyre/diag/result.h"

namespace vyre::cuda {

struct DeviceInfo {
  int ordinal = 0;
  std::string name;  // "NVIDIA H100 80GB HBM3"
  int cc_major = 0;
  int cc_minor = 0;
  std::string driver;  // "580.65.06, CUDA 13.0"
  Capabilities capabilities;
};

// Checks driver calls made under one lease. Remembers the first error that poisons the context,
// so the caller can rebuild it once the lease is released.
class CallCheck {
 public:
  explicit CallCheck(const DriverApi& api) : api_(api) {}
  Status operator()(CUresult result, std::string_view call, std::string_view during);
  std::optional<CUresult> poison;

 private:
  const DriverApi& api_;
};

class CudaDevice {
 public:
  // Loads the driver, initialises it and opens device `ordinal` (or returns the process's open
  // instance for it): BackendUnavailable on failure.
  static Result<std::shared_ptr<CudaDevice>> open(int ordinal);
  ~CudaDevice();
  CudaDevice(const CudaDevice&) = delete;
  CudaDevice& operator=(const CudaDevice&) = delete;

  const DriverApi& api() const { return api_; }
  const DeviceInfo& info() const { return info_; }

  // Permission to use the current context: makes it current on this thread and keeps a rebuild
  // from starting until the lease is released. Leases are shared; never hold one across a call
  // to recover().
  class Lease {
   public:
    CUcontext context = nullptr;
    CUstream stream = nullptr;
    std::uint64_t generation = 0;

   private:
    friend class CudaDevice;
    std::shared_lock<std::shared_mutex> lock_;
  };
  Result<Lease> enter();

  // After `error` poisoned the context of `generation`: resets and rebuilds the primary context
  // (once, however many callers saw the error) and returns the CudaContextLost diagnostic.
  Diagnostic recover(CUresult error, std::uint64_t generation, std::string_view during);

  // Resets the primary context on purpose (frees every allocation and module in it) and builds a
  // new one; pipelines reload their modules from their bytes on next use. Waits for leases.
  Status reset();

  // Set once a rebuild after a poisoning error failed: the device is unusable in this process.
  std::optional<Diagnostic> lost() const;
  // The current context generation (0 when none is usable); changes on every rebuild.
  std::uint64_t generation() const;

  // Events without timing, reused across dispatches of one generation.
  Result<CUevent> take_event(const Lease& lease, CallCheck& check);
  void give_event(const Lease& lease, CUevent event);

 private:
  CudaDevice(const DriverApi& api, CUdevice device, DeviceInfo info)
      : api_(api), device_(device), info_(std::move(info)) {}
  // Both with mutex_ held exclusively.
  Status build_context();
  void drop_context(bool context_alive);

  const DriverApi& api_;
  CUdevice device_;
  DeviceInfo info_;

  mutable std::shared_mutex mutex_;  // shared: leases; exclusive: (re)building the context
  CUcontext context_ = nullptr;
  CUstream stream_ = nullptr;
  std::uint64_t generation_ = 0;    // 0 = no usable context
  std::optional<Diagnostic> lost_;  // the device cannot be used again in this process
  std::mutex events_mutex_;
  std::vector<CUevent> free_events_;
};

}  // namespace vyre::cuda
