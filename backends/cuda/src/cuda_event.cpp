#include "cuda_event.h"

#include <fmt/format.h>

#include "cuda_wait.h"
#include "vyre/diag/codes.h"

namespace vyre::cuda {

CudaEvent::~CudaEvent() {
  if (event_ == nullptr) return;
  auto lease = device_->enter();
  if (lease.ok() && lease->generation == generation_) device_->api().event_destroy(event_);
}

Status CudaEvent::record_on(CUstream stream, const CudaDevice::Lease& lease, CallCheck& check) {
  const DriverApi& api = device_->api();
  std::lock_guard lock(mutex_);
  if (event_ == nullptr || generation_ != lease.generation) {
    // An event of an older context died with it.
    event_ = nullptr;
    VYRE_TRY(check(api.event_create(&event_, timing_ ? CU_EVENT_DEFAULT : CU_EVENT_DISABLE_TIMING),
                   "cuEventCreate", "creating an event"));
    generation_ = lease.generation;
  }
  VYRE_TRY(check(api.event_record(event_, stream), "cuEventRecord", "recording an event"));
  recorded_generation_ = lease.generation;
  return Ok{};
}

CUevent CudaEvent::recorded_handle(const CudaDevice::Lease& lease) {
  std::lock_guard lock(mutex_);
  return recorded_generation_ == lease.generation ? event_ : nullptr;
}

bool CudaEvent::ready() {
  CUevent event = nullptr;
  std::uint64_t generation = 0;
  {
    // Never take the device lease under mutex_: record_on takes them the other way round.
    std::lock_guard lock(mutex_);
    if (recorded_generation_ == 0) return true;
    event = event_;
    generation = recorded_generation_;
  }
  auto lease = device_->enter();
  if (!lease.ok() || lease->generation != generation) return true;  // wait() says why
  return device_->api().event_query(event) != CUDA_ERROR_NOT_READY;
}

Status CudaEvent::wait(std::chrono::nanoseconds timeout) {
  CUevent event = nullptr;
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    if (recorded_generation_ == 0) return Ok{};
    event = event_;
    generation = recorded_generation_;
  }
  const DriverApi& api = device_->api();
  WaitTarget target;
  target.generation = generation;
  target.query = [&] { return api.event_query(event); };
  target.block = [&] { return api.event_synchronize(event); };
  target.what = "the work before an event";
  return wait_for_device(*device_, target, timeout);
}

Result<double> CudaEvent::elapsed_ms_since(const BackendEvent& start_event) {
  auto not_timed = [](std::string why) {
    return Diagnostic::error(code::EventNotTimed, std::move(why),
                             "create both events with Device::create_event(true), record both, "
                             "and wait for the later one");
  };
  const auto* start = dynamic_cast<const CudaEvent*>(&start_event);
  if (start == nullptr) return not_timed("the start event is not a CUDA event");
  if (!timing_ || !start->timing_) return not_timed("an event was created without timing");
  auto lease = VYRE_TRY(device_->enter());
  CUevent begin = const_cast<CudaEvent*>(start)->recorded_handle(lease);
  CUevent end = recorded_handle(lease);
  if (begin == nullptr || end == nullptr) {
    return not_timed("both events must be recorded (in the current CUDA context)");
  }
  float ms = 0;
  const CUresult r = device_->api().event_elapsed_time(&ms, begin, end);
  if (r == CUDA_ERROR_NOT_READY) return not_timed("the later event has not completed yet");
  if (r != CUDA_SUCCESS) {
    return not_timed(
        fmt::format("cuEventElapsedTime failed: {}", describe_error(device_->api(), r)));
  }
  return static_cast<double>(ms);
}

}  // namespace vyre::cuda
