#include "contract_support.h"

#include <map>
#include <mutex>

#include "vyre/backends/builtin.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"
#include "vyre/registry/backend_registry.h"

namespace vyre::contract {
namespace {

BackendRegistry& registry() {
  static BackendRegistry* r = [] {
    auto* created = new BackendRegistry();
    Status registered = register_builtin_backends(*created);
    if (!registered.ok()) ADD_FAILURE() << render(registered.error());
    return created;
  }();
  return *r;
}

}  // namespace

std::vector<std::string> registered_backend_ids() {
  std::vector<std::string> ids;
  for (const BackendStatus& status : registry().registered()) ids.push_back(status.id);
  return ids;
}

std::shared_ptr<Backend> backend_or_reason(const std::string& id, std::string& why) {
  auto acquired = registry().acquire(id);
  if (!acquired.ok()) {
    why = render(acquired.error());
    return nullptr;
  }
  return *acquired;
}

ir::Program parse(std::string_view text) {
  auto program = ir::parse_program(text);
  if (!program.ok()) {
    ADD_FAILURE() << render(program.error());
    std::abort();
  }
  return *program;
}

Bindings axpy_bindings(std::uint64_t n, std::uint32_t seed) {
  std::vector<std::uint32_t> x(n);
  std::vector<std::uint32_t> y(n);
  std::uint32_t state = seed * 2654435761u + 1;
  for (std::uint64_t i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    x[i] = state;
    state = state * 1664525u + 1013904223u;
    y[i] = state >> 3;
  }
  Bindings b;
  b.buffers = {HostBuffer::of(ir::Type::U32, x), HostBuffer::of(ir::Type::U32, y)};
  b.params = {Scalar::u32(3)};
  b.sizes = {n};
  return b;
}

std::vector<std::uint32_t> axpy_expected(const Bindings& bindings) {
  auto x = bindings.buffers[0].to_vector<std::uint32_t>();
  auto y = bindings.buffers[1].to_vector<std::uint32_t>();
  const auto a = static_cast<std::uint32_t>(bindings.params[0].bits);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = a * x[i] + y[i];
  return y;
}

LaunchGeometry axpy_geometry(const CompiledPipeline& pipeline, std::uint64_t n) {
  LaunchGeometry g;
  g.workgroup = pipeline.workgroup();
  g.groups = {(n + g.workgroup[0] - 1) / g.workgroup[0], 1, 1};
  return g;
}

std::string render(const Diagnostic& diagnostic) {
  return render_human(diagnostic);
}

}  // namespace vyre::contract
