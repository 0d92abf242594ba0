// testmod's backend: its own pipelines and lowering table in front of the reference interpreter,
// and a configurable completion latency (VYRE_TESTMOD_LATENCY_MS).
#include <algorithm>
#include <charconv>
#include <cstring>
#include <thread>

#include "testmod.h"
#include "vyre/backends/reference.h"
#include "vyre/ir/ops.h"

namespace vyre::testmod {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint8_t kMagic[8] = {'V', 'Y', 'T', 'S', 'T', 'M', 'D', '1'};

// testmod's lowering table: the ops it runs (each on the interpreter's implementation).
constexpr std::string_view kLowerings[] = {"sqrt", "fma", "abs", "min", "max", "floor"};

class TestmodPipeline final : public CompiledPipeline {
 public:
  TestmodPipeline(const Backend& owner, std::shared_ptr<const CompiledPipeline> wrapped)
      : CompiledPipeline(owner, wrapped->program(), wrapped->workgroup()),
        inner(std::move(wrapped)) {}
  std::shared_ptr<const CompiledPipeline> inner;
};

class TestmodPending final : public PendingDispatch {
 public:
  TestmodPending(std::unique_ptr<PendingDispatch> inner, Clock::time_point done_at,
                 std::string name)
      : inner_(std::move(inner)), done_at_(done_at), name_(std::move(name)) {}

  bool ready() override { return Clock::now() >= done_at_ && inner_->ready(); }

  Status wait(std::chrono::nanoseconds timeout) override {
    const auto now = Clock::now();
    if (timeout.count() > 0 && now + timeout < done_at_) {
      std::this_thread::sleep_for(timeout);
      return timed_out(timeout);
    }
    std::this_thread::sleep_until(done_at_);
    auto left = timeout.count() > 0
                    ? std::max(timeout - (Clock::now() - now), std::chrono::nanoseconds(1))
                    : std::chrono::nanoseconds(0);
    Status status = inner_->wait(left);
    if (!status.ok() && status.error().code == code::DispatchTimeout) return timed_out(timeout);
    return status;
  }

 private:
  Diagnostic timed_out(std::chrono::nanoseconds timeout) const {
    return Diagnostic::error(code::DispatchTimeout,
                             "testmod dispatch of `" + name_ + "` still running after " +
                                 std::to_string(timeout.count() / 1000) + " us",
                             "wait again, or raise the timeout");
  }

  std::unique_ptr<PendingDispatch> inner_;
  Clock::time_point done_at_;
  std::string name_;
};

class TestmodBackend final : public Backend {
 public:
  explicit TestmodBackend(std::chrono::milliseconds latency)
      : inner_(make_reference_backend()), latency_(latency) {
    fingerprint_ = inner_->fingerprint();
    fingerprint_.vendor = "vyre tests";
    fingerprint_.device = "testmod";
  }

  std::string_view id() const override { return kBackendId; }
  const Capabilities& capabilities() const override { return inner_->capabilities(); }
  const DeviceFingerprint& fingerprint() const override { return fingerprint_; }

  std::vector<std::string> supported_ops() const override {
    std::vector<std::string> out;
    for (const ir::OpInfo& op : ir::OpRegistry::global().all()) {
      if (std::find(std::begin(kLowerings), std::end(kLowerings), op.name) !=
          std::end(kLowerings)) {
        out.push_back(op.name);
      }
    }
    return out;
  }

  Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program& program,
                                                          const DispatchConfig& config) override {
    return wrap(VYRE_TRY(inner_->compile(program, config)));
  }

  Result<std::vector<std::uint8_t>> serialize(const CompiledPipeline& pipeline) const override {
    const auto* ours = dynamic_cast<const TestmodPipeline*>(&pipeline);
    if (ours == nullptr || ours->owner() != instance()) {
      return Diagnostic::error(code::BadBindings, "testmod: serialize() of another's pipeline",
                               "serialize a pipeline with the backend that compiled it");
    }
    std::vector<std::uint8_t> bytes(std::begin(kMagic), std::end(kMagic));
    auto inner = VYRE_TRY(inner_->serialize(*ours->inner));
    bytes.insert(bytes.end(), inner.begin(), inner.end());
    return bytes;
  }

  Result<std::shared_ptr<const CompiledPipeline>> load(
      const ir::Program& program, const DispatchConfig& config,
      std::span<const std::uint8_t> bytes) override {
    if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
      return Diagnostic::error(code::BadPipelineBytes, "testmod pipeline bytes rejected: bad magic",
                               "nothing to fix by hand: the pipeline cache recompiles");
    }
    return wrap(VYRE_TRY(inner_->load(program, config, bytes.subspan(sizeof kMagic))));
  }

 protected:
  Result<std::unique_ptr<PendingDispatch>> launch_async(const CompiledPipeline& pipeline,
                                                        Bindings& bindings,
                                                        const LaunchGeometry& geometry,
                                                        const DispatchConfig& config) override {
    const auto& ours = static_cast<const TestmodPipeline&>(pipeline);
    auto inner = VYRE_TRY(inner_->dispatch_async(*ours.inner, bindings, geometry, config));
    return std::unique_ptr<PendingDispatch>(std::make_unique<TestmodPending>(
        std::move(inner), Clock::now() + latency_, pipeline.program()->name));
  }

 private:
  std::shared_ptr<const CompiledPipeline> wrap(std::shared_ptr<const CompiledPipeline> inner) {
    return std::make_shared<const TestmodPipeline>(*this, std::move(inner));
  }

  std::shared_ptr<Backend> inner_;
  std::chrono::milliseconds latency_;
  DeviceFingerprint fingerprint_;
};

}  // namespace

Result<std::shared_ptr<Backend>> make_testmod_backend() {
  std::uint32_t ms = 0;
  if (auto text = env_value(kLatencyVariable)) {
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), ms);
    if (error != std::errc() || end != text->data() + text->size() || ms > 60000) {
      return Diagnostic::error(
          code::TestmodBadLatency,
          "VYRE_TESTMOD_LATENCY_MS `" + *text + "` is not a number of milliseconds from 0 to 60000",
          "set it to a number such as 50, or unset it");
    }
  }
  return std::shared_ptr<Backend>(std::make_shared<TestmodBackend>(std::chrono::milliseconds(ms)));
}

}  // namespace vyre::testmod
