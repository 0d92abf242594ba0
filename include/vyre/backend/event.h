// Events: a point in a stream's order. Record one on a stream, wait for it on the host (with a
// timeout) or on another stream (Stream::wait), and measure the device time between two timing
// events.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "vyre/backend/device.h"
#include "vyre/diag/result.h"

namespace vyre {

// What a backend implements. An event that was never recorded is complete.
class BackendEvent {
 public:
  virtual ~BackendEvent() = default;
  // True once the work before the last record() has completed (or failed: wait() says).
  virtual bool ready() = 0;
  // Waits up to `timeout` (zero = forever). StreamTimeout (VY4206) on timeout (the work goes
  // on; wait again), DeviceLost (VY4207) when the device failed.
  virtual Status wait(std::chrono::nanoseconds timeout) = 0;
  // Device milliseconds from `start` to this event; both recorded with timing on and complete.
  // EventNotTimed (VY4213) otherwise.
  virtual Result<double> elapsed_ms_since(const BackendEvent& start) = 0;
};

class Event {
 public:
  Event() = default;
  Event(Device device, std::shared_ptr<BackendEvent> event, bool timing)
      : device_(std::move(device)), event_(std::move(event)), timing_(timing) {}

  bool valid() const { return event_ != nullptr; }
  const Device& device() const { return device_; }
  bool timing() const { return timing_; }
  bool ready() const { return event_->ready(); }
  Status wait(std::chrono::nanoseconds timeout = {}) const { return event_->wait(timeout); }
  BackendEvent& backend_event() const { return *event_; }

  // Device milliseconds between two completed timing events of one device.
  static Result<double> elapsed_ms(const Event& start, const Event& end);

 private:
  Device device_;
  std::shared_ptr<BackendEvent> event_;
  bool timing_ = false;
};

}  // namespace vyre
