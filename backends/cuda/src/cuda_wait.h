// Waiting for device work with a timeout, shared by streams and events: poll the driver under a
// short lease (never sleeping while holding one, so a context rebuild is not held off), spin
// briefly and then back off. A zero timeout blocks in the driver instead. A poisoning error is
// handed to CudaDevice::recover and reported as DeviceLost (VY4103) with the driver's words.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "cuda_device.h"

namespace vyre::cuda {

struct WaitTarget {
  std::uint64_t generation = 0;     // the context the work was queued in
  std::function<CUresult()> query;  // cuEventQuery / cuStreamQuery
  std::function<CUresult()> block;  // cuEventSynchronize / cuStreamSynchronize
  std::string what;                 // "stream work", "event": for messages
};

// Ok once the work completed; StreamTimeout (VY4206) after `timeout` (the work goes on);
// DeviceLost (VY4103) when the device failed or the context was reset under the work.
Status wait_for_device(CudaDevice& device, const WaitTarget& target,
                       std::chrono::nanoseconds timeout);

// DeviceLost for `error` seen while `during` (recovering the context when the error poisons it).
// Never call it holding a lease: recovering takes the device exclusively.
Diagnostic device_lost(CudaDevice& device, CUresult error, std::uint64_t generation,
                       std::string_view during);

// DeviceLost for work queued in a context that has since been reset.
Diagnostic lost_to_reset(std::string_view what);

}  // namespace vyre::cuda
