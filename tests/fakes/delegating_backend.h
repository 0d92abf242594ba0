// Backends for testing the testers: a counting wrapper (did the runtime run the reference? did
// the batched runner compile in one call?)
// and a deliberately wrong backend that miscomputes one binary operator (does the shadow
// check, the differential runner or the minimiser catch it?). Both delegate to the reference
// interpreter.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "vyre/backend/backend.h"
#include "vyre/backends/reference.h"
#include "vyre/ir/text.h"
#include "vyre/registry/backend_registry.h"

namespace vyre::conformance {

// A pipeline of a delegating backend: its own (so the contract lets it dispatch it) around the
// inner backend's.
class DelegatedPipeline : public CompiledPipeline {
 public:
  DelegatedPipeline(const Backend& owner, std::shared_ptr<const CompiledPipeline> wrapped)
      : CompiledPipeline(owner, wrapped->program(), wrapped->workgroup()),
        inner(std::move(wrapped)) {}
  std::shared_ptr<const CompiledPipeline> inner;
};

class DelegatingBackend : public Backend {
 public:
  DelegatingBackend(std::string id, std::shared_ptr<Backend> inner)
      : id_(std::move(id)), inner_(std::move(inner)) {}
  std::string_view id() const override { return id_; }
  const Capabilities& capabilities() const override { return inner_->capabilities(); }
  const DeviceFingerprint& fingerprint() const override { return inner_->fingerprint(); }
  std::vector<std::string> supported_ops() const override { return inner_->supported_ops(); }
  Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program& program,
                                                          const DispatchConfig& config) override {
    return wrap(VYRE_TRY(inner_->compile(program, config)));
  }
  // Counted; compiles each program with this backend's compile() (the default).
  std::vector<Result<std::shared_ptr<const CompiledPipeline>>> compile_many(
      std::span<const ir::Program* const> programs, const DispatchConfig& config) override {
    ++compile_many_calls;
    return Backend::compile_many(programs, config);
  }
  Result<std::vector<std::uint8_t>> serialize(const CompiledPipeline& pipeline) const override {
    return inner_->serialize(*static_cast<const DelegatedPipeline&>(pipeline).inner);
  }
  Result<std::shared_ptr<const CompiledPipeline>> load(
      const ir::Program& program, const DispatchConfig& config,
      std::span<const std::uint8_t> bytes) override {
    (void)bytes;  // never trust cached bytes of a wrapped pipeline: recompile
    return compile(program, config);
  }
  std::atomic<int> dispatches{0};
  std::atomic<int> compile_many_calls{0};

 protected:
  Result<std::unique_ptr<PendingDispatch>> launch_async(const CompiledPipeline& pipeline,
                                                        Bindings& bindings,
                                                        const LaunchGeometry& geometry,
                                                        const DispatchConfig& config) override {
    ++dispatches;
    return inner_->dispatch_async(*static_cast<const DelegatedPipeline&>(pipeline).inner, bindings,
                                  geometry, config);
  }
  std::shared_ptr<const CompiledPipeline> wrap(std::shared_ptr<const CompiledPipeline> inner) {
    return std::make_shared<const DelegatedPipeline>(*this, std::move(inner));
  }

  std::string id_;
  std::shared_ptr<Backend> inner_;
};

// Computes `to` wherever the program says `from` (e.g. Sub as Add): compile() rewrites the
// program before handing it to the reference interpreter.
class MiscomputingBackend : public DelegatingBackend {
 public:
  MiscomputingBackend(std::string id, ir::BinaryOp from, ir::BinaryOp to)
      : DelegatingBackend(std::move(id), make_reference_backend({1})), from_(from), to_(to) {}
  Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program& program,
                                                          const DispatchConfig& config) override {
    ir::ProgramData data = program->clone();
    for (ir::Stmt& s : data.body) rewrite(s);
    auto wrong = VYRE_TRY(ir::parse_program(ir::print_program(data)));
    return wrap(VYRE_TRY(inner_->compile(wrong, config)));
  }

 private:
  void rewrite(ir::Expr& e) const {
    if (e.kind == ir::ExprKind::Binary && e.op == static_cast<std::uint8_t>(from_)) {
      e.op = static_cast<std::uint8_t>(to_);
    }
    for (auto& a : e.args) rewrite(*a);
  }
  void rewrite(ir::Stmt& s) const {
    for (auto& e : s.exprs) rewrite(*e);
    for (auto& b : s.body) rewrite(b);
    for (auto& b : s.orelse) rewrite(b);
  }
  ir::BinaryOp from_;
  ir::BinaryOp to_;
};

inline BackendProvider provider_of(std::shared_ptr<Backend> backend, int priority) {
  BackendProvider p;
  p.id = std::string(backend->id());
  p.priority = priority;
  p.origin = "tests/conformance";
  p.probe = [] { return Status(Ok{}); };
  p.factory = [backend]() -> Result<std::shared_ptr<Backend>> { return backend; };
  return p;
}

}  // namespace vyre::conformance
