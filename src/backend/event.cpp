#include "vyre/backend/event.h"

#include <fmt/format.h>

#include "vyre/diag/codes.h"

namespace vyre {

Result<double> Event::elapsed_ms(const Event& start, const Event& end) {
  if (!start.valid() || !end.valid() || !start.timing() || !end.timing()) {
    return Diagnostic::error(code::EventNotTimed,
                             "elapsed time asked of an event created without timing",
                             "create both events with Device::create_event(true)");
  }
  if (!(start.device() == end.device())) {
    return Diagnostic::error(code::EventNotTimed,
                             fmt::format("elapsed time between events of {} and {}",
                                         start.device().id(), end.device().id()),
                             "measure between two events of one device");
  }
  return end.event_->elapsed_ms_since(*start.event_);
}

}  // namespace vyre
