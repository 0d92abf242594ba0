#include "loop_status_check.h"

#include "vyre/ir/loop_status.h"

namespace vyre {

Status check_loop_status(const ir::Program& program, const Bindings& bindings) {
  const std::optional<std::uint32_t> index = ir::loop_status_buffer(*program);
  if (!index || *index >= bindings.buffers.size()) return Ok{};
  const HostBuffer& status = bindings.buffers[*index];
  if (status.count() == 0 || status.element() != ir::Type::U32) return Ok{};
  const std::uint32_t loop = status.as<std::uint32_t>()[0];
  if (auto error = ir::loop_cap_diagnostic(*program, loop)) return std::move(*error);
  return Ok{};
}

}  // namespace vyre
