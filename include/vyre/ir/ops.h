// The op registry: the math and bit ops a program may call (sqrt, fma, popcount, ...), each
// with its signature and exactness. Lowerings are not kept here: each backend holds its own
// lowering table and answers supported_ops() from it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vyre/ir/types.h"

namespace vyre::ir {

// Which argument types an op accepts. Every op's result has the type of its first argument;
// all arguments share that type.
enum class OpSignature : std::uint8_t {
  FloatUnary,      // f(x) for f32, f64
  FloatBinary,     // f(x, y) for f32, f64
  FloatTernary,    // f(x, y, z) for f32, f64
  NumericUnary,    // f(x) for any integer or float type
  NumericBinary,   // f(x, y) for any integer or float type
  NumericTernary,  // f(x, y, z) for any integer or float type
  IntegerUnary,    // f(x) for i32, u32, i64, u64
};

unsigned arity(OpSignature signature);
bool accepts(OpSignature signature, Type type);
std::string describe(OpSignature signature, std::string_view op_name);  // "sqrt(x: f32|f64) -> x"

struct OpInfo {
  std::uint32_t id = 0;
  std::string name;
  OpSignature signature = OpSignature::FloatUnary;
  // Exact ops are correctly rounded / exact on every backend; inexact ones (transcendentals)
  // are compared within DispatchConfig's ULP budget.
  bool exact = true;
  std::string summary;
};

class OpRegistry {
 public:
  // The process-wide registry, holding the built-in ops of docs/IR.md.
  static OpRegistry& global();

  // Registers an op; returns its id. Registering an existing name returns the existing id if
  // the signature matches, and nullopt otherwise.
  std::optional<std::uint32_t> add(std::string name, OpSignature signature, bool exact,
                                   std::string summary);
  const OpInfo* find(std::string_view name) const;
  const OpInfo* get(std::uint32_t id) const;
  std::vector<OpInfo> all() const;

 private:
  OpRegistry();
  mutable std::shared_mutex mutex_;
  std::deque<OpInfo> ops_;  // deque: pointers from find()/get() stay valid as ops are added
  std::unordered_map<std::string, std::uint32_t> by_name_;
};

}  // namespace vyre::ir
