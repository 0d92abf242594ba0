// Embedding vyre with buffers that stay on the device: a dot product in two kernels, partial
// sums per workgroup, then one workgroup adding the partials, with no host round trip between
// them. Both kernels are prepared once (route, pipeline, binding layout) and launched on one
// stream; only the final f32 comes back.
#include <cmath>
#include <cstdio>
#include <vector>

#include "vyre/backend/device_buffer.h"
#include "vyre/backend/stream.h"
#include "vyre/backends/builtin.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"
#include "vyre/runtime/runtime.h"

namespace {

constexpr const char* kPartials = R"(kernel partial_dot workgroup(256) dispatch(n) {
  buffer x: read f32[n]
  buffer y: read f32[n]
  buffer partial: write f32[g]
  shared sums: f32[256]
  let i = global_id.x
  let lid = local_id.x
  var product = 0.0
  if i < len(x) { product = x[i] * y[i] }
  sums[lid] = product
  barrier()
  for round in 0u..8u {
    let stride = 128u >> round
    if lid < stride { sums[lid] = sums[lid] + sums[lid + stride] }
    barrier()
  }
  if lid == 0u { partial[group_id.x] = sums[0u] }
})";

// One workgroup: each invocation adds every 256th partial, then a tree adds the 256 sums.
constexpr const char* kFinal = R"(kernel final_sum workgroup(256) dispatch(256) {
  buffer partial: read f32[g]
  buffer total: write f32[1]
  shared sums: f32[256]
  let lid = local_id.x
  var acc = 0.0
  for j in lid..g step 256 { acc = acc + partial[j] }
  sums[lid] = acc
  barrier()
  for round in 0u..8u {
    let stride = 128u >> round
    if lid < stride { sums[lid] = sums[lid] + sums[lid + stride] }
    barrier()
  }
  if lid == 0u { total[0u] = sums[0u] }
})";

int fail(const vyre::Diagnostic& d) {
  std::fprintf(stderr, "%s\n", vyre::render_human(d).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (auto registered = vyre::register_builtin_backends(vyre::BackendRegistry::global());
      !registered) {
    return fail(registered.error());
  }
  auto partials = vyre::ir::parse_program(kPartials);
  if (!partials) return fail(partials.error());
  auto final_sum = vyre::ir::parse_program(kFinal);
  if (!final_sum) return fail(final_sum.error());

  vyre::Runtime runtime;
  // The device to use, explicitly ("reference", "opencl:0", "cuda:1"); the reference
  // interpreter by default, so the example runs anywhere.
  auto device = runtime.device(argc > 1 ? argv[1] : "reference");
  if (!device) return fail(device.error());

  const std::uint64_t n = 1 << 16;
  const std::uint64_t groups = (n + 255) / 256;
  vyre::DispatchConfig config;
  config.sizes = {{"g", groups}};
  auto first = runtime.prepare(*partials, *device, config);
  if (!first) return fail(first.error());
  auto second = runtime.prepare(*final_sum, *device, config);
  if (!second) return fail(second.error());

  std::vector<float> xs(n), ys(n);
  for (std::uint64_t j = 0; j < n; ++j) {
    xs[j] = static_cast<float>(j % 7);
    ys[j] = 0.5f;
  }
  using vyre::ir::Type;
  auto x = device->upload(vyre::HostBuffer::of(Type::F32, xs));
  auto y = device->upload(vyre::HostBuffer::of(Type::F32, ys));
  auto partial = device->allocate(Type::F32, groups);
  auto total = device->allocate(Type::F32, 1);
  if (!x) return fail(x.error());
  if (!y) return fail(y.error());
  if (!partial) return fail(partial.error());
  if (!total) return fail(total.error());
  auto stream = device->create_stream();
  if (!stream) return fail(stream.error());

  // Both launches go to one stream: the second starts after the first, on the device.
  if (auto s = first->launch({*x, *y, *partial}, *stream); !s) return fail(s.error());
  if (auto s = second->launch({*partial, *total}, *stream); !s) return fail(s.error());
  // DeviceBuffer::download runs on the device's default stream: wait for this stream first.
  if (auto s = stream->synchronize(); !s) return fail(s.error());
  auto result = total->download();
  if (!result) return fail(result.error());

  double expected = 0;
  for (std::uint64_t j = 0; j < n; ++j) expected += static_cast<double>(xs[j]) * ys[j];
  const float dot = result->to_vector<float>()[0];
  if (std::fabs(dot - expected) > 1e-3 * expected) {
    std::fprintf(stderr, "wrong dot product: %g, expected %g\n", static_cast<double>(dot),
                 expected);
    return 1;
  }
  std::printf("dot product on %s: %g (expected %g), %llu elements, two kernels, one read back\n",
              device->id().c_str(), static_cast<double>(dot), expected,
              static_cast<unsigned long long>(n));
  return 0;
}
