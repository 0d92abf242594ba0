// The device-memory contract suite: written once against Device, DeviceBuffer, Stream, Event,
// Graph and PreparedKernel, and instantiated for every backend that keeps memory on a device
// (tests/reference, tests/opencl, tests/cuda):
//
//   INSTANTIATE_TEST_SUITE_P(Reference, DeviceMemorySuite, ::testing::Values("reference:0"));
//
// A backend that cannot start here (no OpenCL platform, no GPU) skips with its reason.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "vyre/backend/device.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/device_buffer.h"
#include "vyre/backend/event.h"
#include "vyre/backend/graph.h"
#include "vyre/backend/stream.h"
#include "vyre/backends/builtin.h"
#include "vyre/backends/reference.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"
#include "vyre/ir/loop_status.h"
#include "vyre/ir/text.h"
#include "vyre/runtime/prepared_kernel.h"
#include "vyre/runtime/runtime.h"

namespace vyre::device_suite {

inline Runtime& suite_runtime() {
  static Runtime* instance = [] {
    BackendRegistry& registry = BackendRegistry::global();
    if (!registry.has("reference")) (void)register_builtin_backends(registry);
    pipeline::PipelineCacheOptions options;  // memory only: tests leave no files behind
    auto cache = pipeline::PipelineCache::open(options);
    return new Runtime(registry, cache.ok() ? *cache : nullptr);
  }();
  return *instance;
}

inline std::string show(const Diagnostic& d) {
  return render_human(d);
}

#define VYRE_SUITE_OK(expr)                                                   \
  __extension__({                                                             \
    auto vyre_suite_result_ = (expr);                                         \
    ASSERT_TRUE(vyre_suite_result_.ok()) << show(vyre_suite_result_.error()); \
    std::move(vyre_suite_result_).value();                                    \
  })

inline ir::Program parse_kernel(std::string_view text) {
  auto program = ir::parse_program(text);
  if (!program) throw std::runtime_error(render_human(program.error()));
  return *program;
}

constexpr const char* kSaxpy = R"(kernel saxpy workgroup(64) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
})";

constexpr const char* kAddConstant = R"(kernel add_constant workgroup(64) {
  param c: i32
  buffer v: read_write i32[n]
  let i = global_id.x
  if i < len(v) { v[i] = v[i] + c }
})";

// Long enough on every backend that a 1 us wait times out.
constexpr const char* kSlow = R"(kernel slow workgroup(1) {
  buffer v: read_write u32[n]
  let i = global_id.x
  var acc = v[i]
  for k in 0..4000000 { acc = acc * 1664525u + 1013904223u }
  v[i] = acc
})";

class DeviceMemorySuite : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    auto device = suite_runtime().device(GetParam());
    if (!device.ok()) GTEST_SKIP() << GetParam() << " is not available: " << show(device.error());
    device_ = *device;
    auto stream = device_.default_stream();
    ASSERT_TRUE(stream.ok()) << show(stream.error());
    stream_ = *stream;
  }
  DispatchConfig on_device() const {
    DispatchConfig config;
    config.allowed_backends = {std::string(device_.backend().id())};
    return config;
  }
  Result<PreparedKernel> prepare(const char* text) {
    return suite_runtime().prepare(parse_kernel(text), device_, on_device());
  }
  template <class T>
  std::vector<T> read(const DeviceBuffer& buffer) {
    auto host = buffer.download();
    EXPECT_TRUE(host.ok()) << (host.ok() ? "" : show(host.error()));
    return host.ok() ? host->to_vector<T>() : std::vector<T>{};
  }
  Device device_;
  Stream stream_;
};

