// CudaBackend's part of the device-memory contract (backend/backend.h): devices by ordinal,
// their caching allocators, streams, events, graphs and pinned memory.
#include <fmt/format.h>

#include "cuda_device_table.h"
#include "cuda_event.h"
#include "cuda_graph.h"
#include "cuda_memory.h"
#include "cuda_stream.h"
#include "vyre/backend/graph.h"
#include "vyre/backends/cuda/backend.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"

namespace vyre::cuda {
namespace {

// Writes one 8-byte value into every element: what a fill of i64/u64/f64 runs when the value's
// halves differ (cuMemsetD32 covers the rest).
constexpr std::string_view kFill64 = R"(kernel vyre_fill64 workgroup(256) {
  param value: u64
  buffer dst: write u64[n]
  let i = global_id.x
  if i < len(dst) { dst[i] = value }
}
)";

Diagnostic no_such_device(std::uint32_t index, std::uint32_t count) {
  return Diagnostic::error(code::UnknownDevice,
                           fmt::format("there is no cuda:{} (the driver sees {} device{})", index,
                                       count, count == 1 ? "" : "s"),
                           count == 0 ? std::string("run where an NVIDIA GPU is visible")
                                      : fmt::format("use cuda:0 to cuda:{}", count - 1));
}

}  // namespace

CudaBackend::CudaBackend() : devices_(std::make_unique<CudaDeviceTable>()) {}

std::uint32_t CudaBackend::device_count() const {
  if (!device_) return 0;
  std::lock_guard lock(devices_->mutex);
  if (devices_->count == 0) {
    int count = 0;
    if (device_->api().device_get_count(&count) == CUDA_SUCCESS && count > 0) {
      devices_->count = static_cast<std::uint32_t>(count);
      devices_->devices.resize(devices_->count);
    }
  }
  return devices_->count;
}

std::string CudaBackend::device_name(std::uint32_t device) const {
  if (device_ && device == static_cast<std::uint32_t>(device_->info().ordinal)) {
    return device_->info().name;
  }
  if (device < device_count()) {
    auto opened = CudaDevice::open(static_cast<int>(device));
    if (opened.ok()) return (*opened)->info().name;
  }
  return fmt::format("cuda:{}", device);
}

// The device's resources, opened on first use. Outside any lease (opening makes a stream).
static Result<CudaDeviceResources*> open_resources(CudaBackend& backend, CudaDeviceTable& table,
                                                   const std::shared_ptr<CudaDevice>& own,
                                                   const CudaArch& arch, std::uint32_t index) {
  const std::uint32_t count = backend.device_count();
  std::lock_guard lock(table.mutex);
  if (index >= count) return no_such_device(index, count);
  if (auto& existing = table.devices[index]) return existing.get();

  auto resources = std::make_unique<CudaDeviceResources>();
  resources->index = index;
  if (own && index == static_cast<std::uint32_t>(own->info().ordinal)) {
    resources->device = own;
  } else {
    resources->device = VYRE_TRY(CudaDevice::open(static_cast<int>(index)));
  }
  const DeviceInfo& info = resources->device->info();
  if (!arch_runs_on(arch, info.cc_major, info.cc_minor)) {
    return Diagnostic::error(
        code::CudaBadArch,
        fmt::format("this backend compiles for {}, which cuda:{} ({}, "
                    "compute capability {}.{}) cannot run",
                    arch.name(), index, info.name, info.cc_major, info.cc_minor),
        "use devices of one architecture with one CUDA backend, or create "
        "a backend for this device (CudaBackendOptions::device)");
  }
  resources->pinned = table.pinned;
  resources->staging = std::make_shared<StagingRing>(resources->device, table.pinned);
  resources->allocator =
      CachingAllocator::create(std::make_unique<CudaMemorySource>(resources->device),
                               DeviceKey{&backend, index}, fmt::format("cuda:{}", index));
  resources->allocator_generation = resources->device->generation();
  resources->compile_fill = [&backend]() -> Result<std::shared_ptr<const CompiledPipeline>> {
    const ir::Program program = VYRE_TRY(ir::parse_program(kFill64));
    return backend.compile(program, {});
  };
  resources->default_stream = VYRE_TRY(CudaStream::create(*resources));
  table.devices[index] = std::move(resources);
  return table.devices[index].get();
}

