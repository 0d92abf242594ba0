#include "shadow.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "vyre/diag/codes.h"
#include "vyre/ir/hash.h"
#include "vyre/ir/ops.h"

namespace vyre {
namespace {

bool calls_inexact_op(const ir::Expr& e) {
  if (e.kind == ir::ExprKind::Call) {
    const ir::OpInfo* op = ir::OpRegistry::global().get(e.ref);
    if (op == nullptr || !op->exact) return true;
  }
  for (const auto& arg : e.args) {
    if (calls_inexact_op(*arg)) return true;
  }
  return false;
}

bool calls_inexact_op(const std::vector<ir::Stmt>& block) {
  for (const ir::Stmt& s : block) {
    for (const auto& e : s.exprs) {
      if (calls_inexact_op(*e)) return true;
    }
    if (calls_inexact_op(s.body) || calls_inexact_op(s.orelse)) return true;
  }
  return false;
}

template <class Bits>
Bits ordered(Bits bits) {
  constexpr Bits sign = Bits(1) << (sizeof(Bits) * 8 - 1);
  return (bits & sign) ? Bits(~bits) : Bits(bits | sign);
}

// Equal bits, or both NaN, or (when `ulp` > 0) within `ulp` units in the last place.
template <class F, class Bits>
bool float_agrees(const std::uint8_t* a, const std::uint8_t* b, std::uint32_t ulp) {
  F x, y;
  std::memcpy(&x, a, sizeof(F));
  std::memcpy(&y, b, sizeof(F));
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  Bits p = ordered(std::bit_cast<Bits>(x));
  Bits q = ordered(std::bit_cast<Bits>(y));
  return (p > q ? p - q : q - p) <= ulp;
}

bool element_agrees(ir::Type type, const std::uint8_t* a, const std::uint8_t* b,
                    std::uint32_t ulp) {
  switch (type) {
    case ir::Type::F32:
      return float_agrees<float, std::uint32_t>(a, b, ulp);
    case ir::Type::F64:
      return float_agrees<double, std::uint64_t>(a, b, ulp);
    case ir::Type::Bool:
      return (*a != 0) == (*b != 0);
    default:
      return std::memcmp(a, b, ir::size_bytes(type)) == 0;
  }
}

std::string element_text(ir::Type type, const std::uint8_t* p) {
  auto read = [p](auto value) {
    std::memcpy(&value, p, sizeof(value));
    return value;
  };
  switch (type) {
    case ir::Type::Bool:
      return *p ? "true" : "false";
    case ir::Type::I32:
      return fmt::format("{}", read(std::int32_t{}));
    case ir::Type::U32:
      return fmt::format("{}", read(std::uint32_t{}));
    case ir::Type::I64:
      return fmt::format("{}", read(std::int64_t{}));
    case ir::Type::U64:
      return fmt::format("{}", read(std::uint64_t{}));
    case ir::Type::F32: {
      float v = read(float{});
      return fmt::format("{} (bits 0x{:08x})", v, std::bit_cast<std::uint32_t>(v));
    }
    case ir::Type::F64: {
      double v = read(double{});
      return fmt::format("{} (bits 0x{:016x})", v, std::bit_cast<std::uint64_t>(v));
    }
    case ir::Type::Unknown:
      break;
  }
  return "?";
}

}  // namespace

bool shadow_sampled(double fraction, std::uint64_t k) {
  if (!(fraction > 0)) return false;  // also false for NaN
  if (fraction >= 1) return true;
  auto slot = [fraction](std::uint64_t n) {
    return static_cast<std::uint64_t>(std::floor(static_cast<double>(n) * fraction));
  };
  return slot(k + 1) > slot(k);
}

Status check_against_reference(ShadowRun& shadow, const ir::Program& program,
                               const Bindings& actual, const LaunchGeometry& geometry,
                               const DispatchConfig& config, std::string_view backend_id) {
  VYRE_TRY(shadow.reference->dispatch(*shadow.pipeline, shadow.inputs, geometry, config));
  const std::uint32_t ulp = calls_inexact_op(program->body) ? config.ulp_budget : std::uint32_t{0};
  const auto& decls = program->buffers;
  for (std::size_t b = 0; b < decls.size(); ++b) {
    if (!ir::can_write(decls[b].access)) continue;
    const HostBuffer& want = shadow.inputs.buffers[b];
    const HostBuffer& got = actual.buffers[b];
    const ir::Type type = decls[b].element;
    const std::size_t width = ir::size_bytes(type);
    const std::size_t count = std::min(want.count(), got.count());
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint8_t* w = want.data() + i * width;
      const std::uint8_t* g = got.data() + i * width;
      if (element_agrees(type, w, g, ulp)) continue;
      return Diagnostic::error(
                 code::ShadowMismatch,
                 fmt::format("backend `{}` disagrees with the reference backend on kernel `{}` "
                             "(program {}): `{}`[{}] is {} on {} but {} on reference",
                             backend_id, program->name, to_hex(program.digest()), decls[b].name, i,
                             element_text(type, g), backend_id, element_text(type, w)),
                 fmt::format("the `{}` backend miscomputed this program: compare `vyre run "
                             "--backend {}` with `--backend reference` on the same inputs, "
                             "report it, and restrict allowed_backends until it is fixed",
                             backend_id, backend_id))
          .in(fmt::format("kernel {} > buffer {} > element {}", program->name, decls[b].name, i));
    }
  }
  return Ok{};
}

}  // namespace vyre
