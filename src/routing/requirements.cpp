#include "vyre/routing/requirements.h"

#include <algorithm>
#include <set>

#include "vyre/ir/barriers.h"

namespace vyre::routing {
namespace {

struct Collector {
  std::set<std::string> ops;
  std::set<ir::Type> types;
  ProgramRequirements* out;

  void expr(const ir::Expr& e) {
    types.insert(e.type);
    if (e.kind == ir::ExprKind::Call) ops.insert(e.name);
    if (e.kind == ir::ExprKind::Atomic) {
      if (ir::size_bytes(e.type) == 8) {
        out->atomics64 = true;
      } else {
        out->atomics32 = true;
      }
    }
    for (const auto& arg : e.args) expr(*arg);
  }
  void block(const std::vector<ir::Stmt>& body) {
    for (const ir::Stmt& s : body) {
      for (const auto& e : s.exprs) expr(*e);
      block(s.body);
      block(s.orelse);
    }
  }
};

}  // namespace

ProgramRequirements requirements_of(const ir::Program& program) {
  ProgramRequirements needs;
  Collector c{{}, {}, &needs};
  const ir::ProgramData& p = *program;
  for (const auto& param : p.params) c.types.insert(param.type);
  for (const auto& buffer : p.buffers) c.types.insert(buffer.element);
  for (const auto& shared : p.shared) {
    c.types.insert(shared.element);
    needs.shared_bytes += shared.count * ir::size_bytes(shared.element);
  }
  for (ir::Type t : p.local_types) c.types.insert(t);
  c.block(p.body);
  c.types.erase(ir::Type::Unknown);
  needs.ops.assign(c.ops.begin(), c.ops.end());
  needs.types.assign(c.types.begin(), c.types.end());
  needs.f64 = c.types.count(ir::Type::F64) != 0;
  needs.barriers_under_if = ir::has_barrier_under_if(p);
  return needs;
}

std::optional<std::string> unmet_requirement(const Backend& backend,
                                             const ProgramRequirements& needs) {
  const Capabilities& caps = backend.capabilities();
  if (needs.f64 && !caps.f64) return std::string("no f64 support");
  for (ir::Type t : needs.types) {
    if (!caps.supports(t)) return "no " + std::string(ir::type_name(t)) + " support";
  }
  if (needs.atomics64 && !caps.atomics64) return std::string("no 64-bit atomics");
  if (needs.atomics32 && !caps.atomics32) return std::string("no 32-bit atomics");
  if (needs.shared_bytes > caps.max_shared_bytes) {
    return "needs " + std::to_string(needs.shared_bytes) + " shared bytes, has " +
           std::to_string(caps.max_shared_bytes);
  }
  if (needs.barriers_under_if && !caps.barriers_under_if) {
    return std::string("its compiler miscompiles a barrier inside an `if`");
  }
  if (!needs.ops.empty()) {
    std::vector<std::string> supported = backend.supported_ops();
    std::sort(supported.begin(), supported.end());
    std::vector<std::string> missing;
    std::set_difference(needs.ops.begin(), needs.ops.end(), supported.begin(), supported.end(),
                        std::back_inserter(missing));
    if (!missing.empty()) {
      std::string list;
      for (const auto& op : missing) list += (list.empty() ? "`" : ", `") + op + "`";
      return "no lowering for op " + list;
    }
  }
  return std::nullopt;
}

}  // namespace vyre::routing
