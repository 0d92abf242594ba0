#include "vyre/backends/cuda/backend.h"

#include <charconv>

#include "cuda_device.h"
#include "cuda_device_table.h"
#include "cuda_dispatch.h"
#include "cuda_pipeline.h"
#include "vyre/backends/c_emitter.h"
#include "vyre/backends/c_kernel_batch.h"
#include "vyre/backends/cuda/codes.h"
#include "vyre/backends/cuda/environment.h"
#include "vyre/backends/cuda/nvrtc_compiler.h"

namespace vyre::cuda {
namespace {

Result<int> device_ordinal(const CudaBackendOptions& options) {
  if (options.device) return *options.device;
  const std::optional<std::string> text = env_value(kDeviceVariable);
  if (!text) return 0;
  int ordinal = -1;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), ordinal);
  if (error != std::errc() || end != text->data() + text->size() || ordinal < 0) {
    return Diagnostic::error(code::BackendUnavailable,
                             "VYRE_CUDA_DEVICE `" + *text + "` is not a device ordinal",
                             "set VYRE_CUDA_DEVICE to 0, 1, ... (nvidia-smi lists the devices)");
  }
  return ordinal;
}

// The architecture to compile for: --arch, else VYRE_CUDA_ARCH, else the device's, else sm_90.
// An explicit choice must be one the device (if any) can run.
Result<CudaArch> target_arch(const CudaBackendOptions& options, const DeviceInfo* device) {
  std::optional<CudaArch> chosen;
  if (options.arch) {
    chosen = VYRE_TRY(parse_arch(*options.arch, "--arch"));
  } else if (auto text = env_value(kArchVariable)) {
    chosen = VYRE_TRY(parse_arch(*text, "VYRE_CUDA_ARCH"));
  }
  if (device == nullptr) return chosen.value_or(kDefaultArch);
  if (!chosen) return arch_of_device(device->cc_major, device->cc_minor);
  if (!arch_runs_on(*chosen, device->cc_major, device->cc_minor)) {
    return Diagnostic::error(code::CudaBadArch,
                             "target " + chosen->name() + " cannot run on device " +
                                 std::to_string(device->ordinal) + " (" + device->name +
                                 ", compute capability " + std::to_string(device->cc_major) + "." +
                                 std::to_string(device->cc_minor) + ")",
                             "unset --arch / VYRE_CUDA_ARCH to use the device's own (" +
                                 arch_of_device(device->cc_major, device->cc_minor).name() + ")");
  }
  return *chosen;
}

const CudaPipeline* as_cuda(const CompiledPipeline& pipeline) {
  return dynamic_cast<const CudaPipeline*>(&pipeline);
}

Diagnostic not_ours() {
  return Diagnostic::error(code::BadPipelineBytes,
                           "the pipeline was not compiled by the cuda backend",
                           "dispatch a pipeline with the backend that compiled it");
}

Diagnostic no_device(std::string_view what) {
  return Diagnostic::error(
      code::CudaNoDevice,
      "cannot " + std::string(what) + ": this CUDA backend compiles only (no device was available)",
      "run on a machine with an NVIDIA GPU and driver to dispatch");
}

// What the generator needs to emit `program` for this backend under `entry`.
codegen::EmitOptions cuda_emit_options(const ir::Program& program, const DispatchConfig& config,
                                       std::string entry) {
  codegen::EmitOptions options;
  options.dialect = codegen::Dialect::Cuda;
  options.workgroup = effective_workgroup(program, config);
  options.ulp_budget = config.ulp_budget;
  options.int64_atomics = true;
  options.fp64 = true;
  options.backend_id = std::string(kBackendId);
  options.lowerings = &codegen::c_lowerings(codegen::Dialect::Cuda);
  options.entry = std::move(entry);
  return options;
}

// Loads the pipeline's module into the current context (cuModuleLoadData).
Status load_module(CudaDevice& device, const CudaPipeline& pipeline) {
  CallCheck check(device.api());
  std::uint64_t generation = 0;
  {
    auto lease = VYRE_TRY(device.enter());
    generation = lease.generation;
    auto loaded = pipeline.function(lease, check);
    if (loaded.ok()) return Ok{};
    if (!check.poison) return std::move(loaded).error();
  }
  return device.recover(*check.poison, generation, "loading a module");
}

}  // namespace

