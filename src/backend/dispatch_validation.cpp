#include "vyre/backend/dispatch_validation.h"

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

Diagnostic bad_bindings(std::string_view backend_id, const ir::ProgramData& p, std::string what) {
  return Diagnostic::error(
      code::BadBindings,
      fmt::format("bindings of kernel `{}` for the {} backend: {}", p.name, backend_id, what),
      "build the bindings from the program's declarations (the runtime "
      "does this and validates them)");
}

// The element count `count` stands for under `sizes`, or nullopt when it overflows.
std::optional<std::uint64_t> element_count(const ir::ProgramData& p, const ir::SizeExpr& count,
                                           const std::vector<std::uint64_t>& sizes) {
  std::uint64_t n = count.constant;
  for (const std::string& symbol : count.symbols) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < p.size_symbols.size(); ++i) {
      if (p.size_symbols[i] == symbol) value = sizes[i];
    }
    if (value != 0 && n > UINT64_MAX / value) return std::nullopt;
    n *= value;
  }
  return n;
}

}  // namespace

Status check_launch_limits(const ir::Program& program, const LaunchGeometry& geometry,
                           const Capabilities& caps, std::string_view backend_id) {
  const auto& w = geometry.workgroup;
  for (int d = 0; d < 3; ++d) {
    if (w[d] == 0 || w[d] > caps.max_workgroup_size[d]) {
      return Diagnostic::error(
          code::WorkgroupTooLarge,
          fmt::format("workgroup size {} exceeds {}'s max_workgroup_size.{} = {}", dims(w),
                      backend_id, kAxis[d], caps.max_workgroup_size[d]),
          fmt::format("use a workgroup of at least 1 and at most {} along {} "
                      "(workgroup_override, or change the kernel's workgroup(...))",
                      caps.max_workgroup_size[d], kAxis[d]));
    }
  }
  const std::uint64_t invocations = std::uint64_t{w[0]} * w[1] * w[2];
  if (invocations > caps.max_workgroup_invocations) {
    return Diagnostic::error(
        code::WorkgroupTooLarge,
        fmt::format("workgroup size {} has {} invocations, over {}'s "
                    "max_workgroup_invocations = {}",
                    dims(w), invocations, backend_id, caps.max_workgroup_invocations),
        fmt::format("use a workgroup of at most {} invocations", caps.max_workgroup_invocations));
  }
  for (int d = 0; d < 3; ++d) {
    if (geometry.groups[d] > caps.max_groups[d]) {
      return Diagnostic::error(
          code::TooManyGroups,
          fmt::format("grid of {} workgroups exceeds {}'s max_groups.{} = {}",
                      dims(geometry.groups), backend_id, kAxis[d], caps.max_groups[d]),
          fmt::format("launch at most {} workgroups along {}: use a larger workgroup, or split "
                      "the work over dimensions with dispatch(...)",
                      caps.max_groups[d], kAxis[d]));
    }
  }
  // The product, compared without overflowing: each factor is within its axis limit, but
  // three of them may not fit in 64 bits. An empty grid launches nothing and is always fine.
  const auto& g = geometry.groups;
  if (g[0] != 0 && g[1] != 0 && g[2] != 0) {
    std::uint64_t total = 1;
    bool over = false;
    for (int d = 0; d < 3 && !over; ++d) {
      over = total > caps.max_total_groups / g[d];
      total *= g[d];
    }
    if (over) {
      return Diagnostic::error(
          code::TooManyGroupsInTotal,
          fmt::format("grid of {} workgroups has more than {}'s max_total_groups = {} in total",
                      dims(g), backend_id, caps.max_total_groups),
          "use a larger workgroup so fewer groups are needed, or split the work over several "
          "dispatches");
    }
  }
  std::uint64_t shared_bytes = 0;
  for (const auto& s : program->shared) shared_bytes += s.count * ir::size_bytes(s.element);
  if (shared_bytes > caps.max_shared_bytes) {
    return Diagnostic::error(
        code::SharedMemoryOverLimit,
        fmt::format("kernel `{}` declares {} bytes of shared memory, over "
                    "{}'s max_shared_bytes = {}",
                    program->name, shared_bytes, backend_id, caps.max_shared_bytes),
        "use smaller shared arrays (tiles), or a backend with more");
  }
  return Ok{};
}

