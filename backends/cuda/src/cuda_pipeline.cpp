#include "cuda_pipeline.h"

#include "vyre/backends/cuda/codes.h"

namespace vyre::cuda {

CudaPipeline::CudaPipeline(const Backend& owner, ir::Program program, CubinImage image,
                           std::shared_ptr<CudaDevice> device)
    : CompiledPipeline(owner, std::move(program), image.workgroup),
      bytes_(encode_cubin_image(image)),
      device_(std::move(device)) {
  // The cubin ends the encoding; keep that one copy.
  cubin_ = std::span<const std::uint8_t>(bytes_).last(image.cubin.size());
  image.cubin = {};
  image_ = std::move(image);
}

CudaPipeline::CudaPipeline(const Backend& owner, ir::Program program,
                                        CubinImage header, std::vector<std::uint8_t> bytes,
                                        std::size_t cubin_offset,
                                        std::shared_ptr<CudaDevice> device)
    : CompiledPipeline(owner, std::move(program), header.workgroup),
      image_(std::move(header)),
      bytes_(std::move(bytes)),
      cubin_(std::span<const std::uint8_t>(bytes_).subspan(cubin_offset)),
      device_(std::move(device)) {}

CudaPipeline::~CudaPipeline() {
  if (module_ == nullptr || device_ == nullptr) return;
  auto lease = device_->enter();
  // A module of an older generation died with its context.
  if (lease.ok() && lease->generation == module_generation_) {
    device_->api().module_unload(module_);
  }
}

Result<CUfunction> CudaPipeline::function(const CudaDevice::Lease& lease, CallCheck& check) const {
  std::lock_guard lock(module_mutex_);
  if (module_generation_ == lease.generation && function_ != nullptr) return function_;
  const DriverApi& api = device_->api();
  // The messages are built only on failure: this is the disk-hit path of a fresh process.
  CUmodule module = nullptr;
  if (CUresult r = api.module_load_data(&module, cubin_.data()); r != CUDA_SUCCESS) {
    VYRE_TRY(
        check(r, "cuModuleLoadData",
              "loading the " + image_.arch.name() + " cubin of kernel `" + program()->name + "`"));
  }
  CUfunction function = nullptr;
  if (CUresult r = api.module_get_function(&function, module, image_.entry.c_str());
      r != CUDA_SUCCESS) {
    Status found = check(r, "cuModuleGetFunction", "looking up entry `" + image_.entry + "`");
    api.module_unload(module);
    return std::move(found).error();
  }
  module_ = module;  // an older generation's module was freed by the context reset
  module_generation_ = lease.generation;
  function_ = function;
  return function_;
}

}  // namespace vyre::cuda