Result<std::shared_ptr<CudaBackend>> CudaBackend::create(const CudaBackendOptions& options) {
  // Without NVRTC there is no compiler version for the fingerprint and nothing to compile with.
  VYRE_TRY(nvrtc_available());
  std::shared_ptr<CudaBackend> backend(new CudaBackend());
  const int ordinal = VYRE_TRY(device_ordinal(options));
  auto device = CudaDevice::open(ordinal);
  if (!device.ok() && options.require_device) return std::move(device).error();
  if (device.ok()) backend->device_ = std::move(*device);

  const DeviceInfo* info = backend->device_ ? &backend->device_->info() : nullptr;
  backend->arch_ = VYRE_TRY(target_arch(options, info));
  if (!nvrtc_supports(backend->arch_)) {
    return Diagnostic::error(
        code::CudaBadArch,
        "this NVRTC (" + nvrtc_version() + ") cannot target " + backend->arch_.name(),
        "choose one of: " + nvrtc_supported_archs());
  }

  DeviceFingerprint& fp = backend->fingerprint_;
  fp.vendor = "NVIDIA Corporation";
  // NVRTC, vyre's generator and the serialized format: a change to any changes the bytes cached.
  fp.compiler = nvrtc_version() + "; " + std::string(codegen::kCodegenRevision) +
                "; cubin format " + std::to_string(kCubinFormatVersion);
  if (info != nullptr) {
    fp.device = info->name + " " + backend->arch_.name();
    fp.driver = info->driver;
    backend->capabilities_ = info->capabilities;
  } else {
    fp.device = "no device " + backend->arch_.name();
    fp.driver = "none";
  }
  Capabilities& caps = backend->capabilities_;
  caps.element_types = {ir::Type::Bool, ir::Type::I32, ir::Type::U32, ir::Type::I64,
                        ir::Type::U64,  ir::Type::F32, ir::Type::F64};
  caps.atomics32 = true;
  caps.atomics64 = true;
  caps.f64 = true;
  caps.features = {backend->arch_.name()};
  return backend;
}

CudaBackend::~CudaBackend() = default;

Result<std::shared_ptr<const CompiledPipeline>> CudaBackend::compile(const ir::Program& program,
                                                                     const DispatchConfig& config) {
  const codegen::EmitOptions options =
      cuda_emit_options(program, config, std::string(codegen::kSingleEntry));
  const codegen::KernelSource kernel = VYRE_TRY(codegen::emit_c_kernel(program, options));

  CubinRequest request;
  request.source = kernel.source;
  request.entry = kernel.entry;
  request.arch = arch_;
  request.kernel_name = program->name;
  Cubin cubin = VYRE_TRY(compile_to_cubin(request));

  CubinImage image;
  image.arch = arch_;
  image.entry = std::move(cubin.entry);
  image.args = kernel.args;
  image.workgroup = options.workgroup;
  image.program = program.digest();
  image.cubin = std::move(cubin.bytes);
  auto pipeline = std::make_shared<CudaPipeline>(*this, program, std::move(image), device_);
  // Load now, so a cubin the driver rejects fails here rather than at the first dispatch.
  if (device_) VYRE_TRY(load_module(*device_, *pipeline));
  return std::shared_ptr<const CompiledPipeline>(std::move(pipeline));
}

std::vector<Result<std::shared_ptr<const CompiledPipeline>>> CudaBackend::compile_many(
    std::span<const ir::Program* const> programs, const DispatchConfig& config) {
  // One NVRTC invocation for every kernel: NVRTC's fixed cost (~10 ms a call on the H100 host)
  // dominates small kernels. Each pipeline keeps the whole cubin and its own entry; a failed
  // batch falls back to one compile per program, so a failure names the program that caused it.
  if (programs.size() < 2) return Backend::compile_many(programs, config);
  std::vector<codegen::KernelParts> parts;
  parts.reserve(programs.size());
  for (const ir::Program* program : programs) {
    auto emitted = codegen::emit_c_kernel_parts(
        *program, cuda_emit_options(*program, config, codegen::batch_entry_name(*program)));
    if (!emitted.ok()) return Backend::compile_many(programs, config);
    parts.push_back(std::move(emitted).value());
  }
  const std::string source = codegen::emit_c_kernel_batch(parts);
  CubinRequest request;
  request.source = source;
  request.entry = parts.front().entry;
  request.arch = arch_;
  request.kernel_name = "a batch of kernels";
  auto cubin = compile_to_cubin(request);
  if (!cubin.ok()) return Backend::compile_many(programs, config);

  std::vector<Result<std::shared_ptr<const CompiledPipeline>>> out;
  out.reserve(programs.size());
  for (std::size_t k = 0; k < programs.size(); ++k) {
    CubinImage image;
    image.arch = arch_;
    image.entry = parts[k].entry;  // extern "C": the symbol is the name
    image.args = parts[k].args;
    image.workgroup = effective_workgroup(*programs[k], config);
    image.program = programs[k]->digest();
    image.cubin = cubin->bytes;
    auto pipeline = std::make_shared<CudaPipeline>(*this, *programs[k], std::move(image), device_);
    if (device_) {
      if (Status loaded = load_module(*device_, *pipeline); !loaded.ok()) {
        out.emplace_back(std::move(loaded).error());
        continue;
      }
    }
    out.emplace_back(std::shared_ptr<const CompiledPipeline>(std::move(pipeline)));
  }
  return out;
}