Status check_bindings(const ir::Program& program, const Bindings& bindings,
                      const Capabilities& caps, std::string_view backend_id) {
  const ir::ProgramData& p = *program;
  if (bindings.buffers.size() != p.buffers.size() || bindings.params.size() != p.params.size() ||
      bindings.sizes.size() != p.size_symbols.size()) {
    return bad_bindings(
        backend_id, p,
        fmt::format("the kernel takes {} buffers, {} params and {} sizes; got "
                    "{}, {} and {}",
                    p.buffers.size(), p.params.size(), p.size_symbols.size(),
                    bindings.buffers.size(), bindings.params.size(), bindings.sizes.size()));
  }
  for (std::size_t i = 0; i < p.params.size(); ++i) {
    if (bindings.params[i].type != p.params[i].type) {
      return bad_bindings(
          backend_id, p,
          fmt::format("param `{}` is {}, but a {} was bound", p.params[i].name,
                      ir::type_name(p.params[i].type), ir::type_name(bindings.params[i].type)));
    }
  }
  for (std::size_t i = 0; i < bindings.sizes.size(); ++i) {
    if (bindings.sizes[i] > UINT32_MAX) {
      return Diagnostic::error(
          code::SizeOverflow,
          fmt::format("size `{}` = {} does not fit in u32", p.size_symbols[i], bindings.sizes[i]),
          "use smaller sizes, or split the work over several dispatches");
    }
  }
  for (std::size_t i = 0; i < p.buffers.size(); ++i) {
    const ir::BufferDecl& decl = p.buffers[i];
    const HostBuffer& buffer = bindings.buffers[i];
    if (buffer.element() != decl.element) {
      return bad_bindings(
          backend_id, p,
          fmt::format("buffer `{}` holds {}, but {} was bound", decl.name,
                      ir::type_name(decl.element), ir::type_name(buffer.element())));
    }
    const std::optional<std::uint64_t> count = element_count(p, decl.count, bindings.sizes);
    if (!count) {
      return Diagnostic::error(
          code::SizeOverflow,
          fmt::format("buffer `{}`'s count {} overflows", decl.name, ir::to_string(decl.count)),
          "use smaller sizes");
    }
    if (buffer.count() != *count) {
      return bad_bindings(
          backend_id, p,
          fmt::format("buffer `{}` is declared with {} = {} elements, but {} "
                      "were bound",
                      decl.name, ir::to_string(decl.count), *count, buffer.count()));
    }
    if (buffer.size_bytes() > caps.max_buffer_bytes) {
      return Diagnostic::error(
                 code::BufferTooLarge,
                 fmt::format("buffer `{}` has {} bytes, over {}'s max_buffer_bytes = {}", decl.name,
                             buffer.size_bytes(), backend_id, caps.max_buffer_bytes),
                 "split the data over several dispatches, or use a backend with larger buffers")
          .at(decl.loc);
    }
  }
  return Ok{};
}

Status validate_dispatch(const Backend& backend, const CompiledPipeline& pipeline,
                         const Bindings& bindings, const LaunchGeometry& geometry) {
  if (pipeline.owner() != backend.instance()) {
    return Diagnostic::error(
        code::BadBindings,
        fmt::format("kernel `{}`'s pipeline was compiled by another backend instance than this "
                    "{} backend",
                    pipeline.program()->name, backend.id()),
        "dispatch a pipeline on the backend instance that compiled or loaded it");
  }
  if (geometry.workgroup != pipeline.workgroup()) {
    return Diagnostic::error(
        code::BadBindings,
        fmt::format("launch workgroup {} differs from {} compiled into kernel `{}`'s pipeline",
                    dims(geometry.workgroup), dims(pipeline.workgroup()), pipeline.program()->name),
        "use the pipeline's workgroup() in the launch geometry");
  }
  VYRE_TRY(check_launch_limits(pipeline.program(), geometry, backend.capabilities(), backend.id()));
  return check_bindings(pipeline.program(), bindings, backend.capabilities(), backend.id());
}

}  // namespace vyre
