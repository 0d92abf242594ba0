// The OpenCL backend's device memory: cl_mem blocks in a CachingAllocator (reused by size
// class), streams that are in-order command queues with profiling (kernel time from events),
// markers as events, and mapped CL_MEM_ALLOC_HOST_PTR buffers as pinned host memory.
#pragma once

#include <CL/cl.h>

#include <memory>
#include <mutex>

#include "cl_handle.h"
#include "vyre/backend/backend.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/event.h"
#include "vyre/backend/pinned_memory.h"
#include "vyre/backend/stream.h"

namespace vyre::opencl {

class OpenClDevice {
 public:
  OpenClDevice(const Backend& backend, cl_context context, cl_device_id device);

  std::shared_ptr<CachingAllocator> allocator() const { return allocator_; }
  Result<std::shared_ptr<BackendStream>> default_stream();
  Result<std::shared_ptr<BackendStream>> create_stream();
  std::shared_ptr<BackendEvent> create_event(bool timing);
  Result<std::unique_ptr<PinnedMemory>> allocate_pinned(std::uint64_t bytes);

 private:
  cl_context context_;
  cl_device_id device_;
  std::uint64_t base_align_bytes_ = 128;  // CL_DEVICE_MEM_BASE_ADDR_ALIGN, for sub-buffers
  std::shared_ptr<CachingAllocator> allocator_;
  std::mutex mutex_;
  std::shared_ptr<BackendStream> default_stream_;
};

}  // namespace vyre::opencl