TEST_P(DeviceMemorySuite, UploadsAndDownloadsWholeBuffers) {
  std::vector<float> values(1000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.5f * static_cast<float>(i);
  DeviceBuffer buffer = VYRE_SUITE_OK(device_.upload(HostBuffer::of(ir::Type::F32, values)));
  EXPECT_EQ(buffer.element(), ir::Type::F32);
  EXPECT_EQ(buffer.count(), 1000u);
  EXPECT_EQ(buffer.device(), device_);
  EXPECT_EQ(read<float>(buffer), values);
}

TEST_P(DeviceMemorySuite, ViewsReadAndWriteTheirRange) {
  DeviceBuffer buffer = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::I32, 100));
  DeviceBuffer middle = VYRE_SUITE_OK(buffer.view(10, 20));
  EXPECT_EQ(middle.count(), 20u);
  std::vector<std::int32_t> ones(20, 1);
  VYRE_SUITE_OK(middle.upload(HostBuffer::of(ir::Type::I32, ones)));
  auto all = read<std::int32_t>(buffer);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i], (i >= 10 && i < 30) ? 1 : 0) << "element " << i;
  }
  EXPECT_EQ(read<std::int32_t>(middle), ones);
  auto outside = buffer.view(90, 11);
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code, code::ViewOutOfRange);
}

TEST_P(DeviceMemorySuite, FillsConvertTheValueToTheElementType) {
  DeviceBuffer floats = VYRE_SUITE_OK(device_.allocate(ir::Type::F32, 257));
  VYRE_SUITE_OK(floats.fill(Scalar::f32(2.5f)));
  EXPECT_EQ(read<float>(floats), std::vector<float>(257, 2.5f));
  DeviceBuffer ints = VYRE_SUITE_OK(device_.allocate(ir::Type::I64, 3));
  VYRE_SUITE_OK(ints.fill(Scalar::i32(-7)));
  EXPECT_EQ(read<std::int64_t>(ints), std::vector<std::int64_t>(3, -7));
}

TEST_P(DeviceMemorySuite, CopiesBetweenBuffersAndViews) {
  std::vector<std::uint32_t> values{1, 2, 3, 4, 5, 6, 7, 8};
  DeviceBuffer source = VYRE_SUITE_OK(device_.upload(HostBuffer::of(ir::Type::U32, values)));
  DeviceBuffer target = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::U32, 8));
  VYRE_SUITE_OK(target.copy_from(source));
  EXPECT_EQ(read<std::uint32_t>(target), values);
  DeviceBuffer tail = VYRE_SUITE_OK(target.view(4, 4));
  DeviceBuffer head = VYRE_SUITE_OK(source.view(0, 4));
  VYRE_SUITE_OK(tail.copy_from(head));
  EXPECT_EQ(read<std::uint32_t>(target), (std::vector<std::uint32_t>{1, 2, 3, 4, 1, 2, 3, 4}));
  auto mismatched = target.copy_from(head);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.error().code, code::TransferSizeMismatch);
  std::vector<std::uint8_t> short_host(3);
  auto short_download = source.download_into(short_host);
  ASSERT_FALSE(short_download.ok());
  EXPECT_EQ(short_download.error().code, code::TransferSizeMismatch);
}

TEST_P(DeviceMemorySuite, ReusesFreedMemoryOfTheSameSizeClass) {
  auto allocator = VYRE_SUITE_OK(device_.allocator());
  { DeviceBuffer first = VYRE_SUITE_OK(device_.allocate(ir::Type::F32, 5000)); }
  VYRE_SUITE_OK(stream_.synchronize());
  const AllocatorStats before = allocator->stats();
  DeviceBuffer second = VYRE_SUITE_OK(device_.allocate(ir::Type::F32, 4990));
  const AllocatorStats after = allocator->stats();
  EXPECT_EQ(after.cache_hits, before.cache_hits + 1);
  EXPECT_EQ(after.device_allocations, before.device_allocations);
  EXPECT_GE(after.live_bytes, 4990u * 4u);
}

TEST_P(DeviceMemorySuite, OutOfMemoryNamesTheRequestAndWhatIsInUse) {
  auto allocator = VYRE_SUITE_OK(device_.allocator());
  const AllocatorOptions saved = allocator->options();
  AllocatorOptions capped = saved;
  capped.pool_cap_bytes = allocator->stats().live_bytes + (1 << 20);
  allocator->set_options(capped);
  auto first = device_.allocate(ir::Type::F32, 128 * 1024);   // 512 KiB: fits
  auto second = device_.allocate(ir::Type::F32, 256 * 1024);  // 1 MiB more: over the cap
  allocator->set_options(saved);
  ASSERT_TRUE(first.ok()) << show(first.error());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, code::DeviceOutOfMemory);
  EXPECT_NE(second.error().message.find("1048576 bytes"), std::string::npos)
      << second.error().message;
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
  EXPECT_NE(second.error().message.find(device_.id()), std::string::npos);
}

