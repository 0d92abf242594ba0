// The prelude's helper functions: each makes one piece of IR semantics explicit in generated
// code (wrapping arithmetic, masked shifts, total division, robust loads/stores/atomics,
// saturating float->int conversion, overflow-free loop steps, exact min/max, ...). A helper is
// generated on first use, after the helpers it calls, so the prelude holds only what the kernel
// needs, in an order that compiles.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/backends/c_emitter.h"
#include "vyre/ir/ast.h"

namespace vyre::codegen::detail {

class HelperSet {
 public:
  HelperSet(Dialect dialect, std::uint32_t ulp_budget, bool fp64);

  // Each returns the helper's name, defining it (and what it calls) on first use.
  std::string arith(std::string_view op, ir::Type type);  // add sub mul neg div rem shl shr
  std::string float_to_int(ir::Type from, ir::Type to);
  std::string load(ir::MemorySpace space, ir::Type type);
  std::string store(ir::MemorySpace space, ir::Type type);
  std::string atomic(ir::AtomicOp op, ir::MemorySpace space, ir::Type type);
  std::string for_next(ir::Type type);
  std::string select(ir::Type type);
  std::string len32();  // len(): a 64-bit element count read as u32, saturating
  // Math helpers named by op lowerings ("vy_exp_f32"); nullopt-like empty string if unknown.
  std::string math(std::string_view op, ir::Type type);
  // Defines every math helper named in `text` (an instantiated op lowering).
  void define_referenced(std::string_view text);

  const std::vector<std::string>& definitions() const { return definitions_; }
  // True when some helper computes in f64 (OpenCL then needs cl_khr_fp64).
  bool uses_f64() const { return uses_f64_; }

 private:
  bool begin(const std::string& name);  // false when already defined
  void finish(std::string definition);
  std::string signature(std::string_view result, const std::string& name,
                        std::string_view params) const;
  std::string space_tag(ir::MemorySpace space) const;
  std::string pointer(ir::MemorySpace space, ir::Type type, bool writable) const;
  std::string as_bits(ir::Type type, std::string_view value) const;
  std::string libm(std::string_view fn, ir::Type type) const;
  std::string transcendental(std::string_view op, ir::Type type, const std::string& name);

  Dialect dialect_;
  std::uint32_t ulp_budget_;
  bool fp64_;
  bool uses_f64_ = false;
  std::set<std::string> defined_;
  std::vector<std::string> definitions_;
};

}  // namespace vyre::codegen::detail
