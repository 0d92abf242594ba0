#include "data_file.h"

#include <cstdio>

#include "png_image.h"
#include "source_file.h"
#include "vyre/diag/codes.h"

namespace vyre::cli {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool is_png_path(const std::string& path) {
  return ends_with(path, ".png") || ends_with(path, ".PNG");
}

Result<NpyArray> read_data_file(const std::string& path, ir::Type raw_type) {
  if (ends_with(path, ".npy")) return read_npy_file(path);
  auto bytes = VYRE_TRY(read_file_bytes(path, "an input file (.npy or raw)"));
  const std::size_t element = ir::size_bytes(raw_type);
  if (bytes.size() % element != 0) {
    return Diagnostic::error(code::BadDataFile,
                             "`" + path + "` has " + std::to_string(bytes.size()) +
                                 " bytes, not a whole number of " +
                                 std::string(ir::type_name(raw_type)) + " elements",
                             "raw files hold little-endian elements of the buffer's declared "
                             "type; use .npy to carry the type with the data");
  }
  NpyArray array{HostBuffer(raw_type, std::move(bytes)), {}};
  array.shape = {array.buffer.count()};
  return array;
}

Status write_data_file(const std::string& path, const NpyArray& array) {
  if (ends_with(path, ".npy")) return write_npy_file(path, array);
  if (is_png_path(path)) {
    if (array.shape.size() != 2) {
      return Diagnostic::error(code::CannotWriteImage,
                               "cannot write `" + path + "`: the output has shape " +
                                   shape_text(array.shape) + ", not two dimensions",
                               "images need a buffer declared as a product of two sizes, rows "
                               "first (u32[h*w]); write .npy instead");
    }
    return write_png(path, array.buffer, array.shape[0], array.shape[1]);
  }
  return write_file_bytes(path, array.buffer.bytes());
}

}  // namespace vyre::cli
