// The op lowerings of the C-family generator, one table per dialect that the backends hold. A
// lowering is a template: {0} {1} {2} are the arguments, {T} the type suffix ("f32", "u64"),
// {f} an "f" for f32 (C libm naming). Names vy_<op>_{T} are prelude helpers (helpers.cpp) the
// emitter defines on use; the rest are the dialect's own builtins.
#include <array>
#include <string_view>

#include "vyre/backends/c_emitter.h"
#include "vyre/ir/ops.h"

namespace vyre::codegen {
namespace {

struct Lowering {
  std::string_view op;
  std::string_view opencl;
  std::string_view cuda;
};

// Exact ops map to correctly rounded builtins (OpenCL's are overloaded; CUDA's take the libm
// name with an f for f32). Transcendentals go through helpers that honour the ULP budget.
// OpenCL's floor/ceil/trunc/round go through helpers that pass NaN through (see helpers.cpp).
constexpr std::array kLowerings = {
    Lowering{"sqrt", "sqrt({0})", "sqrt{f}({0})"},
    Lowering{"exp", "vy_exp_{T}({0})", "vy_exp_{T}({0})"},
    Lowering{"exp2", "vy_exp2_{T}({0})", "vy_exp2_{T}({0})"},
    Lowering{"log", "vy_log_{T}({0})", "vy_log_{T}({0})"},
    Lowering{"log2", "vy_log2_{T}({0})", "vy_log2_{T}({0})"},
    Lowering{"sin", "vy_sin_{T}({0})", "vy_sin_{T}({0})"},
    Lowering{"cos", "vy_cos_{T}({0})", "vy_cos_{T}({0})"},
    Lowering{"tan", "vy_tan_{T}({0})", "vy_tan_{T}({0})"},
    Lowering{"pow", "vy_pow_{T}({0}, {1})", "vy_pow_{T}({0}, {1})"},
    Lowering{"fma", "fma({0}, {1}, {2})", "fma{f}({0}, {1}, {2})"},
    Lowering{"floor", "vy_floor_{T}({0})", "floor{f}({0})"},
    Lowering{"ceil", "vy_ceil_{T}({0})", "ceil{f}({0})"},
    Lowering{"trunc", "vy_trunc_{T}({0})", "trunc{f}({0})"},
    Lowering{"round", "vy_round_{T}({0})", "round{f}({0})"},  // C round: ties away from zero
    Lowering{"abs", "vy_abs_{T}({0})", "vy_abs_{T}({0})"},
    Lowering{"min", "vy_min_{T}({0}, {1})", "vy_min_{T}({0}, {1})"},
    Lowering{"max", "vy_max_{T}({0}, {1})", "vy_max_{T}({0}, {1})"},
    Lowering{"clamp", "vy_clamp_{T}({0}, {1}, {2})", "vy_clamp_{T}({0}, {1}, {2})"},
    Lowering{"popcount", "popcount({0})", "vy_popcount_{T}({0})"},
    Lowering{"clz", "clz({0})", "vy_clz_{T}({0})"},
    Lowering{"ctz", "vy_ctz_{T}({0})", "vy_ctz_{T}({0})"},
};

}  // namespace

const LoweringTable& c_lowerings(Dialect dialect) {
  static const auto build = [](Dialect d) {
    LoweringTable table;
    for (const Lowering& l : kLowerings) {
      table.emplace(std::string(l.op), std::string(d == Dialect::Cuda ? l.cuda : l.opencl));
    }
    return table;
  };
  static const LoweringTable opencl = build(Dialect::OpenCL);
  static const LoweringTable cuda = build(Dialect::Cuda);
  return dialect == Dialect::Cuda ? cuda : opencl;
}

std::vector<std::string> lowered_ops(const LoweringTable& table) {
  std::vector<std::string> out;
  for (const ir::OpInfo& op : ir::OpRegistry::global().all()) {
    if (table.find(op.name) != table.end()) out.push_back(op.name);
  }
  return out;
}

}  // namespace vyre::codegen
