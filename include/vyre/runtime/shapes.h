// Shapes of n-d arrays against a program's buffers. A buffer's declared count is read as its
// shape in C order: `f32[m*k]` is (m, k), `u32[h*w]` is (h, w), `f32[4*n]` is (4, n), `f32[n]`
// is (n). Multi-dimensional inputs (.npy arrays, say) bind the symbols of their buffer from their
// shape, so matmul's a.npy (m, k) and b.npy (k, n) need no --size; outputs take their shape from
// the resolved sizes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre {

using Shape = std::vector<std::uint64_t>;

// `explicit_sizes` plus every symbol an input of two or more dimensions binds: an input whose
// rank equals the number of dimensions its buffer declares gives each symbol its dimension (and
// must match the constant dimension, if any). Inputs of other ranks bind nothing (they are read
// flat, as runtime::infer_sizes does). A symbol given two different values (by --size or by two
// inputs) is a ShapeMismatch (VY8205) naming both; an unknown buffer name is ignored here.
Result<std::map<std::string, std::uint64_t>> sizes_from_shapes(
    const ir::Program& program, const std::map<std::string, Shape>& input_shapes,
    const std::map<std::string, std::uint64_t>& explicit_sizes);

// The shape `count` declares under `sizes`, or an empty shape when a symbol is unresolved.
Shape declared_shape(const ir::SizeExpr& count, const std::map<std::string, std::uint64_t>& sizes);

// "(3, 4)", as numpy prints a shape ("(5,)" for one dimension).
std::string shape_text(const Shape& shape);

}  // namespace vyre
