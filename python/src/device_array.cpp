#include "device_array.h"

#include <numeric>

#include "dlpack_exchange.h"
#include "dtypes.h"
#include "errors.h"
#include "runtime_access.h"
#include "vyre/backend/stream.h"
#include "vyre/diag/codes.h"

namespace py = pybind11;

namespace vyre::python {
namespace {

std::uint64_t product(const Shape& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::uint64_t{1},
                         std::multiplies<std::uint64_t>());
}

ir::Type element_or_raise(const py::dtype& dtype, const std::string& what) {
  auto type = element_type_of(dtype);
  if (!type) {
    raise_error(argument_error(
        code::InputTypeMismatch,
        what + " has dtype " + dtype_name(dtype) + ", which vyre has no element type for",
        "vyre buffers hold bool, int32, uint32, int64, uint64, float32 or float64 (native byte "
        "order); convert with .astype(...)"));
  }
  return *type;
}

Shape shape_from(const py::object& shape) {
  Shape out;
  if (PyIndex_Check(shape.ptr())) {
    out.push_back(shape.cast<std::uint64_t>());
  } else {
    for (const auto& d : shape) out.push_back(d.cast<std::uint64_t>());
  }
  return out;
}

DeviceArray allocate(const py::object& shape, const py::object& dtype, const std::string& device,
                     bool zeroed) {
  const Device& dev = device_for(device);
  DeviceArray out;
  out.shape = shape_from(shape);
  const ir::Type type = element_or_raise(py::dtype::from_args(dtype), "vyre.empty/zeros");
  out.buffer = unwrap(released([&] {
    return zeroed ? dev.allocate_zeroed(type, product(out.shape))
                  : dev.allocate(type, product(out.shape));
  }));
  return out;
}

std::string shape_repr(const Shape& shape) {
  return shape_text(shape);
}

}  // namespace

py::array DeviceArray::numpy() const {
  // After the default stream's work, which reports a capped loop of a resident launch (VY2103).
  const Stream stream = unwrap(buffer.device().default_stream());
  unwrap(released([&] { return stream.synchronize(); }));
  py::array out(dtype_of(buffer.element()), std::vector<py::ssize_t>(shape.begin(), shape.end()));
  auto* data = static_cast<std::uint8_t*>(out.mutable_data());
  const std::size_t bytes = buffer.size_bytes();
  unwrap(released([&] { return buffer.download_into(std::span<std::uint8_t>(data, bytes)); }));
  return out;
}

DeviceArray upload_array(const py::array& given, const Device& device, const std::string& what) {
  const ir::Type type = element_or_raise(given.dtype(), what);
  py::array array = py::module_::import("numpy").attr("ascontiguousarray")(given);
  DeviceArray out;
  out.shape = shape_of(array);
  const auto* data = static_cast<const std::uint8_t*>(array.data());
  const std::size_t bytes = static_cast<std::size_t>(array.nbytes());
  out.buffer = unwrap(released([&] { return device.allocate(type, product(out.shape)); }));
  unwrap(released([&] { return out.buffer.upload(std::span<const std::uint8_t>(data, bytes)); }));
  return out;
}

