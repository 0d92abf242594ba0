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
  for (const LoadedModule& loaded : modules_) {
    auto lease = loaded.device->enter();
    // A module of an older generation died with its context.
    if (lease.ok() && lease->generation == loaded.generation) {
      loaded.device->api().module_unload(loaded.module);
    }
  }
}

Result<CUfunction> CudaPipeline::function(
    const CudaDevice::Lease& lease, CallCheck& check,
    const std::shared_ptr<CudaDevice>& device) const {
  const std::shared_ptr<CudaDevice>& owner = device != nullptr ? device : device_;
  std::lock_guard lock(module_mutex_);
  LoadedModule* slot = nullptr;
  for (LoadedModule& loaded : modules_) {
    if (loaded.device != owner) continue;
    if (loaded.generation == lease.generation) return loaded.function;
    slot = &loaded;  // an older generation's module was freed by the context reset
  }
  const DriverApi& api = owner->api();
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
  if (slot == nullptr) slot = &modules_.emplace_back();
  slot->device = owner;
  slot->generation = lease.generation;
  slot->module = module;
  slot->function = function;
  return function;
}

}  // namespace vyre::cuda