Result<std::vector<std::uint8_t>> CudaBackend::serialize(const CompiledPipeline& pipeline) const {
  const CudaPipeline* cuda = as_cuda(pipeline);
  if (cuda == nullptr) return not_ours();
  return cuda->bytes();
}

Result<std::shared_ptr<const CompiledPipeline>> CudaBackend::load(
    const ir::Program& program, const DispatchConfig& config, std::span<const std::uint8_t> bytes) {
  CubinView view = VYRE_TRY(view_cubin_image(bytes));
  CubinImage& image = view.image;
  if (image.arch != arch_) {
    return Diagnostic::error(code::CubinArchMismatch,
                             "cached cubin of kernel `" + program->name + "` targets " +
                                 image.arch.name() + ", this backend " + arch_.name(),
                             "nothing to do: the pipeline is recompiled for " + arch_.name());
  }
  if (image.program != program.digest() || !codegen::is_program_entry(image.entry, program) ||
      !codegen::has_kernel_args(image.args, program)) {
    return Diagnostic::error(
        code::BadPipelineBytes,
        "cached cubin was compiled from a different program than `" + program->name + "`",
        "nothing to do: the pipeline is recompiled");
  }
  if (image.workgroup != effective_workgroup(program, config)) {
    return Diagnostic::error(
        code::BadPipelineBytes,
        "cached cubin of kernel `" + program->name + "` was compiled for another workgroup size",
        "nothing to do: the pipeline is recompiled");
  }
  const auto cubin_offset = static_cast<std::size_t>(view.cubin.data() - bytes.data());
  auto pipeline = std::make_shared<CudaPipeline>(
      *this, program, std::move(image), std::vector<std::uint8_t>(bytes.begin(), bytes.end()),
      cubin_offset, device_);
  if (device_) VYRE_TRY(load_module(*device_, *pipeline));
  return std::shared_ptr<const CompiledPipeline>(std::move(pipeline));
}

Result<std::unique_ptr<PendingDispatch>> CudaBackend::launch_async(
    const CompiledPipeline& pipeline, Bindings& bindings, const LaunchGeometry& geometry,
    const DispatchConfig& /*config*/) {
  if (!device_) return no_device("dispatch kernel `" + pipeline.program()->name + "`");
  // validate_dispatch checked the owner: the pipeline is one of ours.
  return start_dispatch(device_, static_cast<const CudaPipeline&>(pipeline), bindings, geometry);
}

std::vector<std::string> CudaBackend::supported_ops() const {
  return codegen::lowered_ops(codegen::c_lowerings(codegen::Dialect::Cuda));
}

std::optional<Diagnostic> CudaBackend::health() const {
  return device_ ? device_->lost() : std::nullopt;
}

Status CudaBackend::reset_device() {
  if (!device_) return no_device("reset the device");
  return device_->reset();
}

std::uint64_t CudaBackend::context_generation() const {
  return device_ ? device_->generation() : 0;
}

Result<CudaBackend::RawHandles> CudaBackend::raw_handles(const CompiledPipeline* pipeline) {
  if (!device_) return no_device("hand out device handles");
  auto lease = VYRE_TRY(device_->enter());
  RawHandles handles;
  handles.api = &device_->api();
  handles.context = lease.context;
  handles.stream = lease.stream;
  if (pipeline != nullptr) {
    const CudaPipeline* cuda = as_cuda(*pipeline);
    if (cuda == nullptr) return not_ours();
    CallCheck check(device_->api());
    handles.function = VYRE_TRY(cuda->function(lease, check));
  }
  return handles;
}

}  // namespace vyre::cuda
