// NumPy dtypes and Python numbers against vyre's element types: which dtype holds a buffer's
// elements, the scalar a param is given, and host buffers handed to NumPy without a copy.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>
#include <string>

#include "vyre/backend/host_buffer.h"
#include "vyre/ir/types.h"
#include "vyre/runtime/shapes.h"

namespace vyre::python {

// The element type of a native-order NumPy dtype (float32 -> f32, bool -> bool, ...), or
// nullopt for dtypes vyre has no element type for (float16, int8, complex, ...).
std::optional<ir::Type> element_type_of(const pybind11::dtype& dtype);
// The NumPy dtype holding elements of `type`.
pybind11::dtype dtype_of(ir::Type type);
// "float64", as NumPy names a dtype.
std::string dtype_name(const pybind11::dtype& dtype);

// `value` (a Python or NumPy number) as a param of `type`: ints are range-checked, a float is
// refused for an integer param, a bool only for a bool param. InputTypeMismatch (VY4008)
// otherwise, naming the param.
Scalar scalar_of(const pybind11::handle& value, ir::Type type, const std::string& name);

// A NumPy array of `shape` that owns the bytes of `buffer` (moved, not copied).
pybind11::array to_numpy(HostBuffer buffer, const Shape& shape);

// The shape of a NumPy array.
Shape shape_of(const pybind11::array& array);

}  // namespace vyre::python
