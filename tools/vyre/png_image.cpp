#include "png_image.h"

#include <png.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "vyre/diag/codes.h"

namespace vyre::cli {
namespace {

// Viridis (matplotlib's default colour map) at nine evenly spaced stops, interpolated linearly.
constexpr std::array<std::array<double, 3>, 9> kViridis = {{{68, 1, 84},
                                                            {71, 44, 122},
                                                            {59, 81, 139},
                                                            {44, 113, 142},
                                                            {33, 144, 141},
                                                            {39, 173, 129},
                                                            {92, 200, 99},
                                                            {170, 220, 50},
                                                            {253, 231, 37}}};

std::array<std::uint8_t, 3> colour(double t) {
  t = std::clamp(t, 0.0, 1.0) * (kViridis.size() - 1);
  const std::size_t low = std::min(static_cast<std::size_t>(t), kViridis.size() - 2);
  const double f = t - static_cast<double>(low);
  std::array<std::uint8_t, 3> rgb{};
  for (std::size_t c = 0; c < 3; ++c) {
    rgb[c] = static_cast<std::uint8_t>(
        std::lround(kViridis[low][c] + f * (kViridis[low + 1][c] - kViridis[low][c])));
  }
  return rgb;
}

double value_at(const HostBuffer& b, std::size_t i) {
  const std::uint8_t* at = b.data() + i * ir::size_bytes(b.element());
  auto load = [&](auto v) {
    std::memcpy(&v, at, sizeof v);
    return static_cast<double>(v);
  };
  switch (b.element()) {
    case ir::Type::Bool:
      return *at != 0 ? 1.0 : 0.0;
    case ir::Type::I32:
      return load(std::int32_t{});
    case ir::Type::U32:
      return load(std::uint32_t{});
    case ir::Type::I64:
      return load(std::int64_t{});
    case ir::Type::U64:
      return load(std::uint64_t{});
    case ir::Type::F32:
      return load(float{});
    case ir::Type::F64:
      return load(double{});
    case ir::Type::Unknown:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

Diagnostic cannot_write(const std::string& path, const std::string& why) {
  return Diagnostic::error(code::CannotWriteImage, "cannot write `" + path + "`: " + why,
                           "check that the folder exists and is writable, or write .npy");
}

}  // namespace

Status write_png(const std::string& path, const HostBuffer& buffer, std::uint64_t rows,
                 std::uint64_t columns) {
  constexpr std::uint64_t kMaxSide = 1u << 20;  // far beyond any screen; bounds the row buffer
  if (rows == 0 || columns == 0 || rows > kMaxSide || columns > kMaxSide ||
      rows * columns != buffer.count()) {
    return cannot_write(path, "a " + std::to_string(rows) + " x " + std::to_string(columns) +
                                  " image cannot show " + std::to_string(buffer.count()) +
                                  " values");
  }
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  for (std::size_t i = 0; i < buffer.count(); ++i) {
    const double v = value_at(buffer, i);
    if (std::isnan(v)) continue;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  const double span = high > low ? high - low : 1.0;

  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return cannot_write(path, "cannot create the file");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (png == nullptr || info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    std::fclose(file);
    return cannot_write(path, "libpng could not start");
  }
  std::vector<png_byte> row(columns * 3);
  // libpng reports errors by longjmp; nothing with a destructor is created after this point.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    std::remove(path.c_str());
    return cannot_write(path, "libpng failed while writing");
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, static_cast<png_uint_32>(columns), static_cast<png_uint_32>(rows), 8,
               PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (std::uint64_t y = 0; y < rows; ++y) {
    for (std::uint64_t x = 0; x < columns; ++x) {
      const double v = value_at(buffer, y * columns + x);
      const std::array<std::uint8_t, 3> rgb =
          std::isnan(v) ? std::array<std::uint8_t, 3>{0, 0, 0} : colour((v - low) / span);
      std::copy(rgb.begin(), rgb.end(), row.begin() + static_cast<std::ptrdiff_t>(x * 3));
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  if (std::fclose(file) != 0) return cannot_write(path, "the disk refused the data");
  return Ok{};
}

}  // namespace vyre::cli
