// Embedding vyre: build saxpy with the KernelBuilder, run it on whichever backend routing picks
// (the reference interpreter at least), and check the result.
#include <cstdio>
#include <vector>

#include "vyre/backends/builtin.h"
#include "vyre/diag/render.h"
#include "vyre/ir/builder.h"
#include "vyre/runtime/runtime.h"

int main() {
  using namespace vyre::ir::dsl;

  KernelBuilder k("saxpy", {256});
  auto a = k.param("a", Type::F32);
  auto x = k.buffer("x", Access::Read, Type::F32, "n");
  auto y = k.buffer("y", Access::ReadWrite, Type::F32, "n");
  auto i = k.let("i", global_id_x());
  k.if_(i < len(y), [&] { k.store(y, i, a * x[i] + y[i]); });
  auto program = k.finish();
  if (!program) {
    std::fprintf(stderr, "%s\n", vyre::render_human(program.error()).c_str());
    return 1;
  }

  if (auto registered = vyre::register_builtin_backends(vyre::BackendRegistry::global());
      !registered) {
    std::fprintf(stderr, "%s\n", vyre::render_human(registered.error()).c_str());
    return 1;
  }

  const std::size_t n = 1 << 16;
  std::vector<float> xs(n), ys(n);
  for (std::size_t j = 0; j < n; ++j) {
    xs[j] = static_cast<float>(j);
    ys[j] = 1.0f;
  }
  vyre::RunInputs inputs;
  inputs.params["a"] = vyre::Scalar::f32(2.0f);
  inputs.buffers["x"] = vyre::HostBuffer::of(vyre::ir::Type::F32, xs);
  inputs.buffers["y"] = vyre::HostBuffer::of(vyre::ir::Type::F32, ys);

  vyre::DispatchConfig config;
  config.allowed_backends = {"reference"};
  vyre::Runtime runtime;
  auto result = runtime.run(*program, std::move(inputs), config);
  if (!result) {
    std::fprintf(stderr, "%s\n", vyre::render_human(result.error()).c_str());
    return 1;
  }
  auto out = result->outputs.at("y").to_vector<float>();
  for (std::size_t j = 0; j < n; ++j) {
    if (out[j] != 2.0f * static_cast<float>(j) + 1.0f) {
      std::fprintf(stderr, "wrong result at %zu: %g\n", j, static_cast<double>(out[j]));
      return 1;
    }
  }
  std::printf("saxpy on %s (%s): %zu elements ok, dispatch %.3f ms\n",
              result->report.backend.c_str(), result->report.backend_why.c_str(), n,
              result->report.timings.dispatch_ms);
  return 0;
}
