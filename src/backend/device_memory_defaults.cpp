// Backend's defaults for the device-memory part of the contract: a backend that keeps no memory
// on a device says so (DeviceMemoryUnsupported); graphs replay their command list.
#include <fmt/format.h>

#include "vyre/backend/backend.h"
#include "vyre/backend/graph.h"
#include "vyre/backend/pinned_memory.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

Diagnostic unsupported(const Backend& backend, std::string_view what) {
  return Diagnostic::error(
      code::DeviceMemoryUnsupported,
      fmt::format("backend `{}` keeps no memory on its device: it has no {}", backend.id(), what),
      "use a backend with device memory (reference, opencl, cuda), or Runtime::run with host "
      "buffers");
}

}  // namespace

std::string Backend::device_name(std::uint32_t) const {
  return fingerprint().device;
}

Result<std::shared_ptr<CachingAllocator>> Backend::device_allocator(std::uint32_t) {
  return unsupported(*this, "device allocator");
}

Result<std::shared_ptr<BackendStream>> Backend::default_stream(std::uint32_t) {
  return unsupported(*this, "streams");
}

Result<std::shared_ptr<BackendStream>> Backend::create_stream(std::uint32_t) {
  return unsupported(*this, "streams");
}

Result<std::shared_ptr<BackendEvent>> Backend::create_event(std::uint32_t, bool) {
  return unsupported(*this, "events");
}

Result<std::unique_ptr<BackendGraph>> Backend::instantiate_graph(const GraphRecording& recording) {
  return make_replay_graph(recording);
}

Result<std::unique_ptr<PinnedMemory>> Backend::allocate_pinned(std::uint64_t bytes) {
  return make_host_memory(bytes);
}

Result<MemoryBlock> Backend::adopt_block(std::uint32_t, void*, std::uint64_t) {
  return unsupported(*this, "way to adopt memory another library allocated");
}

void Backend::forget_block(const MemoryBlock&) noexcept {}

std::optional<std::uintptr_t> Backend::block_address(const MemoryBlock&) const {
  return std::nullopt;
}

}  // namespace vyre
