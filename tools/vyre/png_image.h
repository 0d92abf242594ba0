// Writing a 2-D output as a PNG (libpng): scalar values mapped through the viridis colour map
// from their minimum (dark blue) to their maximum (yellow), so a glance shows the data's shape.
#pragma once

#include <cstdint>
#include <string>

#include "vyre/backend/host_buffer.h"
#include "vyre/diag/result.h"

namespace vyre::cli {

// Writes `buffer` (rows * columns elements, row-major) to `path`; NaN pixels are black.
Status write_png(const std::string& path, const HostBuffer& buffer, std::uint64_t rows,
                 std::uint64_t columns);

}  // namespace vyre::cli
