// Input and output files of `vyre run` and `vyre fuzz`, chosen by extension: .npy (NumPy, shape
// kept; vyre/runtime/npy.h), .png (outputs only: a 2-D image, png_image.h), anything else raw
// little-endian elements of the buffer's declared type.
#pragma once

#include <string>

#include "vyre/diag/result.h"
#include "vyre/runtime/npy.h"
#include "vyre/runtime/shapes.h"

namespace vyre::cli {

bool is_png_path(const std::string& path);

// A .npy array with its shape, or a raw file as a 1-D array of `raw_type`.
Result<NpyArray> read_data_file(const std::string& path, ir::Type raw_type);
// .npy with the array's shape; .png when the shape has two dimensions (rows, columns); raw else.
Status write_data_file(const std::string& path, const NpyArray& array);

}  // namespace vyre::cli
