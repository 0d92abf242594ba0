// NumPy .npy arrays (format versions 1.0, 2.0 and 3.0) as typed host buffers with their shape,
// for embedders and for `vyre run`. Only C-ordered, little-endian dtypes vyre has element types
// for are read: <f4 <f8 <i4 <u4 <i8 <u8 |b1. A malformed file is a VY8101 diagnostic, a path that
// is not a regular file (a FIFO, /dev/zero) a VY8203 one: never a crash or a hang.
//   auto a = VYRE_TRY(vyre::read_npy_file("a.npy"));      // a.buffer, a.shape == {m, k}
//   VYRE_TRY(vyre::write_npy_file("c.npy", {c, {m, n}}));
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/backend/host_buffer.h"
#include "vyre/diag/result.h"

namespace vyre {

struct NpyArray {
  HostBuffer buffer;
  // C-order dimensions; empty for a 0-d scalar. Their product is buffer.count().
  std::vector<std::uint64_t> shape;
};

// The dtype string for an element type ("<f4", "|b1").
std::string_view npy_dtype(ir::Type type);

// Decodes the bytes of a .npy file; `name` is used in diagnostics.
Result<NpyArray> parse_npy(std::span<const std::uint8_t> bytes, std::string_view name);
// The .npy bytes (version 1.0, or 2.0 when the header needs it) of `array`; an empty shape is
// written as 1-D of the buffer's length. The shape's product must equal the buffer's count.
std::vector<std::uint8_t> encode_npy(const NpyArray& array);

// A whole regular file (bounded by its size, so /dev/zero cannot exhaust memory), decoded.
Result<NpyArray> read_npy_file(const std::string& path);
// Writes (replacing) `path`; a failure is a VY8104 diagnostic.
Status write_npy_file(const std::string& path, const NpyArray& array);

// The whole content of a regular file. A missing or unreadable path is VY8001; a folder, FIFO,
// socket or device is VY8203 (opened without blocking, so a FIFO with no writer cannot hang).
Result<std::vector<std::uint8_t>> read_regular_file(const std::string& path,
                                                    std::string_view what_to_name = "a file");
// Writes (replacing) `path` with `bytes`; a failure is a VY8104 diagnostic.
Status write_file_bytes(const std::string& path, std::span<const std::uint8_t> bytes);

}  // namespace vyre
