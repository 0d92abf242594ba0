#include "vyre/ir/ops.h"

#include <algorithm>
#include <mutex>

namespace vyre::ir {

unsigned arity(OpSignature signature) {
  switch (signature) {
    case OpSignature::FloatUnary:
    case OpSignature::NumericUnary:
    case OpSignature::IntegerUnary:
      return 1;
    case OpSignature::FloatBinary:
    case OpSignature::NumericBinary:
      return 2;
    case OpSignature::FloatTernary:
    case OpSignature::NumericTernary:
      return 3;
  }
  return 1;
}

bool accepts(OpSignature signature, Type type) {
  switch (signature) {
    case OpSignature::FloatUnary:
    case OpSignature::FloatBinary:
    case OpSignature::FloatTernary:
      return is_float(type);
    case OpSignature::NumericUnary:
    case OpSignature::NumericBinary:
    case OpSignature::NumericTernary:
      return is_numeric(type);
    case OpSignature::IntegerUnary:
      return is_integer(type);
  }
  return false;
}

std::string describe(OpSignature signature, std::string_view op_name) {
  std::string types;
  switch (signature) {
    case OpSignature::FloatUnary:
    case OpSignature::FloatBinary:
    case OpSignature::FloatTernary:
      types = "f32|f64";
      break;
    case OpSignature::NumericUnary:
    case OpSignature::NumericBinary:
    case OpSignature::NumericTernary:
      types = "i32|u32|i64|u64|f32|f64";
      break;
    case OpSignature::IntegerUnary:
      types = "i32|u32|i64|u64";
      break;
  }
  static constexpr const char* kNames[] = {"x", "y", "z"};
  std::string out(op_name);
  out += '(';
  for (unsigned i = 0; i < arity(signature); ++i) {
    if (i != 0) out += ", ";
    out += kNames[i];
    out += i == 0 ? ": " + types : ": same";
  }
  out += ") -> same type as x";
  return out;
}

OpRegistry::OpRegistry() {
  struct Builtin {
    const char* name;
    OpSignature signature;
    bool exact;
    const char* summary;
  };
  using S = OpSignature;
  static constexpr Builtin kBuiltins[] = {
      {"sqrt", S::FloatUnary, true, "square root, correctly rounded"},
      {"exp", S::FloatUnary, false, "e raised to x"},
      {"exp2", S::FloatUnary, false, "2 raised to x"},
      {"log", S::FloatUnary, false, "natural logarithm"},
      {"log2", S::FloatUnary, false, "base-2 logarithm"},
      {"sin", S::FloatUnary, false, "sine (radians)"},
      {"cos", S::FloatUnary, false, "cosine (radians)"},
      {"tan", S::FloatUnary, false, "tangent (radians)"},
      {"pow", S::FloatBinary, false, "x raised to y"},
      {"fma", S::FloatTernary, true, "x * y + z with a single rounding"},
      {"floor", S::FloatUnary, true, "largest integer value not greater than x"},
      {"ceil", S::FloatUnary, true, "smallest integer value not less than x"},
      {"trunc", S::FloatUnary, true, "x rounded toward zero"},
      {"round", S::FloatUnary, true, "x rounded to nearest, ties away from zero"},
      {"abs", S::NumericUnary, true,
       "absolute value; wraps for the most negative integer; identity on unsigned"},
      {"min", S::NumericBinary, true, "smaller of x and y (floats: IEEE minNum, NaN loses)"},
      {"max", S::NumericBinary, true, "larger of x and y (floats: IEEE maxNum, NaN loses)"},
      {"clamp", S::NumericTernary, true, "min(max(x, y), z)"},
      {"popcount", S::IntegerUnary, true, "number of set bits"},
      {"clz", S::IntegerUnary, true, "leading zero bits (bit width for 0)"},
      {"ctz", S::IntegerUnary, true, "trailing zero bits (bit width for 0)"},
  };
  for (const Builtin& op : kBuiltins) {
    OpInfo info;
    info.id = static_cast<std::uint32_t>(ops_.size());
    info.name = op.name;
    info.signature = op.signature;
    info.exact = op.exact;
    info.summary = op.summary;
    by_name_.emplace(info.name, info.id);
    ops_.push_back(std::move(info));
  }
}

OpRegistry& OpRegistry::global() {
  static OpRegistry registry;
  return registry;
}

std::optional<std::uint32_t> OpRegistry::add(std::string name, OpSignature signature, bool exact,
                                             std::string summary) {
  std::unique_lock lock(mutex_);
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    if (ops_[it->second].signature != signature) return std::nullopt;
    return it->second;
  }
  OpInfo info;
  info.id = static_cast<std::uint32_t>(ops_.size());
  info.name = std::move(name);
  info.signature = signature;
  info.exact = exact;
  info.summary = std::move(summary);
  by_name_.emplace(info.name, info.id);
  ops_.push_back(std::move(info));
  return ops_.back().id;
}

const OpInfo* OpRegistry::find(std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &ops_[it->second];
}

const OpInfo* OpRegistry::get(std::uint32_t id) const {
  std::shared_lock lock(mutex_);
  return id < ops_.size() ? &ops_[id] : nullptr;
}

std::vector<OpInfo> OpRegistry::all() const {
  std::shared_lock lock(mutex_);
  return {ops_.begin(), ops_.end()};
}

}  // namespace vyre::ir
