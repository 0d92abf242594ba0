// NumPy .npy files (format versions 1.0, 2.0 and 3.0) and raw binary files as typed host
// buffers, for `vyre run`'s inputs and outputs. Arrays are read flattened in C order; only
// little-endian dtypes vyre has element types for are accepted: <f4 <f8 <i4 <u4 <i8 <u8 |b1.
// A malformed file is a diagnostic, never a crash.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/backend/host_buffer.h"
#include "vyre/diag/result.h"

namespace vyre::cli {

// The dtype string for an element type ("<f4", "|b1").
std::string_view npy_dtype(ir::Type type);

// Decodes the bytes of a .npy file; `name` is used in diagnostics.
Result<HostBuffer> parse_npy(std::span<const std::uint8_t> bytes, std::string_view name);
// A 1-D .npy (version 1.0, or 2.0 when the header needs it) holding the buffer.
std::vector<std::uint8_t> encode_npy(const HostBuffer& buffer);

// By extension: .npy is NumPy, anything else raw little-endian elements of `raw_type`.
Result<HostBuffer> read_data_file(const std::string& path, ir::Type raw_type);
Status write_data_file(const std::string& path, const HostBuffer& buffer);

}  // namespace vyre::cli