TEST_P(DeviceMemorySuite, ReleasedBuffersAreRefusedEverywhere) {
  auto k = VYRE_SUITE_OK(prepare(kSaxpy));
  DeviceBuffer x = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::F32, 64));
  DeviceBuffer y = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::F32, 64));
  DeviceBuffer alias = y;
  DeviceBuffer part = VYRE_SUITE_OK(y.view(0, 8));
  y.release();
  EXPECT_TRUE(y.released());
  EXPECT_TRUE(alias.released());
  EXPECT_TRUE(part.released());
  auto launched = k.launch({x, alias, Scalar::f32(1)}, stream_);
  ASSERT_FALSE(launched.ok());
  EXPECT_EQ(launched.error().code, code::BufferReleased);
  auto uploaded = part.upload(HostBuffer(ir::Type::F32, 8));
  ASSERT_FALSE(uploaded.ok());
  EXPECT_EQ(uploaded.error().code, "VY4202");
  auto downloaded = y.download();
  ASSERT_FALSE(downloaded.ok());
  EXPECT_EQ(downloaded.error().code, code::BufferReleased);
  auto viewed = alias.view(0, 1);
  ASSERT_FALSE(viewed.ok());
  EXPECT_EQ(viewed.error().code, code::BufferReleased);
}

TEST_P(DeviceMemorySuite, BuffersOfAnotherDeviceAreRefused) {
  // A second reference backend is another device, whatever this suite's device is.
  Device other = VYRE_SUITE_OK(Device::open(make_reference_backend()));
  ASSERT_FALSE(other == device_);
  DeviceBuffer foreign = VYRE_SUITE_OK(other.allocate_zeroed(ir::Type::F32, 64));
  DeviceBuffer local = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::F32, 64));
  auto k = VYRE_SUITE_OK(prepare(kSaxpy));
  auto launched = k.launch({foreign, local, Scalar::f32(1)}, stream_);
  ASSERT_FALSE(launched.ok());
  EXPECT_EQ(launched.error().code, code::WrongDevice);
  auto copied = stream_.copy(foreign, local);
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.error().code, code::WrongDevice);
  Stream other_stream = VYRE_SUITE_OK(other.default_stream());
  auto wrong_stream = k.launch({local, local, Scalar::f32(1)}, other_stream);
  ASSERT_FALSE(wrong_stream.ok());
  EXPECT_EQ(wrong_stream.error().code, code::WrongDevice);
}

TEST_P(DeviceMemorySuite, PreparedKernelsBindByPositionAndBySlot) {
  auto k = VYRE_SUITE_OK(prepare(kSaxpy));
  EXPECT_EQ(k.device(), device_);
  std::vector<float> xs(1000), ys(1000);
  for (int i = 0; i < 1000; ++i) {
    xs[i] = static_cast<float>(i);
    ys[i] = 1.0f;
  }
  DeviceBuffer x = VYRE_SUITE_OK(device_.upload(HostBuffer::of(ir::Type::F32, xs)));
  DeviceBuffer y = VYRE_SUITE_OK(device_.upload(HostBuffer::of(ir::Type::F32, ys)));
  VYRE_SUITE_OK(k.launch({x, y, Scalar::f32(2.0f)}, stream_));
  LaunchArgs args = k.args();
  args.set(VYRE_SUITE_OK(k.slot("x")), x);
  args.set(VYRE_SUITE_OK(k.slot("y")), y);
  args.set(VYRE_SUITE_OK(k.slot("a")), Scalar::f32(-1.0f));
  VYRE_SUITE_OK(k.launch(args, stream_));
  VYRE_SUITE_OK(stream_.synchronize());
  auto out = read<float>(y);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(out[i], 1.0f + static_cast<float>(i)) << i;
}

