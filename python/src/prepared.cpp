#include "prepared.h"

#include <pybind11/stl.h>

#include "bindings.h"
#include "device_array.h"
#include "dtypes.h"
#include "errors.h"
#include "graph.h"
#include "kernel.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/loop_status.h"

namespace py = pybind11;

namespace vyre::python {

LaunchArgs bind_named(const PreparedKernel& kernel, const py::dict& args) {
  const ir::ProgramData& p = *kernel.program();
  LaunchArgs launch = kernel.args();
  std::vector<bool> buffer_set(p.buffers.size()), param_set(p.params.size());
  for (const auto& [key, value] : args) {
    const std::string name = key.cast<std::string>();
    for (std::uint32_t i = 0; i < p.buffers.size(); ++i) {
      if (p.buffers[i].name != name) continue;
      if (!py::isinstance<DeviceArray>(value)) {
        raise_error(argument_error(
            code::KernelArgMismatch,
            "buffer `" + name + "` of a prepared kernel needs a vyre.Array, but " +
                py::str(py::type::of(value).attr("__name__")).cast<std::string>() + " was given",
            "upload it once with vyre.asarray(array, device=\"" + kernel.device().id() + "\")"));
      }
      launch.set(ArgSlot{ArgSlot::Kind::Buffer, i}, value.cast<const DeviceArray&>().buffer);
      buffer_set[i] = true;
    }
    for (std::uint32_t i = 0; i < p.params.size(); ++i) {
      if (p.params[i].name != name) continue;
      launch.set(ArgSlot{ArgSlot::Kind::Param, i}, scalar_of(value, p.params[i].type, name));
      param_set[i] = true;
    }
    if (find_buffer(p, name) == nullptr && find_param(p, name) == nullptr) {
      raise_unknown_name(p, name);
    }
  }
  for (std::uint32_t i = 0; i < p.buffers.size(); ++i) {
    if (!buffer_set[i] && !ir::is_loop_status_buffer(p.buffers[i])) {
      raise_error(argument_error(
          code::MissingInput,
          "buffer `" + p.buffers[i].name + "` of kernel `" + p.name + "` was not given",
          "a prepared kernel takes every buffer and param by name"));
    }
  }
  for (std::uint32_t i = 0; i < p.params.size(); ++i) {
    if (!param_set[i]) {
      raise_error(argument_error(
          code::MissingInput,
          "param `" + p.params[i].name + "` of kernel `" + p.name + "` was not given",
          "pass it by name: " + p.params[i].name + "=value"));
    }
  }
  return launch;
}

void launch_named(const Prepared& prepared, const py::dict& args, const Stream& stream) {
  const PreparedKernel& kernel = *prepared.kernel;
  LaunchArgs launch = bind_named(kernel, args);
  unwrap(released([&] { return kernel.launch(launch, stream); }));
}

py::dict prepared_report(const PreparedKernel& kernel) {
  const PreparedReport& r = kernel.report();
  py::dict d;
  d["backend"] = r.backend;
  d["backend_why"] = r.backend_why;
  d["device"] = r.device;
  d["cache_outcome"] = r.cache_outcome;
  d["startup_ms"] = r.startup_ms;
  d["routing_ms"] = r.routing_ms;
  d["obtain_ms"] = r.obtain_ms;
  return d;
}

void bind_prepared(py::module_& m) {
  py::class_<Prepared>(m, "PreparedKernel", R"(A kernel ready to launch on one device.

    pk = k.prepare(device="opencl")
    pk.launch(x=x, y=y, a=2.5)               # vyre.Arrays and numbers, every one by name
    pk.launch(stream=s, x=x, y=y, a=2.5)     # on another stream

Launches are queued and return at once; Array.numpy() (default stream) or Stream.synchronize()
waits for them.)")
      .def_property_readonly(
          "device", [](const Prepared& p) { return p.kernel->device(); }, "The vyre.Device.")
      .def_property_readonly(
          "report", [](const Prepared& p) { return prepared_report(*p.kernel); },
          "Where it runs and why, and how the pipeline was obtained.")
      .def(
          "launch",
          [](const Prepared& p, py::kwargs kwargs) {
            py::dict args(kwargs);
            Stream stream;
            if (args.contains("stream") && find_buffer(*p.kernel->program(), "stream") == nullptr &&
                find_param(*p.kernel->program(), "stream") == nullptr) {
              stream = args["stream"].cast<Stream>();
              PyDict_DelItemString(args.ptr(), "stream");
            } else {
              stream = unwrap(p.kernel->device().default_stream());
            }
            launch_named(p, args, stream);
          },
          "Queues one launch with every buffer (vyre.Array) and param by name; stream= picks "
          "the stream (default: the device's default stream).")
      .def(
          "record",
          [](const Prepared& p, Recording& recording, const py::kwargs& kwargs) {
            const PreparedKernel& kernel = *p.kernel;
            LaunchArgs args = bind_named(kernel, py::dict(kwargs));
            return unwrap(kernel.record(*recording.recording, args)).index;
          },
          py::arg("recording"), py::pos_only(),
          "Records one launch into a vyre.GraphRecording, every buffer (vyre.Array) and param by "
          "name as for launch(); returns its node (for update()). Runs nothing.")
      .def(
          "update",
          [](const Prepared& p, RecordedGraph& graph, std::uint32_t node,
             const py::kwargs& kwargs) {
            const PreparedKernel& kernel = *p.kernel;
            LaunchArgs args = bind_named(kernel, py::dict(kwargs));
            unwrap(kernel.update(*graph.graph, GraphNode{node}, args));
          },
          py::arg("graph"), py::arg("node"), py::pos_only(),
          "New arguments (all of them, by name) for launch node `node` of `graph`, for its later "
          "replays. A node that is not a launch of this kernel is VY4211.")
      .def("__repr__", [](const Prepared& p) {
        return "vyre.PreparedKernel('" + p.kernel->program()->name + "', device='" +
               p.kernel->device().id() + "')";
      });
}

}  // namespace vyre::python