void bind_device_array(py::module_& m) {
  py::class_<DeviceArray>(m, "Array", R"(An array resident on one device.

Kernel calls that receive Arrays run on their device and leave every result there: no copy to
or from the host happens until .numpy() (or DLPack export) asks for one. Made by vyre.asarray,
vyre.empty, vyre.zeros, vyre.from_dlpack and by kernel calls.)")
      .def_property_readonly(
          "shape",
          [](const DeviceArray& a) {
            py::tuple t(a.shape.size());
            for (std::size_t i = 0; i < a.shape.size(); ++i) t[i] = a.shape[i];
            return t;
          },
          "The array's shape (C order).")
      .def_property_readonly(
          "dtype", [](const DeviceArray& a) { return dtype_of(a.buffer.element()); },
          "The NumPy dtype of the elements.")
      .def_property_readonly(
          "size", [](const DeviceArray& a) { return a.buffer.count(); }, "Number of elements.")
      .def_property_readonly(
          "nbytes", [](const DeviceArray& a) { return a.buffer.size_bytes(); }, "Size in bytes.")
      .def_property_readonly(
          "ndim", [](const DeviceArray& a) { return a.shape.size(); }, "Number of dimensions.")
      .def_property_readonly(
          "device", [](const DeviceArray& a) { return a.buffer.device(); },
          "The vyre.Device holding the memory.")
      .def("numpy", &DeviceArray::numpy,
           "A copy of the contents as a NumPy array, after the work queued on the device's "
           "default stream (work on other streams: synchronize them first).")
      .def(
          "__array__",
          [](const DeviceArray& a, py::object dtype, py::object /*copy*/) {
            py::array out = a.numpy();
            if (!dtype.is_none()) return py::array(out.attr("astype")(dtype));
            return out;
          },
          py::arg("dtype") = py::none(), py::arg("copy") = py::none())
      .def(
          "reshape",
          [](const DeviceArray& a, py::args args) {
            py::object spec = args.size() == 1 ? py::object(args[0]) : py::object(args);
            Shape shape = shape_from(spec);
            if (product(shape) != a.buffer.count()) {
              raise_error(argument_error(code::ShapeMismatch,
                                         "cannot reshape an array of " +
                                             std::to_string(a.buffer.count()) +
                                             " elements into shape " + shape_repr(shape),
                                         "give a shape whose product is the element count"));
            }
            return DeviceArray{a.buffer, shape};
          },
          "The same memory under another shape of the same element count (no copy).")
      .def(
          "copy_from",
          [](DeviceArray& a, const py::array& source) {
            py::array c = py::module_::import("numpy").attr("ascontiguousarray")(source);
            auto type = element_type_of(c.dtype());
            if (!type || *type != a.buffer.element() ||
                static_cast<std::uint64_t>(c.size()) != a.buffer.count()) {
              raise_error(argument_error(code::TransferSizeMismatch,
                                         "copy_from: the array is " + dtype_name(c.dtype()) + " " +
                                             shape_text(shape_of(c)) + ", the device array " +
                                             std::string(ir::type_name(a.buffer.element())) + " " +
                                             shape_repr(a.shape),
                                         "give an array of the same dtype and element count"));
            }
            const auto* data = static_cast<const std::uint8_t*>(c.data());
            const std::size_t bytes = static_cast<std::size_t>(c.nbytes());
            unwrap(released(
                [&] { return a.buffer.upload(std::span<const std::uint8_t>(data, bytes)); }));
          },
          py::arg("source"), "Uploads `source` (same dtype and size) into this array, in place.")
      .def(
          "fill",
          [](DeviceArray& a, const py::object& value) {
            Scalar s = scalar_of(value, a.buffer.element(), "fill value");
            unwrap(released([&] { return a.buffer.fill(s); }));
          },
          py::arg("value"), "Sets every element to `value`, on the device.")
      .def("__len__",
           [](const DeviceArray& a) { return a.shape.empty() ? a.buffer.count() : a.shape[0]; })
      .def("__repr__",
           [](const DeviceArray& a) {
             return "vyre.Array(shape=" + shape_repr(a.shape) +
                    ", dtype=" + std::string(ir::type_name(a.buffer.element())) + ", device='" +
                    a.buffer.device().id() + "')";
           })
      .def("__dlpack__", &dlpack_export, py::kw_only(), py::arg("stream") = py::none(),
           py::arg("max_version") = py::none(), py::arg("dl_device") = py::none(),
           py::arg("copy") = py::none(),
           "A DLPack capsule of this array. Reference arrays are shared without a copy (host "
           "memory), CUDA arrays too (device memory); OpenCL arrays are copied to host memory "
           "(copy=False refuses that with BufferError). The device's default stream is "
           "synchronized first, so the consumer sees every queued result.")
      .def("__dlpack_device__", &dlpack_device, "(device type, index) as DLPack defines them.");

  m.def(
      "asarray",
      [](const py::object& a, const std::string& device, const py::object& dtype) -> DeviceArray {
        if (py::isinstance<DeviceArray>(a) && dtype.is_none()) {
          const auto& d = a.cast<const DeviceArray&>();
          if (d.buffer.device().id() == device_for(device).id()) return d;
          return upload_array(d.numpy(), device_for(device), "vyre.asarray");
        }
        py::array array = dtype.is_none()
                              ? py::array(py::module_::import("numpy").attr("asarray")(a))
                              : py::array(py::module_::import("numpy").attr("asarray")(a, dtype));
        return upload_array(array, device_for(device), "vyre.asarray");
      },
      py::arg("a"), py::arg("device") = "reference", py::arg("dtype") = py::none(),
      R"(A copy of `a` (anything numpy.asarray accepts) on `device` ("reference", "opencl:0",
"cuda:0"). An Array already on that device is returned as it is. For a copy-free exchange use
vyre.from_dlpack.)");
  m.def(
      "empty",
      [](const py::object& shape, const py::object& dtype, const std::string& device) {
        return allocate(shape, dtype, device, false);
      },
      py::arg("shape"), py::arg("dtype") = "float32", py::arg("device") = "reference",
      "An uninitialised Array on `device`.");
  m.def(
      "zeros",
      [](const py::object& shape, const py::object& dtype, const std::string& device) {
        return allocate(shape, dtype, device, true);
      },
      py::arg("shape"), py::arg("dtype") = "float32", py::arg("device") = "reference",
      "A zero-filled Array on `device`.");
  m.def("from_dlpack", &dlpack_import, py::arg("x"), py::arg("device") = py::none(),
        R"(An Array over the memory of `x` (any object with __dlpack__: NumPy, CuPy, PyTorch, JAX).

Host memory becomes a reference-backend array without a copy (writes by kernels show in `x`);
CUDA memory a cuda-backend array of the same device, without a copy. Asking for another device
(`device="opencl"`) uploads a copy. Strided (non C-contiguous) tensors are refused (VY8301).)");
}

}  // namespace vyre::python