TEST_P(DeviceMemorySuite, PreparedKernelsCheckArguments) {
  auto k = VYRE_SUITE_OK(prepare(kSaxpy));
  DeviceBuffer x = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::F32, 64));
  DeviceBuffer y = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::F32, 32));
  DeviceBuffer ints = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::I32, 64));
  auto expect_mismatch = [&](Status s, const char* what) {
    ASSERT_FALSE(s.ok()) << what;
    EXPECT_EQ(s.error().code, code::KernelArgMismatch) << what << ": " << show(s.error());
  };
  expect_mismatch(k.launch({x, x}, stream_), "too few arguments");
  expect_mismatch(k.launch({x, ints, Scalar::f32(1)}, stream_), "wrong element type");
  expect_mismatch(k.launch({x, y, Scalar::f32(1)}, stream_), "counts disagree");
  expect_mismatch(k.launch({x, x, Scalar::i32(1)}, stream_), "wrong param type");
  expect_mismatch(k.launch({x, Scalar::f32(1), x}, stream_), "scalar in a buffer position");
  LaunchArgs unset = k.args();
  unset.set(VYRE_SUITE_OK(k.slot("x")), x);
  unset.set(VYRE_SUITE_OK(k.slot("y")), x);
  expect_mismatch(k.launch(unset, stream_), "param not set");
  auto missing = k.slot("z");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, code::UnknownKernelArg);
}

TEST_P(DeviceMemorySuite, StreamsOrderWorkThroughEvents) {
  auto k = VYRE_SUITE_OK(prepare(kAddConstant));
  Stream first = VYRE_SUITE_OK(device_.create_stream());
  Stream second = VYRE_SUITE_OK(device_.create_stream());
  Event done = VYRE_SUITE_OK(device_.create_event());
  const std::uint64_t n = 4096;
  DeviceBuffer v = VYRE_SUITE_OK(device_.allocate(ir::Type::I32, n));
  DeviceBuffer copy = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::I32, n));
  VYRE_SUITE_OK(first.fill(v, Scalar::i32(10)));
  for (int i = 0; i < 5; ++i) VYRE_SUITE_OK(k.launch({v, Scalar::i32(1)}, first));
  VYRE_SUITE_OK(first.record(done));
  VYRE_SUITE_OK(second.wait(done));
  VYRE_SUITE_OK(second.copy(v, copy));
  VYRE_SUITE_OK(second.synchronize(std::chrono::seconds(60)));
  EXPECT_TRUE(done.ready());
  EXPECT_EQ(read<std::int32_t>(copy), std::vector<std::int32_t>(n, 15));
  VYRE_SUITE_OK(first.synchronize());
}

TEST_P(DeviceMemorySuite, NativeStreamsAreOrderedAfterTheStream) {
  // 1 is CUDA's legacy default stream (CU_STREAM_LEGACY), a handle every CUDA context has; a
  // backend without native streams of its own orders any handle by waiting on the host.
  auto k = VYRE_SUITE_OK(prepare(kAddConstant));
  Stream stream = VYRE_SUITE_OK(device_.create_stream());
  const std::uint64_t n = 4096;
  DeviceBuffer v = VYRE_SUITE_OK(device_.allocate(ir::Type::I32, n));
  VYRE_SUITE_OK(stream.fill(v, Scalar::i32(10)));
  for (int i = 0; i < 5; ++i) VYRE_SUITE_OK(k.launch({v, Scalar::i32(1)}, stream));
  VYRE_SUITE_OK(stream.order_native_stream(1));
  VYRE_SUITE_OK(stream.synchronize(std::chrono::seconds(60)));
  EXPECT_EQ(read<std::int32_t>(v), std::vector<std::int32_t>(n, 15));
}

