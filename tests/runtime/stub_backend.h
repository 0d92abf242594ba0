// Test support for registry, routing, launch-validation and precompile tests: the shared
// FakeBackend (fakes/fake_backend.h) and a kernel that needs an op only some backends lower.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/fake_backend.h"
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

}  // namespace vyre::testing
