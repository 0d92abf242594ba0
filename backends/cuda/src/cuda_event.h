// CudaEvent: a BackendEvent on one CUDA device. The CUevent is made per context generation (a
// reset destroys it with the context); timing events can measure device time between two
// records (cuEventElapsedTime). An event never recorded is complete.
#pragma once

#include <cuda.h>

#include <memory>
#include <mutex>

#include "cuda_device.h"
#include "vyre/backend/event.h"

namespace vyre::cuda {

class CudaEvent final : public BackendEvent {
 public:
  CudaEvent(std::shared_ptr<CudaDevice> device, bool timing)
      : device_(std::move(device)), timing_(timing) {}
  ~CudaEvent() override;

  bool ready() override;
  Status wait(std::chrono::nanoseconds timeout) override;
  Result<double> elapsed_ms_since(const BackendEvent& start) override;

  // Records on `stream` (of the lease's context): what CudaStream::record calls. Driver errors
  // go through `check`.
  Status record_on(CUstream stream, const CudaDevice::Lease& lease, CallCheck& check);
  // The handle of the last record, for cuStreamWaitEvent; null when never recorded in the
  // lease's context (then there is nothing to wait for).
  CUevent recorded_handle(const CudaDevice::Lease& lease);
  const CudaDevice& device() const { return *device_; }

 private:
  std::shared_ptr<CudaDevice> device_;
  const bool timing_;
  std::mutex mutex_;
  CUevent event_ = nullptr;
  std::uint64_t generation_ = 0;           // context of event_
  std::uint64_t recorded_generation_ = 0;  // context of the last record, 0 = never recorded
};

}  // namespace vyre::cuda
