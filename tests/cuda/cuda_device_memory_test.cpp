// The CUDA backend's device memory beyond the shared contract suite: staged transfers of many
// chunks, 8-byte fills through the fill kernel, launches on device buffers with kernel times,
// CUDA graphs with copy and fill nodes and in-place parameter updates, fence release of kept
// buffers, driver out-of-memory, pinned memory, buffers and streams across a context reset, and
// device selection by ordinal. Every test skips with the reason when there is no CUDA device.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <vector>

#include "cuda_test_support.h"
#include "vyre/backend/device.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/device_buffer.h"
#include "vyre/backend/event.h"
#include "vyre/backend/graph.h"
#include "vyre/backend/pinned_memory.h"
#include "vyre/backend/stream.h"
#include "vyre/backends/cuda/codes.h"

namespace vyre::cuda {
namespace {

using testing::parse_or_die;
using testing::show;

constexpr std::string_view kAddConstant = R"(kernel add_constant workgroup(64) {
  param c: i32
  buffer v: read_write i32[n]
  let i = global_id.x
  if i < len(v) { v[i] = v[i] + c }
})";

constexpr std::string_view kScale = R"(kernel scale workgroup(128) {
  param s: f32
  buffer src: read f32[n]
  buffer dst: write f32[n]
  let i = global_id.x
  if i < len(dst) { dst[i] = s * src[i] }
})";

std::shared_ptr<CudaBackend> memory_backend(std::string* why) {
  static auto backend = CudaBackend::create();
  if (!backend.ok()) {
    *why = backend.error().message;
    return nullptr;
  }
  return *backend;
}

#define OK_OR_FAIL(expr)                                        \
  __extension__({                                               \
    auto ok_or_fail_ = (expr);                                  \
    ASSERT_TRUE(ok_or_fail_.ok()) << show(ok_or_fail_.error()); \
    std::move(ok_or_fail_).value();                             \
  })

class CudaDeviceMemory : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    backend_ = memory_backend(&why);
    if (backend_ == nullptr) GTEST_SKIP() << "no CUDA device: " << why;
    auto device = Device::open(backend_, 0);
    ASSERT_TRUE(device.ok()) << show(device.error());
    device_ = *device;
    auto stream = device_.create_stream();
    ASSERT_TRUE(stream.ok()) << show(stream.error());
    stream_ = *stream;
  }

  std::shared_ptr<const CompiledPipeline> compile(std::string_view text) {
    auto pipeline = backend_->compile(parse_or_die(text), {});
    EXPECT_TRUE(pipeline.ok()) << show(pipeline.error());
    return pipeline.ok() ? *pipeline : nullptr;
  }

  DeviceBindings bind(std::vector<const DeviceBuffer*> buffers, std::vector<Scalar> params) {
    DeviceBindings bindings;
    for (const DeviceBuffer* buffer : buffers) {
      auto view = buffer->backend_view();
      EXPECT_TRUE(view.ok()) << show(view.error());
      bindings.buffers.push_back(view.ok() ? *view : DeviceBufferView{});
    }
    bindings.params = std::move(params);
    bindings.sizes = {buffers.front()->count()};
    return bindings;
  }

  static LaunchGeometry geometry_for(const CompiledPipeline& pipeline, std::uint64_t count) {
    LaunchGeometry geometry;
    geometry.workgroup = pipeline.workgroup();
    geometry.groups = {(count + geometry.workgroup[0] - 1) / geometry.workgroup[0], 1, 1};
    return geometry;
  }

  template <class T>
  std::vector<T> read(const DeviceBuffer& buffer) {
    auto host = buffer.download();
    EXPECT_TRUE(host.ok()) << (host.ok() ? "" : show(host.error()));
    return host.ok() ? host->to_vector<T>() : std::vector<T>{};
  }

  std::shared_ptr<CudaBackend> backend_;
  Device device_;
  Stream stream_;
};

