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
  CudaPipeline(ir::Program program, CubinImage image, std::shared_ptr<CudaDevice> device);
  // From serialized bytes already checked (a cache hit: view_cubin_image): `header` is their
  // header, `serialized` the bytes and `cubin` the cubin in them, both inside `storage`'s heap
  // block, which the pipeline keeps as its only copy.
  CudaPipeline(ir::Program program, CubinImage header, std::vector<std::uint8_t> storage,
               std::span<const std::uint8_t> serialized, std::span<const std::uint8_t> cubin,
               std::shared_ptr<CudaDevice> device);
  ~CudaPipeline() override;

  // The header fields; image().cubin is empty, the cubin is cubin() (a view into bytes()).
  const CubinImage& image() const { return image_; }
  std::span<const std::uint8_t> cubin() const { return cubin_; }
  std::span<const std::uint8_t> bytes() const { return serialized_; }  // encode_cubin_image()

  // The kernel in the lease's context, loading the module if this generation has none yet.
  Result<CUfunction> function(const CudaDevice::Lease& lease, CallCheck& check) const;

 private:
  CubinImage image_;                          // without its cubin
  std::vector<std::uint8_t> storage_;         // holds serialized_ (maybe inside a cache entry)
  std::span<const std::uint8_t> serialized_;  // encode_cubin_image() of the whole image
  std::span<const std::uint8_t> cubin_;       // the cubin, inside serialized_
  std::shared_ptr<CudaDevice> device_;        // null for a compile-only backend

  mutable std::mutex module_mutex_;
  mutable std::uint64_t module_generation_ = 0;
  mutable CUmodule module_ = nullptr;
  mutable CUfunction function_ = nullptr;
};

}  // namespace vyre::cuda