TEST_P(DeviceMemorySuite, WaitsTimeOutWithoutLosingWork) {
  auto k = VYRE_SUITE_OK(prepare(kSlow));
  Stream busy = VYRE_SUITE_OK(device_.create_stream());
  Stream bystander = VYRE_SUITE_OK(device_.create_stream());
  DeviceBuffer v = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::U32, 2));
  std::vector<std::int32_t> kept{4, 5, 6};
  DeviceBuffer other = VYRE_SUITE_OK(device_.upload(HostBuffer::of(ir::Type::I32, kept)));
  Event after = VYRE_SUITE_OK(device_.create_event());
  VYRE_SUITE_OK(k.launch({v}, busy));
  VYRE_SUITE_OK(busy.record(after));
  auto timed_out = busy.synchronize(std::chrono::microseconds(1));
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.error().code, code::StreamTimeout);
  auto event_timed_out = after.wait(std::chrono::microseconds(1));
  ASSERT_FALSE(event_timed_out.ok());
  EXPECT_EQ(event_timed_out.error().code, "VY4206");
  // Another stream's work and buffers are untouched meanwhile.
  std::vector<std::int32_t> seen(3);
  VYRE_SUITE_OK(bystander.download(
      other, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(seen.data()), 12)));
  VYRE_SUITE_OK(bystander.synchronize(std::chrono::seconds(60)));
  EXPECT_EQ(seen, kept);
  VYRE_SUITE_OK(busy.synchronize());  // waiting again lets it finish
  EXPECT_TRUE(after.ready());
}

TEST_P(DeviceMemorySuite, TimingEventsMeasureDeviceTime) {
  auto k = VYRE_SUITE_OK(prepare(kAddConstant));
  Event start = VYRE_SUITE_OK(device_.create_event(true));
  Event end = VYRE_SUITE_OK(device_.create_event(true));
  Event untimed = VYRE_SUITE_OK(device_.create_event(false));
  DeviceBuffer v = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::I32, 1 << 16));
  VYRE_SUITE_OK(stream_.record(start));
  VYRE_SUITE_OK(k.launch({v, Scalar::i32(3)}, stream_));
  VYRE_SUITE_OK(stream_.record(end));
  VYRE_SUITE_OK(stream_.record(untimed));
  VYRE_SUITE_OK(end.wait());
  double ms = VYRE_SUITE_OK(Event::elapsed_ms(start, end));
  EXPECT_GE(ms, 0.0);
  EXPECT_LT(ms, 60000.0);
  auto not_timed = Event::elapsed_ms(start, untimed);
  ASSERT_FALSE(not_timed.ok());
  EXPECT_EQ(not_timed.error().code, code::EventNotTimed);
}

TEST_P(DeviceMemorySuite, KernelTimesArePerLaunch) {
  auto k = VYRE_SUITE_OK(prepare(kAddConstant));
  Stream s = VYRE_SUITE_OK(device_.create_stream());
  DeviceBuffer v = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::I32, 1 << 12));
  s.set_kernel_timing(true);
  for (int i = 0; i < 5; ++i) VYRE_SUITE_OK(k.launch({v, Scalar::i32(1)}, s));
  VYRE_SUITE_OK(s.synchronize());
  auto times = VYRE_SUITE_OK(s.take_kernel_times());
  ASSERT_EQ(times.size(), 5u);
  for (double t : times) EXPECT_GE(t, 0.0);
  EXPECT_TRUE(VYRE_SUITE_OK(s.take_kernel_times()).empty());
  EXPECT_EQ(read<std::int32_t>(v), std::vector<std::int32_t>(1 << 12, 5));
}

TEST_P(DeviceMemorySuite, GraphsReplayWithUpdatedParameters) {
  auto k = VYRE_SUITE_OK(prepare(kAddConstant));
  DeviceBuffer v = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::I32, 1000));
  DeviceBuffer snapshot = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::I32, 1000));
  GraphRecording recording(device_);
  GraphNode add = VYRE_SUITE_OK(k.record(recording, {v, Scalar::i32(2)}));
  VYRE_SUITE_OK(k.record(recording, {v, Scalar::i32(1)}));
  GraphNode copy = VYRE_SUITE_OK(recording.copy(v, snapshot));
  Graph graph = VYRE_SUITE_OK(Graph::instantiate(std::move(recording)));
  EXPECT_EQ(graph.size(), 3u);
  for (int i = 0; i < 3; ++i) VYRE_SUITE_OK(graph.replay(stream_));
  VYRE_SUITE_OK(stream_.synchronize());
  EXPECT_EQ(read<std::int32_t>(snapshot), std::vector<std::int32_t>(1000, 9));
  VYRE_SUITE_OK(k.update(graph, add, {v, Scalar::i32(100)}));
  VYRE_SUITE_OK(graph.replay(stream_));
  VYRE_SUITE_OK(stream_.synchronize());
  EXPECT_EQ(read<std::int32_t>(snapshot), std::vector<std::int32_t>(1000, 110));
  auto not_a_launch = k.update(graph, copy, {v, Scalar::i32(1)});
  ASSERT_FALSE(not_a_launch.ok());
  EXPECT_EQ(not_a_launch.error().code, code::BadGraphNode);
}

