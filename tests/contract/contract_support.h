// Support of the backend contract suite: the backends it runs on (every one the generated module
// list registers, test-only modules included), and small programs with exact expected results.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/ir/program.h"

namespace vyre::contract {

// Ids of every backend registered by register_builtin_backends (the test module list).
std::vector<std::string> registered_backend_ids();

// The backend, acquired once per process; null with `why` set when it cannot start here.
std::shared_ptr<Backend> backend_or_reason(const std::string& id, std::string& why);

// Parses and checks a kernel, failing the test with the rendered diagnostic.
ir::Program parse(std::string_view text);

// y[i] = a * x[i] + y[i] over u32 (wrapping): exact on every backend.
inline constexpr std::string_view kAxpy = R"(kernel axpy workgroup(64) {
  param a: u32
  buffer x: read u32[n]
  buffer y: read_write u32[n]
  let i = global_id.x
  if i < n { y[i] = a * x[i] + y[i] }
})";

// Bindings for kAxpy with `n` elements, deterministic values, a = 3.
Bindings axpy_bindings(std::uint64_t n, std::uint32_t seed = 1);
// What kAxpy leaves in y for `bindings`.
std::vector<std::uint32_t> axpy_expected(const Bindings& bindings);
// The launch the runtime would derive for `n` elements and `pipeline`'s workgroup.
LaunchGeometry axpy_geometry(const CompiledPipeline& pipeline, std::uint64_t n);

std::string render(const Diagnostic& diagnostic);

}  // namespace vyre::contract
