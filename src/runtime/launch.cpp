#include "vyre/runtime/launch.h"

#include <fmt/format.h>

#include "vyre/backend/dispatch_validation.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

std::string dims(const std::array<std::uint32_t, 3>& w) {
  return fmt::format("{}x{}x{}", w[0], w[1], w[2]);
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
  VYRE_TRY(check_launch_limits(program, geometry, backend.capabilities(), backend.id()));
  return check_bindings(program, bindings, backend.capabilities(), backend.id());
}

}  // namespace vyre
