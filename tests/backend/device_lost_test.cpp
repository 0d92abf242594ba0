// A stream whose device failed reports DeviceLost from synchronize(), and another stream of the
// same device is untouched. The backend here is a fake whose first stream fails: the real
// backends map their own failures (an OpenCL event status below zero, an exception in the
// reference interpreter) to the same code.
#include <gtest/gtest.h>

#include "vyre/backend/device.h"
#include "vyre/backend/stream.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

class FakeStream final : public BackendStream {
 public:
  explicit FakeStream(bool lost) : lost_(lost) {}
  Status upload(const DeviceBufferView&, std::span<const std::uint8_t>) override { return Ok{}; }
  Status download(const DeviceBufferView&, std::span<std::uint8_t>) override { return Ok{}; }
  Status copy(const DeviceBufferView&, const DeviceBufferView&) override { return Ok{}; }
  Status fill(const DeviceBufferView&, std::uint64_t) override { return Ok{}; }
  Status launch(const CompiledPipeline&, const DeviceBindings&, const LaunchGeometry&) override {
    return Ok{};
  }
  Status record(BackendEvent&) override { return Ok{}; }
  Status wait_for(BackendEvent&) override { return Ok{}; }
  Status synchronize(std::chrono::nanoseconds) override {
    if (!lost_) return Ok{};
    return Diagnostic::error(code::DeviceLost, "fake device failed", "nothing to fix");
  }
  bool idle() override { return true; }

 private:
  bool lost_;
};

class FakeBackend final : public Backend {
 public:
  std::string_view id() const override { return "fake"; }
  const Capabilities& capabilities() const override { return caps_; }
  const DeviceFingerprint& fingerprint() const override { return fingerprint_; }
  Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program&,
                                                          const DispatchConfig&) override {
    return Diagnostic::error(code::DispatchFailed, "no compiler", "none");
  }
  Result<std::vector<std::uint8_t>> serialize(const CompiledPipeline&) const override {
    return std::vector<std::uint8_t>{};
  }
  Result<std::shared_ptr<const CompiledPipeline>> load(const ir::Program&, const DispatchConfig&,
                                                       std::span<const std::uint8_t>) override {
    return Diagnostic::error(code::BadPipelineBytes, "no loader", "none");
  }
  std::vector<std::string> supported_ops() const override { return {}; }
  Result<std::shared_ptr<BackendStream>> create_stream(std::uint32_t) override {
    return std::shared_ptr<BackendStream>(std::make_shared<FakeStream>(streams_++ == 0));
  }

 protected:
  Result<std::unique_ptr<PendingDispatch>> launch_async(const CompiledPipeline&, Bindings&,
                                                        const LaunchGeometry&,
                                                        const DispatchConfig&) override {
    return Diagnostic::error(code::DispatchFailed, "no dispatch", "none");
  }

 private:
  Capabilities caps_;
  DeviceFingerprint fingerprint_;
  int streams_ = 0;
};

TEST(DeviceLost, IsReportedByTheFailedStreamOnly) {
  auto device = Device::open(std::make_shared<FakeBackend>());
  ASSERT_TRUE(device.ok());
  auto failed = device->create_stream();
  auto healthy = device->create_stream();
  ASSERT_TRUE(failed.ok() && healthy.ok());
  auto lost = failed->synchronize();
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, code::DeviceLost);
  EXPECT_TRUE(healthy->synchronize().ok());
}

}  // namespace
}  // namespace vyre
