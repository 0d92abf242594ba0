#include "math_ops.h"

#include <array>
#include <span>

namespace vyre::reference {
namespace {

struct Named {
  std::string_view name;
  MathOp op;
};

constexpr std::array kOps = {
    Named{"sqrt", MathOp::Sqrt},         Named{"exp", MathOp::Exp},
    Named{"exp2", MathOp::Exp2},         Named{"log", MathOp::Log},
    Named{"log2", MathOp::Log2},         Named{"sin", MathOp::Sin},
    Named{"cos", MathOp::Cos},           Named{"tan", MathOp::Tan},
    Named{"pow", MathOp::Pow},           Named{"fma", MathOp::Fma},
    Named{"floor", MathOp::Floor},       Named{"ceil", MathOp::Ceil},
    Named{"trunc", MathOp::Trunc},       Named{"round", MathOp::Round},
    Named{"abs", MathOp::Abs},           Named{"min", MathOp::Min},
    Named{"max", MathOp::Max},           Named{"clamp", MathOp::Clamp},
    Named{"popcount", MathOp::Popcount}, Named{"clz", MathOp::Clz},
    Named{"ctz", MathOp::Ctz},
};

constexpr std::array<std::string_view, kOps.size()> names() {
  std::array<std::string_view, kOps.size()> out{};
  for (std::size_t i = 0; i < kOps.size(); ++i) out[i] = kOps[i].name;
  return out;
}
constexpr auto kNames = names();

}  // namespace

std::optional<MathOp> math_op_by_name(std::string_view name) {
  for (const Named& n : kOps) {
    if (n.name == name) return n.op;
  }
  return std::nullopt;
}

std::span<const std::string_view> math_op_names() {
  return kNames;
}

}  // namespace vyre::reference
