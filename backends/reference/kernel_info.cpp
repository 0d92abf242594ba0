#include "kernel_info.h"

#include "vyre/diag/codes.h"
#include "vyre/ir/loop_status.h"

namespace vyre::reference {
namespace {

class Analyser {
 public:
  explicit Analyser(KernelInfo& info) : info_(info) {}

  // Returns whether the expression contains an atomic.
  bool expr(const ir::Expr& e) {
    bool effects = e.kind == ir::ExprKind::Atomic;
    for (const auto& arg : e.args) effects |= expr(*arg);
    if (e.kind == ir::ExprKind::Call) {
      auto op = math_op_by_name(e.name);
      if (!op) missing_ = e.name;
      if (info_.ops_by_id.size() <= e.ref) info_.ops_by_id.resize(e.ref + 1);
      info_.ops_by_id[e.ref] = op;
    }
    if (effects) info_.has_effects.insert(&e);
    return effects;
  }

  void block(const std::vector<ir::Stmt>& body) {
    for (const ir::Stmt& s : body) {
      if (s.kind == ir::StmtKind::Barrier) info_.uses_barrier = true;
      if (s.kind == ir::StmtKind::Store) {
        info_.store_site.emplace(&s, static_cast<std::uint32_t>(info_.stores.size()));
        info_.stores.push_back(&s);
      }
      for (const auto& e : s.exprs) expr(*e);
      block(s.body);
      block(s.orelse);
    }
  }

  std::string missing_;

 private:
  KernelInfo& info_;
};

}  // namespace

Result<KernelInfo> analyse_kernel(const ir::Program& program,
                                  const std::array<std::uint32_t, 3>& workgroup) {
  KernelInfo info;
  Analyser analyser(info);
  analyser.block(program->body);
  if (!analyser.missing_.empty()) {
    return Diagnostic::error(
        code::BackendLacksFeature,
        "the reference backend has no implementation of op `" + analyser.missing_ + "`",
        "ops registered after start-up need a reference implementation in "
        "backends/reference/math_ops.cpp; or run on a backend that has one");
  }
  info.uses_shared = !program->shared.empty();
  info.loop_status_buffer = ir::loop_status_buffer(*program);
  std::uint64_t invocations = std::uint64_t{workgroup[0]} * workgroup[1] * workgroup[2];
  if (!info.uses_shared && invocations > 0 && invocations < kBatchLanes) {
    info.groups_per_batch = static_cast<std::uint32_t>(kBatchLanes / invocations);
  }
  return info;
}

}  // namespace vyre::reference
