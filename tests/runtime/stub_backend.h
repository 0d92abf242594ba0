// A configurable fake backend for registry, routing, launch-validation and precompile tests: its
// capabilities, ops and probe are whatever the test says; it counts compiles (and can fail one
// program's); its dispatch finishes at once without touching the buffers.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/diag/codes.h"
#include "vyre/registry/backend_registry.h"

namespace vyre::testing {

// A kernel only a backend that lowers sin() can run (routing and precompile tests).
inline constexpr std::string_view kSineKernel = R"(
kernel wave workgroup(64) {
  buffer out: write f32[n]
  let i = global_id.x
  if i < n {
    out[i] = sin(f32(i))
  }
})";

class StubBackend : public Backend {
 public:
  StubBackend(std::string id, Capabilities caps, std::vector<std::string> ops)
      : id_(std::move(id)), caps_(std::move(caps)), ops_(std::move(ops)) {
    fingerprint_ = {"stub vendor", "stub device", "stub driver", "stub compiler"};
  }
  std::string_view id() const override { return id_; }
  const Capabilities& capabilities() const override { return caps_; }
  const DeviceFingerprint& fingerprint() const override { return fingerprint_; }
  std::vector<std::string> supported_ops() const override { return ops_; }
  std::optional<Diagnostic> health() const override { return lost; }

  Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program& program,
                                                          const DispatchConfig& config) override {
    ++compiles;
    if (program->name == fail_program) {
      return Diagnostic::error(code::BackendLacksFeature, "stub: `" + fail_program + "` fails",
                               "do not set fail_program");
    }
    return std::make_shared<const CompiledPipeline>(program, effective_workgroup(program, config));
  }
  // Counted, with the size of the last batch; compiles each program with compile().
  std::vector<Result<std::shared_ptr<const CompiledPipeline>>> compile_many(
      std::span<const ir::Program* const> programs, const DispatchConfig& config) override {
    ++compile_many_calls;
    last_batch = programs.size();
    return Backend::compile_many(programs, config);
  }
  Result<std::vector<std::uint8_t>> serialize(const CompiledPipeline&) const override {
    return std::vector<std::uint8_t>{};
  }
  Result<std::shared_ptr<const CompiledPipeline>> load(const ir::Program& program,
                                                       const DispatchConfig& config,
                                                       std::span<const std::uint8_t>) override {
    return compile(program, config);
  }
  Result<std::unique_ptr<PendingDispatch>> dispatch_async(const CompiledPipeline&, Bindings&,
                                                          const LaunchGeometry& geometry,
                                                          const DispatchConfig&) override {
    ++dispatches;
    last_geometry = geometry;
    struct Done : PendingDispatch {
      bool ready() override { return true; }
      Status wait(std::chrono::nanoseconds) override { return Ok{}; }
    };
    return std::unique_ptr<PendingDispatch>(std::make_unique<Done>());
  }

  std::optional<Diagnostic> lost;  // what health() reports; set it before routing
  std::atomic<int> compiles{0};
  std::atomic<int> compile_many_calls{0};
  std::size_t last_batch = 0;
  std::string fail_program;  // compile() fails for the program of this name
  std::atomic<int> dispatches{0};
  LaunchGeometry last_geometry;

 private:
  std::string id_;
  Capabilities caps_;
  std::vector<std::string> ops_;
  DeviceFingerprint fingerprint_;
};

// Every type, f64 and 64-bit atomics, and the given ops.
inline Capabilities full_capabilities() {
  Capabilities caps;
  caps.f64 = true;
  caps.atomics64 = true;
  return caps;
}

inline BackendProvider stub_provider(std::string id, int priority,
                                     std::shared_ptr<StubBackend> backend) {
  BackendProvider p;
  p.id = id;
  p.priority = priority;
  p.origin = "tests/" + id;
  p.probe = [] { return Status(Ok{}); };
  p.factory = [backend]() -> Result<std::shared_ptr<Backend>> { return backend; };
  return p;
}

inline BackendProvider failing_provider(std::string id, int priority) {
  BackendProvider p;
  p.id = id;
  p.priority = priority;
  p.origin = "tests/" + id;
  p.probe = [id] {
    return Status(Diagnostic::error(code::BackendUnavailable, "no " + id + " device on this host",
                                    "install the " + id + " driver"));
  };
  p.factory = []() -> Result<std::shared_ptr<Backend>> {
    ADD_FAILURE() << "factory of a backend whose probe failed was called";
    return Diagnostic::error(code::BackendUnavailable, "unreachable", "unreachable");
  };
  return p;
}

}  // namespace vyre::testing
