// CudaPipeline: a compiled CUDA pipeline. Keeps its serialized bytes (header + cubin), so the
// cache can store them and a rebuilt context can reload the module without recompiling; the
// module itself is loaded per context generation, on demand.
#pragma once

#include <cuda.h>

#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "cuda_device.h"
#include "vyre/backend/backend.h"
#include "vyre/backends/cuda/pipeline_format.h"

namespace vyre::cuda {

class CudaPipeline final : public CompiledPipeline {
 public:
  CudaPipeline(const Backend& owner, ir::Program program, CubinImage image,
               std::shared_ptr<CudaDevice> device);
  // From serialized bytes already checked (a cache hit: view_cubin_image): `header` is their
  // header and the cubin starts at `cubin_offset`. Keeps the bytes, the pipeline's only copy.
  CudaPipeline(const Backend& owner, ir::Program program, CubinImage header,
               std::vector<std::uint8_t> bytes, std::size_t cubin_offset,
               std::shared_ptr<CudaDevice> device);
  ~CudaPipeline() override;

  // The header fields; image().cubin is empty, the cubin is cubin() (a view into bytes()).
  const CubinImage& image() const { return image_; }
  std::span<const std::uint8_t> cubin() const { return cubin_; }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

  // The kernel in the lease's context, loading the module if this generation has none yet.
  // `device` is the device the lease is of (the compiling one when null): a pipeline runs on
  // every device of its architecture, with one module per device context.
  Result<CUfunction> function(const CudaDevice::Lease& lease, CallCheck& check,
                              const std::shared_ptr<CudaDevice>& device = nullptr) const;

 private:
  CubinImage image_;                     // without its cubin
  std::vector<std::uint8_t> bytes_;      // encode_cubin_image() of the whole image
  std::span<const std::uint8_t> cubin_;  // the cubin, inside bytes_
  std::shared_ptr<CudaDevice> device_;   // null for a compile-only backend

  // The module loaded into one device's context (generations are unique across devices).
  struct LoadedModule {
    std::shared_ptr<CudaDevice> device;
    std::uint64_t generation = 0;
    CUmodule module = nullptr;
    CUfunction function = nullptr;
  };
  mutable std::mutex module_mutex_;
  mutable std::vector<LoadedModule> modules_;  // one per device, usually one
};

}  // namespace vyre::cuda
