// Facts about a kernel the interpreter needs, computed once when a pipeline is compiled: which
// op implementation each call uses, which expressions have side effects (atomics), and how many
// workgroups one lockstep batch may hold.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "math_ops.h"
#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre::reference {

struct KernelInfo {
  std::vector<std::optional<MathOp>> ops_by_id;     // indexed by the op registry id (Expr::ref)
  std::unordered_set<const ir::Expr*> has_effects;  // expressions containing an atomic
  // Index of the loop status buffer (vyre/ir/loop_status.h), where a while loop that reaches
  // its cap records its id.
  std::optional<std::uint32_t> loop_status_buffer;
  // The program's store statements, numbered for the race detector's dispatch-wide record.
  std::vector<const ir::Stmt*> stores;
  std::unordered_map<const ir::Stmt*, std::uint32_t> store_site;
  bool uses_shared = false;
  bool uses_barrier = false;
  // Workgroups interpreted together in one lockstep batch: 1 when the kernel has shared
  // arrays (each workgroup has its own), else enough for about kBatchLanes invocations.
  std::uint32_t groups_per_batch = 1;
};

inline constexpr std::uint32_t kBatchLanes = 1024;

// Fails (BackendLacksFeature) when the kernel calls an op the reference backend does not
// implement. `program` must outlive the returned info (it keeps pointers into it).
Result<KernelInfo> analyse_kernel(const ir::Program& program,
                                  const std::array<std::uint32_t, 3>& workgroup);

}  // namespace vyre::reference
