// PinnedMemory: host memory the device can transfer from and to directly (page-locked on CUDA,
// a mapped CL_MEM_ALLOC_HOST_PTR buffer on OpenCL, plain aligned memory on reference). Uploads
// from and downloads into it skip the staging copy and may overlap compute.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

namespace vyre {

class PinnedMemory {
 public:
  virtual ~PinnedMemory() = default;
  virtual std::span<std::uint8_t> bytes() = 0;
  // True when the backend pinned it; false for the plain host memory of the default.
  virtual bool pinned() const = 0;
};

// Plain aligned host memory: Backend::allocate_pinned's default.
std::unique_ptr<PinnedMemory> make_host_memory(std::uint64_t bytes);

}  // namespace vyre