// A while loop at its cap in a resident launch (no host read-back per launch): the stream's
// next synchronize reports it once (VY2103), for direct launches and graph replays alike, and
// the caller never binds the hidden status buffer.
constexpr const char* kCapped = R"(kernel capped workgroup(64) {
  param steps: u32
  buffer v: read_write u32[n]
  let i = global_id.x
  if i < len(v) {
    var k = 0u
    while k < steps max 8 { k = k + 1u }
    v[i] = k
  }
})";

TEST_P(DeviceMemorySuite, CappedLoopsOfResidentLaunchesAreReportedAtSynchronize) {
  auto k = VYRE_SUITE_OK(prepare(kCapped));
  DeviceBuffer v = VYRE_SUITE_OK(device_.allocate_zeroed(ir::Type::U32, 100));
  auto expect_capped = [&](Status synced, const char* what) {
    ASSERT_FALSE(synced.ok()) << what << ": the capped loop went unreported";
    EXPECT_EQ(synced.error().code, code::LoopCapReached) << what << ": " << show(synced.error());
    EXPECT_NE(synced.error().message.find("7:"), std::string::npos) << synced.error().message;
  };
  VYRE_SUITE_OK(k.launch({v, Scalar::u32(4)}, stream_));
  VYRE_SUITE_OK(stream_.synchronize());
  EXPECT_EQ(read<std::uint32_t>(v), std::vector<std::uint32_t>(100, 4));
  VYRE_SUITE_OK(k.launch({v, Scalar::u32(100)}, stream_));
  VYRE_SUITE_OK(k.launch({v, Scalar::u32(3)}, stream_));
  expect_capped(stream_.synchronize(), "direct launch");
  EXPECT_EQ(read<std::uint32_t>(v), std::vector<std::uint32_t>(100, 3));
  VYRE_SUITE_OK(k.launch({v, Scalar::u32(2)}, stream_));
  VYRE_SUITE_OK(stream_.synchronize());  // reported once: the word was zeroed again

  Stream side = VYRE_SUITE_OK(device_.create_stream());
  VYRE_SUITE_OK(k.launch({v, Scalar::u32(50)}, side));
  VYRE_SUITE_OK(stream_.synchronize());  // another stream's cap is that stream's to report
  expect_capped(side.synchronize(), "side stream");

  GraphRecording recording(device_);
  GraphNode node = VYRE_SUITE_OK(k.record(recording, {v, Scalar::u32(9)}));
  Graph graph = VYRE_SUITE_OK(Graph::instantiate(std::move(recording)));
  VYRE_SUITE_OK(graph.replay(stream_));
  expect_capped(stream_.synchronize(), "graph replay");
  VYRE_SUITE_OK(k.update(graph, node, {v, Scalar::u32(5)}));
  VYRE_SUITE_OK(graph.replay(stream_));
  VYRE_SUITE_OK(stream_.synchronize());
  EXPECT_EQ(read<std::uint32_t>(v), std::vector<std::uint32_t>(100, 5));

  auto hidden = k.slot(std::string(ir::kLoopStatusBuffer));
  ASSERT_FALSE(hidden.ok());
  EXPECT_EQ(hidden.error().code, code::UnknownKernelArg);
}

TEST_P(DeviceMemorySuite, DeviceNamesAreChecked) {
  const std::string backend(device_.backend().id());
  auto missing = suite_runtime().device(backend + ":999");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, code::UnknownDevice);
  auto malformed = parse_device_spec(backend + ":x");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, code::UnknownDevice);
  EXPECT_EQ(device_.id(), backend + ":" + std::to_string(device_.index()));
}

}  // namespace vyre::device_suite