TEST_F(CudaDeviceMemory, StagedTransfersOfManyChunksRoundTrip) {
  // 20 MiB + 12 bytes: several 8 MiB staging chunks and a short last one, far above the size
  // that goes straight to the driver.
  const std::size_t count = (std::size_t{20} << 20) / 4 + 3;
  std::vector<std::uint32_t> values(count);
  std::iota(values.begin(), values.end(), 7u);
  DeviceBuffer buffer = OK_OR_FAIL(device_.allocate(ir::Type::U32, count));
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(values.data());
  ASSERT_TRUE(stream_.upload(buffer, {bytes, count * 4}).ok());
  std::vector<std::uint32_t> back(count, 0);
  auto* out = reinterpret_cast<std::uint8_t*>(back.data());
  const Status downloaded = stream_.download(buffer, {out, count * 4});
  ASSERT_TRUE(downloaded.ok()) << show(downloaded.error());
  ASSERT_TRUE(stream_.synchronize().ok());
  EXPECT_EQ(back, values);
  // A view in the middle, through the blocking forms.
  DeviceBuffer middle = OK_OR_FAIL(buffer.view(1000, count - 2000));
  std::vector<std::uint32_t> expected(values.begin() + 1000, values.end() - 1000);
  EXPECT_EQ(read<std::uint32_t>(middle), expected);
}

TEST_F(CudaDeviceMemory, PinnedMemoryTransfersDirectly) {
  auto pinned = backend_->allocate_pinned(std::size_t{4} << 20);
  ASSERT_TRUE(pinned.ok()) << show(pinned.error());
  EXPECT_TRUE((*pinned)->pinned());
  std::span<std::uint8_t> bytes = (*pinned)->bytes();
  ASSERT_EQ(bytes.size(), std::size_t{4} << 20);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 31);
  DeviceBuffer buffer = OK_OR_FAIL(device_.allocate(ir::Type::U32, bytes.size() / 4));
  ASSERT_TRUE(stream_.upload(buffer, bytes).ok());
  std::vector<std::uint8_t> expected(bytes.begin(), bytes.end());
  std::memset(bytes.data(), 0, bytes.size());
  ASSERT_TRUE(stream_.download(buffer, bytes).ok());
  ASSERT_TRUE(stream_.synchronize().ok());
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), expected.begin()));
}

TEST_F(CudaDeviceMemory, EightByteFillsUseTheFillKernelWhenTheHalvesDiffer) {
  DeviceBuffer wide = OK_OR_FAIL(device_.allocate(ir::Type::U64, 1001));
  ASSERT_TRUE(wide.fill(Scalar::u64(0x0123456789abcdefull)).ok());
  for (std::uint64_t v : read<std::uint64_t>(wide)) ASSERT_EQ(v, 0x0123456789abcdefull);
  DeviceBuffer doubles = OK_OR_FAIL(device_.allocate(ir::Type::F64, 333));
  ASSERT_TRUE(doubles.fill(Scalar::f64(1.5)).ok());  // 0x3ff8000000000000: halves differ
  for (double v : read<double>(doubles)) ASSERT_EQ(v, 1.5);
  DeviceBuffer minus = OK_OR_FAIL(device_.allocate(ir::Type::I64, 77));
  ASSERT_TRUE(minus.fill(Scalar::i64(-1)).ok());  // equal halves: cuMemsetD32
  for (std::int64_t v : read<std::int64_t>(minus)) ASSERT_EQ(v, -1);
  DeviceBuffer flags = OK_OR_FAIL(device_.allocate(ir::Type::Bool, 5));
  ASSERT_TRUE(flags.fill(Scalar::boolean(true)).ok());
  for (std::uint8_t v : read<std::uint8_t>(flags)) ASSERT_EQ(v, 1);
}

