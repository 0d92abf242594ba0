// The bytes the pipeline cache stores for a CUDA pipeline: a small versioned header (magic,
// format version, target architecture, entry symbol, kernel argument ABI, workgroup size,
// program digest), zero padding to a 16-byte offset, then the cubin. load() checks every header
// field against what it expects before handing the cubin to cuModuleLoadData.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vyre/backends/c_emitter.h"
#include "vyre/backends/cuda/arch.h"
#include "vyre/diag/result.h"
#include "vyre/ir/hash.h"

namespace vyre::cuda {

// 2: zero padding after the cubin length puts the cubin at a 16-byte offset.
inline constexpr std::uint32_t kCubinFormatVersion = 2;

struct CubinImage {
  CudaArch arch;
  std::string entry;                         // symbol for cuModuleGetFunction
  std::vector<codegen::KernelArg> args;      // kernel ABI, in launch order
  std::array<std::uint32_t, 3> workgroup{};  // compiled-in block size
  Digest program{};                          // digest of the program it was compiled from
  std::vector<std::uint8_t> cubin;           // ELF image
};

std::vector<std::uint8_t> encode_cubin_image(const CubinImage& image);

// Fails with BadPipelineBytes (VY4019) on bad magic, another format version, truncation,
// trailing bytes, out-of-range fields or a payload that is not an ELF image.
Result<CubinImage> decode_cubin_image(std::span<const std::uint8_t> bytes);

// The same checks without copying the cubin: `image.cubin` stays empty and `cubin` points into
// `bytes`. What load() uses, so a disk hit copies the cubin once (into the pipeline).
struct CubinView {
  CubinImage image;
  std::span<const std::uint8_t> cubin;
};
Result<CubinView> view_cubin_image(std::span<const std::uint8_t> bytes);

bool is_elf(std::span<const std::uint8_t> bytes);

}  // namespace vyre::cuda
