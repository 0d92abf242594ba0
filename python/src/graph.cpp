#include "graph.h"

#include <pybind11/stl.h>

#include <optional>

#include "bindings.h"
#include "device_array.h"
#include "dtypes.h"
#include "errors.h"
#include "runtime_access.h"

namespace py = pybind11;

namespace vyre::python {
namespace {

const Device& device_of(const py::object& device) {
  if (py::isinstance<Device>(device)) return device.cast<const Device&>();
  return device_for(device.cast<std::string>());
}

}  // namespace

void bind_graph(py::module_& m) {
  py::class_<Recording>(m, "GraphRecording", R"(Launches, copies and fills recorded for one device.

    rec = vyre.GraphRecording("opencl")
    a_to_b = step.record(rec, src=a, dst=b, alpha=0.2)   # PreparedKernel.record: a node
    b_to_a = step.record(rec, src=b, dst=a, alpha=0.2)
    graph = rec.instantiate()
    graph.replay(); graph.replay(stream=s)               # queued, as launches are

Recording runs nothing: each command is checked (device, types, counts) and kept, with the
arrays it uses, for instantiate(). The recording stays usable afterwards.)")
      .def(py::init([](const py::object& device) {
             return Recording{std::make_shared<GraphRecording>(device_of(device))};
           }),
           py::arg("device") = "reference",
           "An empty recording for `device` (a spec such as \"opencl:0\", or a vyre.Device).")
      .def_property_readonly(
          "device", [](const Recording& r) { return r.recording->device(); }, "The vyre.Device.")
      .def("__len__", [](const Recording& r) { return r.recording->commands().size(); })
      .def(
          "copy",
          [](Recording& r, const DeviceArray& src, const DeviceArray& dst) {
            return unwrap(r.recording->copy(src.buffer, dst.buffer)).index;
          },
          py::arg("src"), py::arg("dst"),
          "Records a copy of `src` into `dst` (vyre.Arrays of one dtype and size); returns its "
          "node.")
      .def(
          "fill",
          [](Recording& r, const DeviceArray& dst, const py::object& value) {
            Scalar s = scalar_of(value, dst.buffer.element(), "fill value");
            return unwrap(r.recording->fill(dst.buffer, s)).index;
          },
          py::arg("dst"), py::arg("value"),
          "Records setting every element of `dst` to `value`; returns its node.")
      .def(
          "instantiate",
          [](const Recording& r) {
            // A copy: the recording can grow and be instantiated again.
            Graph graph =
                unwrap(released([&] { return Graph::instantiate(GraphRecording(*r.recording)); }));
            return RecordedGraph{std::make_shared<Graph>(std::move(graph))};
          },
          "An executable vyre.Graph of everything recorded so far.")
      .def("__repr__", [](const Recording& r) {
        return "vyre.GraphRecording(" + std::to_string(r.recording->commands().size()) +
               " commands, device='" + r.recording->device().id() + "')";
      });

  py::class_<RecordedGraph>(m, "Graph", R"(A recorded sequence of commands, replayed on a stream.

replay() queues every command in recorded order and returns at once, like a launch: synchronize
the stream (or call Array.numpy() for the default stream) to wait for it. A capped while loop of
a recorded launch raises vyre.Error VY2103 at that sync point, as for launches.)")
      .def_property_readonly(
          "device", [](const RecordedGraph& g) { return g.graph->device(); }, "The vyre.Device.")
      .def("__len__", [](const RecordedGraph& g) { return g.graph->size(); })
      .def(
          "replay",
          [](RecordedGraph& g, const std::optional<Stream>& stream) {
            Stream s = stream ? *stream : unwrap(g.graph->device().default_stream());
            unwrap(released([&] { return g.graph->replay(s); }));
          },
          py::arg("stream") = py::none(),
          "Queues the whole graph on `stream` (default: the device's default stream). A stream "
          "of another device is VY4203.")
      .def("__repr__", [](const RecordedGraph& g) {
        return "vyre.Graph(" + std::to_string(g.graph->size()) + " commands, device='" +
               g.graph->device().id() + "')";
      });
}

}  // namespace vyre::python
