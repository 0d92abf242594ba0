// The reference backend's device: host memory through a CachingAllocator, streams that are a
// worker thread each (commands run in order on it), events that mark a point in that order.
#pragma once

#include <memory>
#include <mutex>

#include "vyre/backend/backend.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/event.h"
#include "vyre/backend/stream.h"

namespace vyre::reference {

class ReferenceDevice {
 public:
  explicit ReferenceDevice(const Backend& backend);

  std::shared_ptr<CachingAllocator> allocator() const { return allocator_; }
  std::shared_ptr<BackendStream> default_stream();
  std::shared_ptr<BackendStream> create_stream();
  std::shared_ptr<BackendEvent> create_event(bool timing);

 private:
  std::shared_ptr<CachingAllocator> allocator_;
  std::mutex mutex_;
  std::shared_ptr<BackendStream> default_stream_;
};

}  // namespace vyre::reference