Result<std::shared_ptr<CachingAllocator>> CudaBackend::device_allocator(std::uint32_t device) {
  if (!device_) return no_such_device(device, 0);
  CudaDeviceResources* resources =
      VYRE_TRY(open_resources(*this, *devices_, device_, arch_, device));
  const std::uint64_t generation = resources->device->generation();
  std::lock_guard lock(resources->mutex);
  if (generation != resources->allocator_generation) {
    // The cached blocks died with the old context (free_block only drops their tags).
    resources->allocator->trim();
    resources->allocator_generation = generation;
  }
  return resources->allocator;
}

Result<std::shared_ptr<BackendStream>> CudaBackend::default_stream(std::uint32_t device) {
  if (!device_) return no_such_device(device, 0);
  CudaDeviceResources* resources =
      VYRE_TRY(open_resources(*this, *devices_, device_, arch_, device));
  return resources->default_stream;
}

Result<std::shared_ptr<BackendStream>> CudaBackend::create_stream(std::uint32_t device) {
  if (!device_) return no_such_device(device, 0);
  CudaDeviceResources* resources =
      VYRE_TRY(open_resources(*this, *devices_, device_, arch_, device));
  return std::shared_ptr<BackendStream>(VYRE_TRY(CudaStream::create(*resources)));
}

Result<std::shared_ptr<BackendEvent>> CudaBackend::create_event(std::uint32_t device, bool timing) {
  if (!device_) return no_such_device(device, 0);
  CudaDeviceResources* resources =
      VYRE_TRY(open_resources(*this, *devices_, device_, arch_, device));
  return std::shared_ptr<BackendEvent>(std::make_shared<CudaEvent>(resources->device, timing));
}

Result<std::unique_ptr<BackendGraph>> CudaBackend::instantiate_graph(
    const GraphRecording& recording) {
  if (!device_) return no_such_device(recording.device().index(), 0);
  CudaDeviceResources* resources =
      VYRE_TRY(open_resources(*this, *devices_, device_, arch_, recording.device().index()));
  return std::unique_ptr<BackendGraph>(VYRE_TRY(CudaGraph::instantiate(*resources, recording)));
}

Result<MemoryBlock> CudaBackend::adopt_block(std::uint32_t device, void* address,
                                             std::uint64_t bytes) {
  if (!device_) return no_such_device(device, 0);
  CudaDeviceResources* resources =
      VYRE_TRY(open_resources(*this, *devices_, device_, arch_, device));
  auto block = std::make_unique<CudaBlock>();
  block->pointer = reinterpret_cast<CUdeviceptr>(address);
  block->generation = resources->device->generation();
  MemoryBlock out;
  out.handle = reinterpret_cast<std::uint64_t>(block.release());
  out.bytes = bytes;
  return out;
}

void CudaBackend::forget_block(const MemoryBlock& block) noexcept {
  delete reinterpret_cast<CudaBlock*>(block.handle);
}

std::optional<std::uintptr_t> CudaBackend::block_address(const MemoryBlock& block) const {
  return static_cast<std::uintptr_t>(cuda_block(block).pointer);
}

Result<std::unique_ptr<PinnedMemory>> CudaBackend::allocate_pinned(std::uint64_t bytes) {
  if (!device_) return Backend::allocate_pinned(bytes);  // compile-only: plain host memory
  return std::unique_ptr<PinnedMemory>(
      VYRE_TRY(CudaPinnedMemory::create(device_, devices_->pinned, bytes)));
}

}  // namespace vyre::cuda