TEST_F(CudaDeviceMemory, LaunchesOnDeviceBuffersAndTimesThem) {
  auto pipeline = compile(kScale);
  ASSERT_NE(pipeline, nullptr);
  const std::size_t n = 100000;
  std::vector<float> input(n);
  for (std::size_t i = 0; i < n; ++i) input[i] = static_cast<float>(i) * 0.25f;
  DeviceBuffer src = OK_OR_FAIL(device_.upload(HostBuffer::of(ir::Type::F32, input)));
  DeviceBuffer dst = OK_OR_FAIL(device_.allocate(ir::Type::F32, n));
  stream_.set_kernel_timing(true);
  for (int k = 0; k < 3; ++k) {
    const Status launched = stream_.launch(*pipeline, bind({&src, &dst}, {Scalar::f32(2.0f)}),
                                           geometry_for(*pipeline, n));
    ASSERT_TRUE(launched.ok()) << show(launched.error());
  }
  ASSERT_TRUE(stream_.synchronize().ok());
  std::vector<double> times = OK_OR_FAIL(stream_.take_kernel_times());
  ASSERT_EQ(times.size(), 3u);
  for (double ms : times) EXPECT_GT(ms, 0.0);
  stream_.set_kernel_timing(false);
  const std::vector<float> out = read<float>(dst);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], 2.0f * input[i]) << i;
}

TEST_F(CudaDeviceMemory, KeptBuffersAreReleasedOnceTheStreamPassesThem) {
  auto pipeline = compile(kAddConstant);
  ASSERT_NE(pipeline, nullptr);
  auto allocator = OK_OR_FAIL(device_.allocator());
  const std::uint64_t live_before = allocator->stats().live_blocks;
  {
    DeviceBuffer v = OK_OR_FAIL(device_.allocate_zeroed(ir::Type::I32, 4096));
    // More launches than one fence interval, with the handle dropped while they may run.
    for (int k = 0; k < 600; ++k) {
      ASSERT_TRUE(
          stream_.launch(*pipeline, bind({&v}, {Scalar::i32(1)}), geometry_for(*pipeline, 4096))
              .ok());
    }
    DeviceBuffer check = OK_OR_FAIL(device_.allocate(ir::Type::I32, 4096));
    ASSERT_TRUE(stream_.copy(v, check).ok());
    ASSERT_TRUE(stream_.synchronize().ok());
    for (std::int32_t value : read<std::int32_t>(check)) ASSERT_EQ(value, 600);
  }
  ASSERT_TRUE(stream_.synchronize().ok());
  EXPECT_EQ(allocator->stats().live_blocks, live_before);
}

TEST_F(CudaDeviceMemory, GraphsReplayCopiesFillsAndUpdatedLaunches) {
  auto add = compile(kAddConstant);
  ASSERT_NE(add, nullptr);
  const std::size_t n = 1000;
  DeviceBuffer v = OK_OR_FAIL(device_.allocate(ir::Type::I32, n));
  DeviceBuffer copy = OK_OR_FAIL(device_.allocate(ir::Type::I32, n));
  DeviceBuffer wide = OK_OR_FAIL(device_.allocate(ir::Type::U64, 10));
  GraphRecording recording(device_);
  ASSERT_TRUE(recording.fill(v, Scalar::i32(10)).ok());
  const GraphNode step =
      OK_OR_FAIL(recording.launch(add, bind({&v}, {Scalar::i32(5)}), geometry_for(*add, n)));
  ASSERT_TRUE(recording.launch(add, bind({&v}, {Scalar::i32(100)}), geometry_for(*add, n)).ok());
  ASSERT_TRUE(recording.copy(v, copy).ok());
  ASSERT_TRUE(recording.fill(wide, Scalar::u64(0xfeedface00c0ffeeull)).ok());
  Graph graph = OK_OR_FAIL(Graph::instantiate(std::move(recording)));
  for (int replay = 0; replay < 3; ++replay) ASSERT_TRUE(graph.replay(stream_).ok());
  ASSERT_TRUE(stream_.synchronize().ok());
  for (std::int32_t value : read<std::int32_t>(copy)) ASSERT_EQ(value, 115);
  for (std::uint64_t value : read<std::uint64_t>(wide)) ASSERT_EQ(value, 0xfeedface00c0ffeeull);

  // The first launch adds 7 now, without instantiating again.
  const Status updated =
      graph.update_launch(step, bind({&v}, {Scalar::i32(7)}), geometry_for(*add, n));
  ASSERT_TRUE(updated.ok()) << show(updated.error());
  ASSERT_TRUE(graph.replay(stream_).ok());
  ASSERT_TRUE(stream_.synchronize().ok());
  for (std::int32_t value : read<std::int32_t>(copy)) ASSERT_EQ(value, 117);
}

