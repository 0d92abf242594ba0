#include "kernel.h"

#include <pybind11/stl.h>

#include "bindings.h"
#include "cache_queries.h"
#include "device_array.h"
#include "dtypes.h"
#include "errors.h"
#include "prepared.h"
#include "runtime_access.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/hash.h"
#include "vyre/ir/loop_status.h"
#include "vyre/ir/text.h"
#include "vyre/runtime/inputs.h"
#include "vyre/runtime/npy.h"
#include "vyre/runtime/shapes.h"

namespace py = pybind11;

namespace vyre::python {

const ir::BufferDecl* find_buffer(const ir::ProgramData& p, std::string_view name) {
  for (const auto& b : p.buffers) {
    if (b.name == name && !ir::is_loop_status_buffer(b)) return &b;
  }
  return nullptr;
}

const ir::ParamDecl* find_param(const ir::ProgramData& p, std::string_view name) {
  for (const auto& param : p.params) {
    if (param.name == name) return &param;
  }
  return nullptr;
}

void raise_unknown_name(const ir::ProgramData& p, const std::string& name) {
  std::string known;
  for (const auto& b : p.buffers) {
    if (!ir::is_loop_status_buffer(b)) known += (known.empty() ? "" : ", ") + b.name;
  }
  for (const auto& param : p.params) known += (known.empty() ? "" : ", ") + param.name + " (param)";
  raise_error(argument_error(
      code::UnknownInput, "kernel `" + p.name + "` declares no buffer or param `" + name + "`",
      "the kernel declares: " + (known.empty() ? std::string("nothing") : known)));
}

namespace {

// The options a call takes besides the kernel's arguments.
struct CallOptions {
  py::object device = py::none();
  std::map<std::string, std::uint64_t> sizes;
  py::object stream = py::none();
};

std::map<std::string, std::uint64_t> sizes_of(const py::object& sizes) {
  std::map<std::string, std::uint64_t> out;
  if (sizes.is_none()) return out;
  for (const auto& [k, v] : sizes.cast<py::dict>()) {
    out[k.cast<std::string>()] = v.cast<std::uint64_t>();
  }
  return out;
}

// `value` for buffer `decl` as a C-contiguous NumPy array of its declared dtype: an ndarray's
// dtype must match exactly (no silent conversion); other sequences are converted to it.
py::array host_array(const ir::BufferDecl& decl, const py::handle& value) {
  py::module_ np = py::module_::import("numpy");
  if (!py::isinstance<py::array>(value)) {
    if (py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value) ||
        !py::hasattr(value, "__len__")) {
      raise_error(argument_error(
          code::InputTypeMismatch,
          "buffer `" + decl.name + "` needs an array, but " +
              py::str(py::type::of(value).attr("__name__")).cast<std::string>() + " was given",
          "pass a NumPy array of dtype " + dtype_name(dtype_of(decl.element)) +
              " (or a vyre.Array)"));
    }
    return np.attr("ascontiguousarray")(value, dtype_of(decl.element));
  }
  py::array array = py::reinterpret_borrow<py::array>(value);
  auto type = element_type_of(array.dtype());
  if (!type || *type != decl.element) {
    const std::string want = dtype_name(dtype_of(decl.element));
    raise_error(argument_error(code::InputTypeMismatch,
                               "buffer `" + decl.name + "` is declared " +
                                   std::string(ir::type_name(decl.element)) +
                                   " but the array given for it is " + dtype_name(array.dtype()),
                               "convert it: " + decl.name + ".astype(numpy." + want +
                                   "), or declare the buffer with "
                                   "the array's type"));
  }
  return np.attr("ascontiguousarray")(array);
}

py::dict timings_dict(const RunTimings& t) {
  py::dict d;
  d["route_ms"] = t.route_ms;
  d["validate_ms"] = t.validate_ms;
  d["obtain_ms"] = t.obtain_ms;
  d["dispatch_ms"] = t.dispatch_ms;
  d["readback_ms"] = t.readback_ms;
  d["total_ms"] = t.total_ms;
  return d;
}

py::dict run_report(const RunReport& r) {
  py::dict d;
  d["backend"] = r.backend;
  d["backend_why"] = r.backend_why;
  d["cache_outcome"] = r.cache_outcome;
  d["cache_tier"] = r.cache
                        ? py::object(py::str(std::string(pipeline::cache_tier_name(r.cache->tier))))
                        : py::none();
  d["sizes"] = r.sizes;
  d["timings"] = timings_dict(r.timings);
  d["resident"] = false;
  return d;
}

bool is_resident(const py::dict& args) {
  for (const auto& [name, value] : args) {
    if (py::isinstance<DeviceArray>(value)) return true;
  }
  return false;
}

py::dict run_host(Kernel& k, const py::dict& args, const CallOptions& options) {
  const ir::ProgramData& p = *k.program;
  RunInputs inputs;
  std::map<std::string, Shape> shapes;
  for (const auto& [key, value] : args) {
    const std::string name = key.cast<std::string>();
    if (const ir::BufferDecl* decl = find_buffer(p, name)) {
      py::array array = host_array(*decl, value);
      const auto* data = static_cast<const std::uint8_t*>(array.data());
      inputs.buffers[name] =
          HostBuffer(decl->element, std::vector<std::uint8_t>(data, data + array.nbytes()));
      shapes[name] = shape_of(array);
    } else if (const ir::ParamDecl* param = find_param(p, name)) {
      inputs.params[name] = scalar_of(value, param->type, name);
    } else {
      raise_unknown_name(p, name);
    }
  }
  DispatchConfig config;
  config.label = k.file.empty() ? p.name : k.file;
  if (!options.device.is_none()) {
    const DeviceSpec spec = unwrap(parse_device_spec(options.device.cast<std::string>()));
    config.allowed_backends = {spec.backend};
  }
  config.sizes = unwrap(sizes_from_shapes(k.program, shapes, options.sizes));
  RunResult result =
      unwrap(released([&] { return runtime().run(k.program, std::move(inputs), config); }));
  py::dict out;
  for (auto& [name, buffer] : result.outputs) {
    const ir::BufferDecl* decl = find_buffer(p, name);
    if (decl == nullptr) continue;
    Shape shape = declared_shape(decl->count, result.report.sizes);
    if (shape.empty()) shape = {buffer.count()};
    out[py::str(name)] = to_numpy(std::move(buffer), shape);
  }
  k.last_report = run_report(result.report);
  return out;
}

std::string prepared_key(const Device& device, const std::map<std::string, std::uint64_t>& sizes) {
  std::string key = device.id();
  for (const auto& [name, value] : sizes) key += "|" + name + "=" + std::to_string(value);
  return key;
}

py::dict run_resident(Kernel& k, const py::dict& args, const CallOptions& options) {
  const ir::ProgramData& p = *k.program;
  // The device: the first Array's (all must share it), or `device=`.
  const Device* device =
      options.device.is_none() ? nullptr : &device_for(options.device.cast<std::string>());
  for (const auto& [name, value] : args) {
    if (!py::isinstance<DeviceArray>(value)) continue;
    const Device& of = value.cast<const DeviceArray&>().buffer.device();
    if (device == nullptr) device = &of;
    if (!(of == *device)) {
      raise_error(
          argument_error(code::WrongDevice,
                         "buffer `" + name.cast<std::string>() + "` is on " + of.id() +
                             ", the call runs on " + device->id(),
                         "move it with vyre.asarray(array, device=\"" + device->id() + "\")"));
    }
  }
  if (device == nullptr) {
    raise_error(argument_error(code::UnknownDevice,
                               "a call with stream= runs on a device, and none was named",
                               "pass device=\"opencl:0\" (say), or vyre.Array arguments"));
  }
  py::dict given;  // name -> the vyre.Array (NumPy arrays uploaded)
  std::map<std::string, Shape> shapes;
  py::dict params;
  for (const auto& [key, value] : args) {
    const std::string name = key.cast<std::string>();
    if (const ir::BufferDecl* decl = find_buffer(p, name)) {
      py::object array = py::reinterpret_borrow<py::object>(value);
      if (!py::isinstance<DeviceArray>(value)) {
        array = py::cast(upload_array(host_array(*decl, value), *device, "buffer `" + name + "`"));
      }
      const auto& a = array.cast<const DeviceArray&>();
      if (a.buffer.element() != decl->element) {
        raise_error(argument_error(
            code::InputTypeMismatch,
            "buffer `" + name + "` is declared " + std::string(ir::type_name(decl->element)) +
                " but the vyre.Array given for it is " +
                std::string(ir::type_name(a.buffer.element())),
            "make the array with dtype " + dtype_name(dtype_of(decl->element))));
      }
      shapes[name] = a.shape;
      given[key] = array;
    } else if (find_param(p, name) != nullptr) {
      params[key] = value;
    } else {
      raise_unknown_name(p, name);
    }
  }
  // Every size symbol: from shapes and sizes=, then from the lengths of the arrays given, with
  // the checks Runtime::run makes (runtime/inputs.h).
  std::map<std::string, std::uint64_t> counts;
  for (const auto& [name, array] : given) {
    counts[name.cast<std::string>()] = array.cast<const DeviceArray&>().buffer.count();
  }
  auto sizes = unwrap(
      infer_sizes(k.program, counts, unwrap(sizes_from_shapes(k.program, shapes, options.sizes))));
  // Buffers not given: read ones are an error, writable ones start zeroed (as Runtime::run).
  // The loop status buffer is the prepared kernel's own (PreparedKernel binds it).
  py::dict out;
  py::dict bound = given;
  for (const auto& decl : p.buffers) {
    if (ir::is_loop_status_buffer(decl)) continue;
    if (given.contains(py::str(decl.name))) {
      if (ir::can_write(decl.access)) out[py::str(decl.name)] = given[py::str(decl.name)];
      continue;
    }
    if (!ir::can_write(decl.access)) {
      raise_error(argument_error(
          code::MissingInput,
          "buffer `" + decl.name + "` of kernel `" + p.name + "` is read but was not given",
          "pass it by name: k(" + decl.name + "=array, ...)"));
    }
    const std::uint64_t count =
        unwrap(element_count(decl.count, sizes, "buffer `" + decl.name + "`"));
    DeviceArray fresh;
    fresh.shape = declared_shape(decl.count, sizes);
    if (fresh.shape.empty()) fresh.shape = {count};
    fresh.buffer = unwrap(released([&] { return device->allocate_zeroed(decl.element, count); }));
    py::object obj = py::cast(std::move(fresh));
    bound[py::str(decl.name)] = obj;
    out[py::str(decl.name)] = obj;
  }
  for (const auto& [key, value] : params) bound[key] = value;

  const std::string key = prepared_key(*device, sizes);
  auto found = k.prepared.find(key);
  if (found == k.prepared.end()) {
    DispatchConfig config;
    config.label = k.file.empty() ? p.name : k.file;
    config.sizes = sizes;
    auto prepared = unwrap(released([&] { return runtime().prepare(k.program, *device, config); }));
    found = k.prepared.emplace(key, Prepared{std::make_shared<PreparedKernel>(std::move(prepared))})
                .first;
  }
  const PreparedKernel& prepared = *found->second.kernel;
  Stream stream =
      options.stream.is_none() ? unwrap(device->default_stream()) : options.stream.cast<Stream>();
  launch_named(found->second, bound, stream);
  py::dict report = prepared_report(prepared);
  report["sizes"] = sizes;
  report["resident"] = true;
  k.last_report = report;
  return out;
}

// Splits keyword arguments into the kernel's arguments and the call's options (device, sizes,
// stream: unless the kernel declares a buffer or param of that name).
py::dict call(Kernel& k, py::dict args, CallOptions options) {
  const ir::ProgramData& p = *k.program;
  for (const char* option : {"device", "sizes", "stream"}) {
    if (!args.contains(option) || find_buffer(p, option) || find_param(p, option)) continue;
    py::object value = args[option];
    if (std::string_view(option) == "device") options.device = value;
    if (std::string_view(option) == "sizes") options.sizes = sizes_of(value);
    if (std::string_view(option) == "stream") options.stream = value;
    PyDict_DelItemString(args.ptr(), option);
  }
  if (!options.stream.is_none() && !py::isinstance<Stream>(options.stream)) {
    raise_error(argument_error(code::InputTypeMismatch, "stream= takes a vyre.Stream",
                               "make one with vyre.device(...).create_stream()"));
  }
  if (is_resident(args) || !options.stream.is_none()) return run_resident(k, args, options);
  return run_host(k, args, options);
}

Kernel parse(const std::string& source, const std::string& file) {
  ir::CheckOptions check;
  check.file = file;
  Kernel k{unwrap(ir::parse_program(source, check)), file, {}, py::none()};
  return k;
}

py::list buffers_of(const ir::ProgramData& p) {
  py::list out;
  for (const auto& b : p.buffers) {
    if (ir::is_loop_status_buffer(b)) continue;
    py::dict d;
    d["name"] = b.name;
    d["binding"] = b.binding;
    d["access"] = std::string(ir::access_name(b.access));
    d["type"] = std::string(ir::type_name(b.element));
    d["dtype"] = dtype_of(b.element);
    d["count"] = ir::to_string(b.count);
    out.append(d);
  }
  return out;
}

}  // namespace

