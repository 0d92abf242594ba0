#include "vyre/backend/backend.h"

#include <atomic>

#include "vyre/backend/dispatch_validation.h"

namespace vyre {

std::uint64_t LaunchGeometry::invocations() const {
  std::uint64_t total = 1;
  for (int d = 0; d < 3; ++d) total *= static_cast<std::uint64_t>(workgroup[d]) * groups[d];
  return total;
}

CompiledPipeline::CompiledPipeline(const Backend& owner, ir::Program program,
                                   std::array<std::uint32_t, 3> workgroup)
    : program_(std::move(program)), workgroup_(workgroup), owner_(owner.instance()) {}

Backend::Backend() {
  static std::atomic<std::uint64_t> next{1};
  instance_ = next.fetch_add(1, std::memory_order_relaxed);
}

std::vector<Result<std::shared_ptr<const CompiledPipeline>>> Backend::compile_many(
    std::span<const ir::Program* const> programs, const DispatchConfig& config) {
  std::vector<Result<std::shared_ptr<const CompiledPipeline>>> out;
  out.reserve(programs.size());
  for (const ir::Program* program : programs) out.push_back(compile(*program, config));
  return out;
}

Result<std::unique_ptr<PendingDispatch>> Backend::dispatch_async(const CompiledPipeline& pipeline,
                                                                 Bindings& bindings,
                                                                 const LaunchGeometry& geometry,
                                                                 const DispatchConfig& config) {
  VYRE_TRY(validate_dispatch(*this, pipeline, bindings, geometry));
  return launch_async(pipeline, bindings, geometry, config);
}

Status Backend::dispatch(const CompiledPipeline& pipeline, Bindings& bindings,
                         const LaunchGeometry& geometry, const DispatchConfig& config) {
  auto pending = VYRE_TRY(dispatch_async(pipeline, bindings, geometry, config));
  return pending->wait(config.timeout);
}

std::array<std::uint32_t, 3> effective_workgroup(const ir::Program& program,
                                                 const DispatchConfig& config) {
  if (config.workgroup_override) return *config.workgroup_override;
  return program->workgroup;
}

}  // namespace vyre