TEST_F(CudaDeviceMemory, GraphUpdatesSwapPingPongBuffers) {
  auto scale = compile(kScale);
  ASSERT_NE(scale, nullptr);
  const std::size_t n = 256;
  DeviceBuffer a =
      OK_OR_FAIL(device_.upload(HostBuffer::of(ir::Type::F32, std::vector<float>(n, 1.0f))));
  DeviceBuffer b = OK_OR_FAIL(device_.allocate_zeroed(ir::Type::F32, n));
  GraphRecording recording(device_);
  const GraphNode node = OK_OR_FAIL(
      recording.launch(scale, bind({&a, &b}, {Scalar::f32(3.0f)}), geometry_for(*scale, n)));
  Graph graph = OK_OR_FAIL(Graph::instantiate(std::move(recording)));
  for (int step = 0; step < 4; ++step) {
    const DeviceBuffer& from = step % 2 == 0 ? a : b;
    const DeviceBuffer& to = step % 2 == 0 ? b : a;
    ASSERT_TRUE(
        graph.update_launch(node, bind({&from, &to}, {Scalar::f32(3.0f)}), geometry_for(*scale, n))
            .ok());
    ASSERT_TRUE(graph.replay(stream_).ok());
  }
  ASSERT_TRUE(stream_.synchronize().ok());
  for (float value : read<float>(a)) ASSERT_EQ(value, 81.0f);
}

TEST_F(CudaDeviceMemory, EventsOrderStreamsAndMeasureTime) {
  auto add = compile(kAddConstant);
  ASSERT_NE(add, nullptr);
  Stream other = OK_OR_FAIL(device_.create_stream());
  Event start = OK_OR_FAIL(device_.create_event(true));
  Event done = OK_OR_FAIL(device_.create_event(true));
  const std::size_t n = std::size_t{1} << 22;
  DeviceBuffer v = OK_OR_FAIL(device_.allocate_zeroed(ir::Type::I32, n));
  DeviceBuffer out = OK_OR_FAIL(device_.allocate(ir::Type::I32, n));
  ASSERT_TRUE(stream_.record(start).ok());
  for (int k = 0; k < 20; ++k) {
    ASSERT_TRUE(stream_.launch(*add, bind({&v}, {Scalar::i32(1)}), geometry_for(*add, n)).ok());
  }
  ASSERT_TRUE(stream_.record(done).ok());
  ASSERT_TRUE(other.wait(done).ok());
  ASSERT_TRUE(other.copy(v, out).ok());
  ASSERT_TRUE(other.synchronize().ok());
  EXPECT_TRUE(done.ready());
  for (std::int32_t value : read<std::int32_t>(out)) ASSERT_EQ(value, 20);
  const double ms = OK_OR_FAIL(Event::elapsed_ms(start, done));
  EXPECT_GT(ms, 0.0);
  Event untimed = OK_OR_FAIL(device_.create_event(false));
  ASSERT_TRUE(stream_.record(untimed).ok());
  ASSERT_TRUE(untimed.wait().ok());
  auto refused = Event::elapsed_ms(start, untimed);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, code::EventNotTimed);
}

