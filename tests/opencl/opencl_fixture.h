// Shared helpers of the OpenCL backend tests: a fresh PoCL cache per test process, the backend
// (or the reason it is missing, so tests skip with it), and running a program end to end with
// the launch geometry the runtime would derive.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "vyre/backend/backend.h"
#include "vyre/ir/program.h"

namespace vyre::testing {

// The OpenCL backend on the default device, created once; null when there is no device.
std::shared_ptr<Backend> opencl_backend();
// Why opencl_backend() is null.
std::string opencl_unavailable_reason();
// The reference backend (the oracle).
std::shared_ptr<Backend> reference_backend();

// Skips the test, printing why, when no OpenCL device is present.
#define VYRE_REQUIRE_OPENCL()                                                               \
  do {                                                                                      \
    if (!::vyre::testing::opencl_backend()) {                                               \
      GTEST_SKIP() << "no OpenCL device: " << ::vyre::testing::opencl_unavailable_reason(); \
    }                                                                                       \
  } while (0)

// Parses and checks a kernel, failing the test with the rendered diagnostic.
ir::Program parse(std::string_view text);

// Bindings for `program` with every buffer sized from `sizes` (symbol -> value) and filled with
// deterministic pseudo-random values of its type, params from `params` (or pseudo-random).
Bindings make_bindings(const ir::Program& program,
                       const std::map<std::string, std::uint64_t>& sizes, std::uint32_t seed,
                       const std::map<std::string, Scalar>& params = {});

// The grid the runtime derives: dispatch(...) sizes, else the first writable buffer's count.
LaunchGeometry geometry_for(const ir::Program& program, const Bindings& bindings,
                            const std::array<std::uint32_t, 3>& workgroup);

// compile + dispatch + wait on `backend`; the bindings' writable buffers hold the results.
Status run(Backend& backend, const ir::Program& program, Bindings& bindings,
           const DispatchConfig& config = {});

// Distance in units in the last place between two floats of the same type (NaNs equal).
std::uint64_t ulp_distance_f32(float a, float b);
std::uint64_t ulp_distance_f64(double a, double b);

// Compares two buffers of one element type: integers and bools bit for bit, floats within
// `ulp` units in the last place. Returns a description of the first mismatch, or "".
std::string compare_buffers(const HostBuffer& expected, const HostBuffer& actual,
                            std::uint64_t ulp = 0);

std::string render(const Diagnostic& diagnostic);

}  // namespace vyre::testing
