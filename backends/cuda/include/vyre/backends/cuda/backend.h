// CudaBackend: vyre's CUDA backend. Compiles with NVRTC to a cubin for the device's architecture
// (or --arch / VYRE_CUDA_ARCH, default sm_90, when there is no device), loads it through the
// driver API (libcuda loaded at run time), and dispatches on one stream of the device's primary
// context. A context poisoned by a failing kernel is reset and rebuilt where the driver allows it
// (pipelines then reload their kernels from the cubin bytes they keep); where the driver keeps the
// error for the life of the process, the backend reports itself lost (health()) and routing
// skips it.
#pragma once

#include <cuda.h>

#include <memory>
#include <optional>
#include <string>

#include "vyre/backend/backend.h"
#include "vyre/backends/cuda/arch.h"
#include "vyre/backends/cuda/driver_api.h"
#include "vyre/registry/backend_registry.h"

namespace vyre::cuda {

inline constexpr std::string_view kBackendId = "cuda";

struct CudaBackendOptions {
  // Target architecture; unset = VYRE_CUDA_ARCH, else the device's own, else kDefaultArch.
  std::optional<std::string> arch;
  // Device ordinal; unset = VYRE_CUDA_DEVICE, else 0.
  std::optional<int> device;
  // Without a usable device, false builds a compile-only backend (compile and serialize work,
  // load skips module creation, dispatch fails with CudaNoDevice) instead of failing.
  bool require_device = true;
};

class CudaDevice;       // the device, its primary context and stream (src/cuda_device.h)
class CudaDeviceTable;  // per-device memory, streams and staging (src/cuda_device_table.h)

class CudaBackend final : public Backend {
 public:
  static Result<std::shared_ptr<CudaBackend>> create(const CudaBackendOptions& options = {});
  ~CudaBackend() override;

  std::string_view id() const override { return kBackendId; }
  const Capabilities& capabilities() const override { return capabilities_; }
  const DeviceFingerprint& fingerprint() const override { return fingerprint_; }
  // CudaContextLost once the device was lost for the rest of the process (see CudaDevice).
  std::optional<Diagnostic> health() const override;
  // The C-family generator's CUDA lowerings (backends/common).
  std::vector<std::string> supported_ops() const override;

  Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program& program,
                                                          const DispatchConfig& config) override;
  // One NVRTC compile for the whole batch (see cuda_backend.cpp).
  std::vector<Result<std::shared_ptr<const CompiledPipeline>>> compile_many(
      std::span<const ir::Program* const> programs, const DispatchConfig& config) override;
  Result<std::vector<std::uint8_t>> serialize(const CompiledPipeline& pipeline) const override;
  Result<std::shared_ptr<const CompiledPipeline>> load(
      const ir::Program& program, const DispatchConfig& config,
      std::span<const std::uint8_t> bytes) override;

  // Device memory (backend/device.h): device index = CUDA ordinal ("cuda:1" is ordinal 1), each
  // opened on first use with its own caching allocator over cuMemAlloc, pinned staging ring and
  // default stream. Launches on device buffers go straight to cuLaunchKernel; graphs are CUDA
  // graphs instantiated once; pinned memory is host memory registered with the driver.
  std::uint32_t device_count() const override;
  std::string device_name(std::uint32_t device) const override;
  Result<std::shared_ptr<CachingAllocator>> device_allocator(std::uint32_t device) override;
  Result<std::shared_ptr<BackendStream>> default_stream(std::uint32_t device) override;
  Result<std::shared_ptr<BackendStream>> create_stream(std::uint32_t device) override;
  Result<std::shared_ptr<BackendEvent>> create_event(std::uint32_t device, bool timing) override;
  Result<std::unique_ptr<BackendGraph>> instantiate_graph(const GraphRecording& recording) override;
  Result<std::unique_ptr<PinnedMemory>> allocate_pinned(std::uint64_t bytes) override;
  // A CUdeviceptr of the device's primary context (CuPy's, PyTorch's) as a block, tagged with
  // the current context generation; forget_block drops the tag, never cuMemFree.
  Result<MemoryBlock> adopt_block(std::uint32_t device, void* address,
                                  std::uint64_t bytes) override;
  void forget_block(const MemoryBlock& block) noexcept override;
  std::optional<std::uintptr_t> block_address(const MemoryBlock& block) const override;

  // Resets the device's primary context on purpose: frees every allocation and module in it
  // (also those of other libraries sharing the primary context in this process) and builds a new
  // one. Pipelines stay valid: each reloads its module from the cubin bytes it keeps on its next
  // dispatch, without recompiling. The same path recovers from a poisoning error where the
  // driver allows it.
  Status reset_device();
  // Context generation, changed by every rebuild (0 without a device); for tests and reports.
  std::uint64_t context_generation() const;

  const CudaArch& arch() const { return arch_; }
  bool has_device() const { return device_ != nullptr; }

  // Raw handles, for benchmarks and tests that drive the device directly next to vyre. Valid
  // until the context is reset (see CudaContextLost); `function` is the pipeline's kernel,
  // loaded into the current context.
  struct RawHandles {
    const DriverApi* api = nullptr;
    CUcontext context = nullptr;
    CUstream stream = nullptr;
    CUfunction function = nullptr;
  };
  Result<RawHandles> raw_handles(const CompiledPipeline* pipeline = nullptr);

 protected:
  Result<std::unique_ptr<PendingDispatch>> launch_async(const CompiledPipeline& pipeline,
                                                        Bindings& bindings,
                                                        const LaunchGeometry& geometry,
                                                        const DispatchConfig& config) override;

 private:
  CudaBackend();
  std::shared_ptr<CudaDevice> device_;  // null for a compile-only backend
  std::unique_ptr<CudaDeviceTable> devices_;
  CudaArch arch_;
  Capabilities capabilities_;
  DeviceFingerprint fingerprint_;
};

// Checks that the driver loads and has the configured device and that NVRTC loads: Ok, or
// BackendUnavailable.
Status probe_cuda();

// The "cuda" provider for a BackendRegistry (probe = probe_cuda, factory = CudaBackend::create),
// at the priority backends/CMakeLists.txt gives it.
BackendProvider cuda_backend_provider(int priority);

}  // namespace vyre::cuda
