// The bytes an OpenCL pipeline is cached as: a small versioned header that says what the binary
// was built for (program digest, workgroup, ULP budget, kernel entry and argument ABI), then the
// device's CL_PROGRAM_BINARIES blob with its BLAKE3 checksum. load() checks the header against
// the program it is asked to load, so a blob built for something else is rejected, not run.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vyre/backends/c_emitter.h"
#include "vyre/diag/result.h"
#include "vyre/ir/hash.h"

namespace vyre::opencl {

inline constexpr std::uint32_t kPipelineFormatVersion = 1;

struct PipelineImage {
  Digest program{};
  std::array<std::uint32_t, 3> workgroup{1, 1, 1};
  std::uint32_t ulp_budget = 0;
  std::string entry;
  std::vector<codegen::KernelArg> args;
  std::vector<std::uint8_t> binary;
};

std::vector<std::uint8_t> encode_pipeline(const PipelineImage& image);
// BadPipelineBytes (VY4019) for a wrong magic or version, truncation, absurd lengths or
// trailing bytes.
Result<PipelineImage> decode_pipeline(std::span<const std::uint8_t> bytes);

}  // namespace vyre::opencl
