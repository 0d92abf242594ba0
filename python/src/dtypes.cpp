#include "dtypes.h"

#include <cmath>
#include <limits>

#include "errors.h"
#include "vyre/diag/codes.h"

namespace py = pybind11;

namespace vyre::python {

std::optional<ir::Type> element_type_of(const py::dtype& dtype) {
  if (!dtype.attr("isnative").cast<bool>()) return std::nullopt;
  const char kind = dtype.kind();
  const auto size = dtype.itemsize();
  if (kind == 'b' && size == 1) return ir::Type::Bool;
  if (kind == 'f' && size == 4) return ir::Type::F32;
  if (kind == 'f' && size == 8) return ir::Type::F64;
  if (kind == 'i' && size == 4) return ir::Type::I32;
  if (kind == 'i' && size == 8) return ir::Type::I64;
  if (kind == 'u' && size == 4) return ir::Type::U32;
  if (kind == 'u' && size == 8) return ir::Type::U64;
  return std::nullopt;
}

py::dtype dtype_of(ir::Type type) {
  switch (type) {
    case ir::Type::Bool:
      return py::dtype("bool");
    case ir::Type::F32:
      return py::dtype("float32");
    case ir::Type::F64:
      return py::dtype("float64");
    case ir::Type::I32:
      return py::dtype("int32");
    case ir::Type::I64:
      return py::dtype("int64");
    case ir::Type::U32:
      return py::dtype("uint32");
    case ir::Type::U64:
      return py::dtype("uint64");
    case ir::Type::Unknown:
      break;
  }
  return py::dtype("uint8");
}

std::string dtype_name(const py::dtype& dtype) {
  return py::str(dtype.attr("name")).cast<std::string>();
}

namespace {

std::string numpy_name(ir::Type type) {
  return dtype_name(dtype_of(type));
}

[[noreturn]] void wrong_scalar(const py::handle& value, ir::Type type, const std::string& name,
                               const std::string& why) {
  const std::string given = py::str(py::type::of(value).attr("__name__")).cast<std::string>();
  raise_error(argument_error(code::InputTypeMismatch,
                             "param `" + name + "` is declared " +
                                 std::string(ir::type_name(type)) + " but " + given + " " +
                                 py::repr(value).cast<std::string>() + " was given" + why,
                             "pass a " + std::string(ir::type_name(type)) + " value (a Python " +
                                 (ir::is_float(type)       ? std::string("float or int")
                                  : type == ir::Type::Bool ? std::string("bool")
                                                           : std::string("int")) +
                                 ", or numpy." + numpy_name(type) + ")"));
}

bool is_bool(const py::handle& value) {
  return PyBool_Check(value.ptr()) ||
         py::isinstance(value, py::module_::import("numpy").attr("bool_"));
}

}  // namespace

Scalar scalar_of(const py::handle& value, ir::Type type, const std::string& name) {
  if (py::isinstance<py::array>(value) || py::isinstance<py::str>(value) ||
      py::isinstance<py::bytes>(value)) {
    wrong_scalar(value, type, name, ": a param takes one number");
  }
  const bool boolean = is_bool(value);
  if (type == ir::Type::Bool) {
    if (!boolean) wrong_scalar(value, type, name, "");
    return Scalar::boolean(py::cast<bool>(value));
  }
  if (boolean) wrong_scalar(value, type, name, "");
  if (ir::is_float(type)) {
    if (!PyFloat_Check(value.ptr()) && !PyIndex_Check(value.ptr()) &&
        !py::hasattr(value, "__float__")) {
      wrong_scalar(value, type, name, "");
    }
    const double v = py::cast<double>(py::float_(py::reinterpret_borrow<py::object>(value)));
    return type == ir::Type::F32 ? Scalar::f32(static_cast<float>(v)) : Scalar::f64(v);
  }
  if (!PyIndex_Check(value.ptr())) wrong_scalar(value, type, name, " (no implicit conversion)");
  py::int_ integer = py::reinterpret_steal<py::int_>(PyNumber_Index(value.ptr()));
  int overflow = 0;
  const long long as_signed = PyLong_AsLongLongAndOverflow(integer.ptr(), &overflow);
  auto out_of_range = [&] { wrong_scalar(value, type, name, ": out of range"); };
  switch (type) {
    case ir::Type::I32:
      if (overflow || as_signed < std::numeric_limits<std::int32_t>::min() ||
          as_signed > std::numeric_limits<std::int32_t>::max()) {
        out_of_range();
      }
      return Scalar::i32(static_cast<std::int32_t>(as_signed));
    case ir::Type::I64:
      if (overflow) out_of_range();
      return Scalar::i64(as_signed);
    case ir::Type::U32:
    case ir::Type::U64: {
      if (overflow < 0 || (!overflow && as_signed < 0)) out_of_range();
      const unsigned long long v = PyLong_AsUnsignedLongLong(integer.ptr());
      if (PyErr_Occurred()) {
        PyErr_Clear();
        out_of_range();
      }
      if (type == ir::Type::U32) {
        if (v > std::numeric_limits<std::uint32_t>::max()) out_of_range();
        return Scalar::u32(static_cast<std::uint32_t>(v));
      }
      return Scalar::u64(v);
    }
    default:
      break;
  }
  wrong_scalar(value, type, name, "");
}

py::array to_numpy(HostBuffer buffer, const Shape& shape) {
  auto* owned = new HostBuffer(std::move(buffer));
  py::capsule owner(owned, [](void* p) { delete static_cast<HostBuffer*>(p); });
  std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  if (dims.empty()) dims.push_back(static_cast<py::ssize_t>(owned->count()));
  return py::array(dtype_of(owned->element()), dims, owned->data(), owner);
}

Shape shape_of(const py::array& array) {
  Shape shape;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) shape.push_back(array.shape(d));
  return shape;
}

}  // namespace vyre::python
