#include "element_cast.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "vyre/diag/codes.h"

namespace vyre::cli {
namespace {

// x87 long double holds every 64-bit integer exactly, so one type carries any element.
using Wide = long double;

Wide load(const HostBuffer& b, std::size_t i) {
  const std::uint8_t* at = b.data() + i * ir::size_bytes(b.element());
  auto get = [&](auto v) {
    std::memcpy(&v, at, sizeof v);
    return static_cast<Wide>(v);
  };
  switch (b.element()) {
    case ir::Type::Bool:
      return *at != 0 ? 1 : 0;
    case ir::Type::I32:
      return get(std::int32_t{});
    case ir::Type::U32:
      return get(std::uint32_t{});
    case ir::Type::I64:
      return get(std::int64_t{});
    case ir::Type::U64:
      return get(std::uint64_t{});
    case ir::Type::F32:
      return get(float{});
    case ir::Type::F64:
      return get(double{});
    case ir::Type::Unknown:
      break;
  }
  return std::numeric_limits<Wide>::quiet_NaN();
}

template <class T>
bool store_integer(Wide v, std::uint8_t* at) {
  if (!std::isfinite(v)) return false;
  const Wide whole = std::trunc(v);
  if (whole < static_cast<Wide>(std::numeric_limits<T>::min()) ||
      whole > static_cast<Wide>(std::numeric_limits<T>::max())) {
    return false;
  }
  const T value = static_cast<T>(whole);
  std::memcpy(at, &value, sizeof value);
  return true;
}

template <class T>
bool store_float(Wide v, std::uint8_t* at) {
  const T value = static_cast<T>(v);
  if (std::isinf(value) && std::isfinite(v)) return false;  // too large for T
  std::memcpy(at, &value, sizeof value);
  return true;
}

bool store(Wide v, ir::Type to, std::uint8_t* at) {
  switch (to) {
    case ir::Type::Bool:
      *at = v != 0 ? 1 : 0;
      return true;
    case ir::Type::I32:
      return store_integer<std::int32_t>(v, at);
    case ir::Type::U32:
      return store_integer<std::uint32_t>(v, at);
    case ir::Type::I64:
      return store_integer<std::int64_t>(v, at);
    case ir::Type::U64:
      return store_integer<std::uint64_t>(v, at);
    case ir::Type::F32:
      return store_float<float>(v, at);
    case ir::Type::F64:
      return store_float<double>(v, at);
    case ir::Type::Unknown:
      break;
  }
  return false;
}

}  // namespace

Result<HostBuffer> cast_elements(const HostBuffer& from, ir::Type to, std::string_view name) {
  if (from.element() == to) return from;
  HostBuffer out(to, from.count());
  const unsigned size = ir::size_bytes(to);
  for (std::size_t i = 0; i < from.count(); ++i) {
    const Wide v = load(from, i);
    if (!store(v, to, out.data() + i * size)) {
      char value[64];
      std::snprintf(value, sizeof value, "%.17Lg", v);
      return Diagnostic::error(
          code::InputCastFailed,
          "--cast " + std::string(name) + ": element " + std::to_string(i) + " (" + value +
              ") does not fit " + std::string(ir::type_name(to)),
          "convert the data yourself (numpy's clip and astype) or declare the buffer with a "
          "type that holds it");
    }
  }
  return out;
}

}  // namespace vyre::cli
