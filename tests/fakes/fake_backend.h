// The one fake backend of the layers above the backends (registry, routing, pipeline cache,
// runtime): its id, fingerprint, capabilities, ops and health are whatever the test says; it
// counts compiles, loads, serializes, batches and dispatches; it serializes to deterministic
// bytes (so a wrong or torn cache entry is caught by load); it can fail one program's compile
// or every one; its dispatch finishes at once without touching the buffers (or fails, if told).
// Backends that really run programs for tests are in delegating_backend.h; a test-only backend
// module that passes the contract suite is backends/testmod.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/hash.h"
#include "vyre/registry/backend_registry.h"

namespace vyre::testing {

class FakePipeline : public CompiledPipeline {
 public:
  FakePipeline(const Backend& owner, ir::Program program, std::array<std::uint32_t, 3> workgroup,
               std::string tag)
      : CompiledPipeline(owner, std::move(program), workgroup), tag_(std::move(tag)) {}
  const std::string& tag() const { return tag_; }

 private:
  std::string tag_;
};

inline DeviceFingerprint fake_fingerprint() {
  return {"vyre", "fake-device sm_1", "driver 1.0", "fakecc 1.0"};
}

class FakeBackend : public Backend {
 public:
  explicit FakeBackend(std::string id = "fake", DeviceFingerprint fingerprint = fake_fingerprint())
      : id_(std::move(id)), fingerprint_(std::move(fingerprint)) {}
  FakeBackend(std::string id, Capabilities caps, std::vector<std::string> ops)
      : id_(std::move(id)),
        fingerprint_(fake_fingerprint()),
        capabilities_(std::move(caps)),
        ops_(std::move(ops)) {}

  std::string_view id() const override { return id_; }
  const Capabilities& capabilities() const override { return capabilities_; }
  const DeviceFingerprint& fingerprint() const override { return fingerprint_; }
  std::vector<std::string> supported_ops() const override { return ops_; }
  std::optional<Diagnostic> health() const override { return lost; }

  // The bytes a pipeline of (program, config) serializes to: a readable tag padded to
  // payload_bytes with a pattern derived from it.
  std::string expected_bytes(const ir::Program& program, const DispatchConfig& config) const {
    std::string tag = "fake|" + id_ + "|" + fingerprint_.compiler + "|" + to_hex(program.digest()) +
                      "|" + std::to_string(config.ulp_budget);
    auto wg = effective_workgroup(program, config);
    tag += "|" + std::to_string(wg[0]) + "x" + std::to_string(wg[1]) + "x" + std::to_string(wg[2]);
    std::string out = tag;
    while (out.size() < payload_bytes) out += out;  // doubling: cheap even for megabytes
    out.resize(std::max(payload_bytes, tag.size()));
    return out;
  }

  Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program& program,
                                                          const DispatchConfig& config) override {
    compiles.fetch_add(1);
    if (compile_delay.count() > 0) std::this_thread::sleep_for(compile_delay);
    if (fail_compile || program->name == fail_program) {
      return Diagnostic::error(code::BackendLacksFeature,
                               "fake compile failure of `" + program->name + "`",
                               "do not set fail_compile or fail_program");
    }
    return std::shared_ptr<const CompiledPipeline>(std::make_shared<FakePipeline>(
        *this, program, effective_workgroup(program, config), expected_bytes(program, config)));
  }

  // Counted, with each batch's size; compiles each program with compile().
  std::vector<Result<std::shared_ptr<const CompiledPipeline>>> compile_many(
      std::span<const ir::Program* const> programs, const DispatchConfig& config) override {
    ++compile_many_calls;
    {
      std::lock_guard lock(batches_mutex);
      batches.push_back(programs.size());
      last_batch = programs.size();
    }
    return Backend::compile_many(programs, config);
  }

  Result<std::vector<std::uint8_t>> serialize(const CompiledPipeline& pipeline) const override {
    serializes.fetch_add(1);
    if (fail_serialize) return Diagnostic::error("VY4019", "fake serialize failure", "none");
    const auto& tag = static_cast<const FakePipeline&>(pipeline).tag();
    return std::vector<std::uint8_t>(tag.begin(), tag.end());
  }

  Result<std::shared_ptr<const CompiledPipeline>> load(
      const ir::Program& program, const DispatchConfig& config,
      std::span<const std::uint8_t> bytes) override {
    loads.fetch_add(1);
    std::string got(bytes.begin(), bytes.end());
    if (got != expected_bytes(program, config)) {
      load_rejects.fetch_add(1);
      return Diagnostic::error("VY4019", "fake load: bytes are not this pipeline's", "recompile");
    }
    return std::shared_ptr<const CompiledPipeline>(
        std::make_shared<FakePipeline>(*this, program, effective_workgroup(program, config), got));
  }

  std::optional<Diagnostic> lost;  // what health() reports; set it before routing
  std::atomic<int> compiles{0};
  std::atomic<int> compile_many_calls{0};
  std::atomic<int> loads{0};
  std::atomic<int> load_rejects{0};
  mutable std::atomic<int> serializes{0};
  std::atomic<int> dispatches{0};
  LaunchGeometry last_geometry;
  std::mutex batches_mutex;
  std::vector<std::size_t> batches;  // sizes of the compile_many calls, in order
  std::size_t last_batch = 0;
  std::string fail_program;  // compile() fails for the program of this name
  std::chrono::microseconds compile_delay{0};
  std::size_t payload_bytes = 64;
  bool fail_compile = false;
  bool fail_serialize = false;
  bool fail_dispatch = false;  // launch_async fails (after validation) with DispatchFailed

 protected:
  Result<std::unique_ptr<PendingDispatch>> launch_async(const CompiledPipeline&, Bindings&,
                                                        const LaunchGeometry& geometry,
                                                        const DispatchConfig&) override {
    ++dispatches;
    last_geometry = geometry;
    if (fail_dispatch) {
      return Diagnostic::error(code::DispatchFailed, "fake dispatch failure",
                               "do not set fail_dispatch");
    }
    struct Done : PendingDispatch {
      bool ready() override { return true; }
      Status wait(std::chrono::nanoseconds) override { return Ok{}; }
    };
    return std::unique_ptr<PendingDispatch>(std::make_unique<Done>());
  }

 private:
  std::string id_;
  DeviceFingerprint fingerprint_;
  Capabilities capabilities_;
  std::vector<std::string> ops_;
};

// Every type, f64 and 64-bit atomics.
inline Capabilities full_capabilities() {
  Capabilities caps;
  caps.f64 = true;
  caps.atomics64 = true;
  return caps;
}

// A provider handing out `backend`.
inline BackendProvider provider_of(std::string id, int priority, std::shared_ptr<Backend> backend) {
  BackendProvider p;
  p.id = std::move(id);
  p.priority = priority;
  p.origin = "tests/" + p.id;
  p.probe = [] { return Status(Ok{}); };
  p.factory = [backend]() -> Result<std::shared_ptr<Backend>> { return backend; };
  return p;
}

// A provider whose probe fails (no device), so its factory must never run.
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
