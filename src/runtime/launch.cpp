#include "vyre/runtime/launch.h"

#include <fmt/format.h>

#include "vyre/diag/codes.h"

namespace vyre {
namespace {

constexpr const char* kAxis[] = {"x", "y", "z"};

std::string dims(const std::array<std::uint32_t, 3>& w) {
  return fmt::format("{}x{}x{}", w[0], w[1], w[2]);
}
std::string dims(const std::array<std::uint64_t, 3>& g) {
  return fmt::format("{}x{}x{}", g[0], g[1], g[2]);
}

}  // namespace

Result<LaunchGeometry> derive_geometry(const ir::Program& program,
                                       const std::array<std::uint32_t, 3>& workgroup,
                                       const std::vector<std::uint64_t>& sizes,
                                       const DispatchConfig& config) {
  const ir::ProgramData& p = *program;
  LaunchGeometry geometry;
  geometry.workgroup = workgroup;
  for (int d = 0; d < 3; ++d) {
    if (workgroup[d] == 0) {
      return Diagnostic::error(
          code::WorkgroupTooLarge,
          fmt::format("workgroup size {} has a zero dimension", dims(workgroup)),
          "every workgroup dimension must be at least 1");
    }
  }
  if (config.grid_override) {
    geometry.groups = *config.grid_override;
    return geometry;
  }
  auto symbol_value = [&](const std::string& symbol) -> std::uint64_t {
    for (std::size_t i = 0; i < p.size_symbols.size() && i < sizes.size(); ++i) {
      if (p.size_symbols[i] == symbol) return sizes[i];
    }
    return 0;
  };
  auto threads_of = [&](const ir::SizeExpr& size) -> Result<std::uint64_t> {
    std::uint64_t n = size.constant;
    for (const auto& symbol : size.symbols) {
      std::uint64_t v = symbol_value(symbol);
      if (v != 0 && n > UINT64_MAX / v) {
        return Diagnostic::error(code::SizeOverflow,
                                 fmt::format("thread count {} overflows", ir::to_string(size)),
                                 "use smaller sizes");
      }
      n *= v;
    }
    return n;
  };
  std::array<std::uint64_t, 3> threads{1, 1, 1};
  if (!p.dispatch.empty()) {
    for (std::size_t d = 0; d < p.dispatch.size() && d < 3; ++d) {
      threads[d] = VYRE_TRY(threads_of(p.dispatch[d]));
    }
  } else {
    for (const auto& decl : p.buffers) {
      if (ir::can_write(decl.access)) {
        threads[0] = VYRE_TRY(threads_of(decl.count));
        break;
      }
    }
  }
  for (int d = 0; d < 3; ++d) {
    geometry.groups[d] = threads[d] / workgroup[d] + (threads[d] % workgroup[d] != 0 ? 1 : 0);
  }
  return geometry;
}

Status validate_launch(const ir::Program& program, const LaunchGeometry& geometry,
                       const Bindings& bindings, const Backend& backend) {
  const Capabilities& caps = backend.capabilities();
  const std::string id(backend.id());
  const auto& w = geometry.workgroup;
  for (int d = 0; d < 3; ++d) {
    if (w[d] == 0 || w[d] > caps.max_workgroup_size[d]) {
      return Diagnostic::error(
          code::WorkgroupTooLarge,
          fmt::format("workgroup size {} exceeds {}'s max_workgroup_size.{} = {}", dims(w), id,
                      kAxis[d], caps.max_workgroup_size[d]),
          fmt::format("use a workgroup of at most {} along {} (workgroup_override, or change "
                      "the kernel's workgroup(...))",
                      caps.max_workgroup_size[d], kAxis[d]));
    }
  }
  const std::uint64_t invocations = std::uint64_t{w[0]} * w[1] * w[2];
  if (invocations > caps.max_workgroup_invocations) {
    return Diagnostic::error(
        code::WorkgroupTooLarge,
        fmt::format("workgroup size {} has {} invocations, over {}'s "
                    "max_workgroup_invocations = {}",
                    dims(w), invocations, id, caps.max_workgroup_invocations),
        fmt::format("use a workgroup of at most {} invocations", caps.max_workgroup_invocations));
  }
  for (int d = 0; d < 3; ++d) {
    if (geometry.groups[d] > caps.max_groups[d]) {
      return Diagnostic::error(
          code::TooManyGroups,
          fmt::format("grid of {} workgroups exceeds {}'s max_groups.{} = {}",
                      dims(geometry.groups), id, kAxis[d], caps.max_groups[d]),
          fmt::format("launch at most {} workgroups along {}: use a larger workgroup, or split "
                      "the work over dimensions with dispatch(...)",
                      caps.max_groups[d], kAxis[d]));
    }
  }
  std::uint64_t shared_bytes = 0;
  for (const auto& s : program->shared) shared_bytes += s.count * ir::size_bytes(s.element);
  if (shared_bytes > caps.max_shared_bytes) {
    return Diagnostic::error(code::SharedMemoryOverLimit,
                             fmt::format("kernel `{}` declares {} bytes of shared memory, over "
                                         "{}'s max_shared_bytes = {}",
                                         program->name, shared_bytes, id, caps.max_shared_bytes),
                             "use smaller shared arrays (tiles), or a backend with more");
  }
  for (std::size_t i = 0; i < bindings.buffers.size() && i < program->buffers.size(); ++i) {
    if (bindings.buffers[i].size_bytes() > caps.max_buffer_bytes) {
      return Diagnostic::error(
                 code::BufferTooLarge,
                 fmt::format("buffer `{}` has {} bytes, over {}'s max_buffer_bytes = {}",
                             program->buffers[i].name, bindings.buffers[i].size_bytes(), id,
                             caps.max_buffer_bytes),
                 "split the data over several dispatches, or use a backend with larger buffers")
          .at(program->buffers[i].loc);
    }
  }
  return Ok{};
}

}  // namespace vyre