TEST_F(CudaDeviceMemory, NativeStreamsAreOrderedBothWaysOnTheDevice) {
  // A stream of "another library" (CuPy, PyTorch): made with the driver API, non-blocking, so
  // nothing but the calls under test orders it with vyre's stream.
  auto add = compile(kAddConstant);
  ASSERT_NE(add, nullptr);
  auto raw = OK_OR_FAIL(backend_->raw_handles());
  const DriverApi& api = *raw.api;
  ASSERT_EQ(api.ctx_set_current(raw.context), CUDA_SUCCESS);
  CUstream native = nullptr;
  ASSERT_EQ(api.stream_create(&native, CU_STREAM_NON_BLOCKING), CUDA_SUCCESS);
  const auto handle = reinterpret_cast<std::uintptr_t>(native);
  const std::size_t n = std::size_t{1} << 22;
  DeviceBuffer v = OK_OR_FAIL(device_.allocate_zeroed(ir::Type::I32, n));
  DeviceBuffer out = OK_OR_FAIL(device_.allocate(ir::Type::I32, n));
  const auto address = backend_->block_address(v.allocation()->block());
  ASSERT_TRUE(address.has_value());
  const CUdeviceptr pointer = *address + v.first() * sizeof(std::int32_t);

  // vyre -> native: the native stream's copy starts after vyre's launches.
  for (int k = 0; k < 20; ++k) {
    ASSERT_TRUE(stream_.launch(*add, bind({&v}, {Scalar::i32(1)}), geometry_for(*add, n)).ok());
  }
  ASSERT_TRUE(stream_.order_native_stream(handle).ok());
  std::vector<std::int32_t> seen(n);
  ASSERT_EQ(api.memcpy_dtoh_async(seen.data(), pointer, n * sizeof(std::int32_t), native),
            CUDA_SUCCESS);
  ASSERT_EQ(api.stream_synchronize(native), CUDA_SUCCESS);
  for (std::int32_t value : seen) ASSERT_EQ(value, 20);

  // native -> vyre: vyre's copy starts after the native stream's memset.
  ASSERT_EQ(api.memset_d32_async(pointer, 7u, n, native), CUDA_SUCCESS);
  ASSERT_TRUE(stream_.wait_for_native_stream(handle).ok());
  ASSERT_TRUE(stream_.copy(v, out).ok());
  ASSERT_TRUE(stream_.synchronize().ok());
  for (std::int32_t value : read<std::int32_t>(out)) ASSERT_EQ(value, 7);

  // The legacy default stream is a handle too (DLPack's stream=1, and None for CUDA).
  EXPECT_TRUE(stream_.order_native_stream(1).ok());
  EXPECT_TRUE(stream_.wait_for_native_stream(1).ok());
  ASSERT_TRUE(stream_.synchronize().ok());
  EXPECT_EQ(api.stream_destroy(native), CUDA_SUCCESS);
}

TEST_F(CudaDeviceMemory, DriverOutOfMemoryNamesTheRequest) {
  const std::uint64_t huge = std::uint64_t{1} << 50;  // a petabyte of f32
  auto refused = device_.allocate(ir::Type::F32, huge / 4);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, code::DeviceOutOfMemory) << show(refused.error());
  EXPECT_NE(refused.error().message.find(std::to_string(huge)), std::string::npos)
      << refused.error().message;
  // The device still works afterwards.
  DeviceBuffer small = OK_OR_FAIL(device_.allocate_zeroed(ir::Type::I32, 16));
  EXPECT_EQ(read<std::int32_t>(small), std::vector<std::int32_t>(16, 0));
}

TEST_F(CudaDeviceMemory, PinnedMemoryBeyondTheHostIsADiagnostic) {
  auto refused = backend_->allocate_pinned(std::uint64_t{1} << 62);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, code::CudaPinnedUnavailable) << show(refused.error());
}