void bind_kernel(py::module_& m) {
  py::class_<Kernel>(m, "Kernel", R"(A vyre kernel, parsed and checked from its text.

    k = vyre.Kernel(source)            # or vyre.Kernel.from_file("saxpy.vy")
    out = k(x=x, y=y, a=2.5)           # NumPy in, {"y": ndarray} out

Buffers and params are passed by name. With NumPy arrays the call uploads them, runs, and
returns every written buffer as a NumPy array shaped as declared (f32[h*w] -> (h, w)); size
symbols come from the arrays' shapes (or sizes={"n": 4}). With vyre.Array arguments the call
runs on their device and returns vyre.Arrays that stay there. Options: device="opencl"
(the backend, else routing picks), sizes={...}, stream=vyre.Stream (resident calls).)")
      .def(py::init([](const std::string& source, const std::string& file) {
             return parse(source, file);
           }),
           py::arg("source"), py::arg("file") = "",
           "Parses and checks `source` (vyre text IR); errors raise vyre.Error with line:column.")
      .def_static(
          "from_file",
          [](const std::string& path) {
            auto bytes = unwrap(read_regular_file(path, "a kernel file"));
            return parse(std::string(bytes.begin(), bytes.end()), path);
          },
          py::arg("path"), "Reads and parses a .vy file.")
      .def_property_readonly(
          "name", [](const Kernel& k) { return k.program->name; }, "The kernel's name.")
      .def_property_readonly(
          "digest", [](const Kernel& k) { return to_hex(k.program.digest()); },
          "BLAKE3 digest of the canonical program (names normalised away).")
      .def_property_readonly(
          "source", [](const Kernel& k) { return ir::print_program(k.program); },
          "The canonical text of the program.")
      .def_property_readonly(
          "buffers", [](const Kernel& k) { return buffers_of(*k.program); },
          "The buffers: name, binding, access, type, dtype, count.")
      .def_property_readonly(
          "params",
          [](const Kernel& k) {
            py::list out;
            for (const auto& param : k.program->params) {
              py::dict d;
              d["name"] = param.name;
              d["type"] = std::string(ir::type_name(param.type));
              d["dtype"] = dtype_of(param.type);
              out.append(d);
            }
            return out;
          },
          "The scalar params: name, type, dtype.")
      .def_property_readonly(
          "size_symbols", [](const Kernel& k) { return k.program->size_symbols; },
          "The size symbols (n, m, k ...) in first-appearance order.")
      .def_property_readonly(
          "last_report", [](const Kernel& k) { return k.last_report; },
          "What the last call did: backend and why, cache outcome, sizes, timings.")
      .def(
          "__call__",
          [](Kernel& k, py::kwargs kwargs) { return call(k, py::dict(kwargs), CallOptions{}); },
          "Runs the kernel on named arguments; see the class docstring.")
      .def(
          "run",
          [](Kernel& k, const py::dict& args, const py::object& device, const py::object& sizes,
             const py::object& stream) {
            CallOptions options{device, sizes_of(sizes), stream};
            return call(k, py::dict(args), options);
          },
          py::arg("args"), py::kw_only(), py::arg("device") = py::none(),
          py::arg("sizes") = py::none(), py::arg("stream") = py::none(),
          "k(**args) with the options apart (for kernels that declare a buffer named device, "
          "sizes or stream).")
      .def(
          "prepare",
          [](Kernel& k, const std::string& device, const py::object& sizes) {
            DispatchConfig config;
            config.label = k.file.empty() ? k.program->name : k.file;
            config.sizes = sizes_of(sizes);
            const Device& dev = device_for(device);
            auto prepared =
                unwrap(released([&] { return runtime().prepare(k.program, dev, config); }));
            return Prepared{std::make_shared<PreparedKernel>(std::move(prepared))};
          },
          py::arg("device") = "reference", py::arg("sizes") = py::none(),
          "Routes, compiles (or fetches from the cache) and resolves the bindings once, for "
          "repeated launches on `device` (vyre.PreparedKernel).")
      .def(
          "explain",
          [](const Kernel& k, const py::object& device) {
            DispatchConfig config;
            if (!device.is_none()) {
              config.allowed_backends = {
                  unwrap(parse_device_spec(device.cast<std::string>())).backend};
            }
            return explain_program(k.program, config);
          },
          py::arg("device") = py::none(),
          "Would a call hit the pipeline cache? The backend, the key, and on a miss its reason "
          "and the nearest cached entry's differences. Compiles nothing.")
      .def("__repr__", [](const Kernel& k) { return "vyre.Kernel('" + k.program->name + "')"; });
}

}  // namespace vyre::python