TEST_F(CudaDeviceMemory, BuffersOfAnotherBackendAreRefused) {
  // Another CudaBackend on the same GPU is another device as far as buffers go: its allocator,
  // streams and graphs are its own.
  auto second = CudaBackend::create();
  ASSERT_TRUE(second.ok()) << show(second.error());
  Device other = OK_OR_FAIL(Device::open(*second, 0));
  DeviceBuffer foreign = OK_OR_FAIL(other.allocate(ir::Type::I32, 8));
  DeviceBuffer local = OK_OR_FAIL(device_.allocate(ir::Type::I32, 8));
  const Status copied = stream_.copy(foreign, local);
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.error().code, code::WrongDevice) << show(copied.error());
}

TEST_F(CudaDeviceMemory, ReleasedBuffersAreRefused) {
  DeviceBuffer buffer = OK_OR_FAIL(device_.allocate_zeroed(ir::Type::I32, 8));
  DeviceBuffer alias = buffer;
  buffer.release();
  const Status filled = stream_.fill(alias, Scalar::i32(1));
  ASSERT_FALSE(filled.ok());
  EXPECT_EQ(filled.error().code, code::BufferReleased);
}

TEST_F(CudaDeviceMemory, DevicesAreChosenByOrdinal) {
  const std::uint32_t count = backend_->device_count();
  ASSERT_GE(count, 1u);
  auto missing = Device::open(backend_, count);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, code::UnknownDevice);
  for (std::uint32_t ordinal = 0; ordinal < count; ++ordinal) {
    auto device = Device::open(backend_, ordinal);
    ASSERT_TRUE(device.ok()) << show(device.error());
    EXPECT_EQ(device->id(), "cuda:" + std::to_string(ordinal));
    EXPECT_FALSE(device->name().empty());
    auto buffer = device->upload(HostBuffer::of(ir::Type::I32, std::vector<std::int32_t>{4, 5, 6}));
    if (!buffer.ok() && buffer.error().code == code::CudaBadArch) {
      std::printf("cuda:%u has another architecture: %s\n", ordinal,
                  buffer.error().message.c_str());
      continue;
    }
    ASSERT_TRUE(buffer.ok()) << show(buffer.error());
    EXPECT_EQ(read<std::int32_t>(*buffer), (std::vector<std::int32_t>{4, 5, 6}));
    if (ordinal != 0) {
      // A buffer of cuda:1 on a stream of cuda:0 is another device's.
      const Status copied = stream_.copy(*buffer, *buffer);
      ASSERT_FALSE(copied.ok());
      EXPECT_EQ(copied.error().code, code::WrongDevice);
    }
  }
}

// Last in the file: resets the device's primary context.
TEST_F(CudaDeviceMemory, BuffersOfAResetContextAreRefused) {
  auto add = compile(kAddConstant);
  ASSERT_NE(add, nullptr);
  DeviceBuffer old = OK_OR_FAIL(device_.allocate_zeroed(ir::Type::I32, 64));
  ASSERT_TRUE(stream_.launch(*add, bind({&old}, {Scalar::i32(1)}), geometry_for(*add, 64)).ok());
  // Queued, not waited for: the reset loses it.
  const Status reset = backend_->reset_device();
  ASSERT_TRUE(reset.ok()) << show(reset.error());

  const Status lost = stream_.synchronize();
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, code::DeviceLost) << show(lost.error());

  const Status stale = stream_.launch(*add, bind({&old}, {Scalar::i32(1)}), geometry_for(*add, 64));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, code::CudaStaleBuffer) << show(stale.error());

  // New buffers work on the same stream, and the pipeline reloads its module by itself.
  DeviceBuffer fresh = OK_OR_FAIL(device_.allocate_zeroed(ir::Type::I32, 64));
  const Status launched =
      stream_.launch(*add, bind({&fresh}, {Scalar::i32(3)}), geometry_for(*add, 64));
  ASSERT_TRUE(launched.ok()) << show(launched.error());
  ASSERT_TRUE(stream_.synchronize().ok());
  EXPECT_EQ(read<std::int32_t>(fresh), std::vector<std::int32_t>(64, 3));
}

}  // namespace
}  // namespace vyre::cuda
