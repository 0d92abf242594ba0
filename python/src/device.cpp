// vyre.Device, vyre.Stream, vyre.Event and the backend list: where work runs.
#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include "bindings.h"
#include "dtypes.h"
#include "errors.h"
#include "runtime_access.h"
#include "vyre/backend/backend.h"
#include "vyre/backend/device_allocator.h"
#include "vyre/backend/event.h"
#include "vyre/backend/stream.h"
#include "vyre/registry/backend_registry.h"

namespace py = pybind11;

namespace vyre::python {
namespace {

py::dict capabilities_dict(const Capabilities& c) {
  py::dict d;
  d["max_workgroup_size"] =
      py::make_tuple(c.max_workgroup_size[0], c.max_workgroup_size[1], c.max_workgroup_size[2]);
  d["max_workgroup_invocations"] = c.max_workgroup_invocations;
  d["max_groups"] = py::make_tuple(c.max_groups[0], c.max_groups[1], c.max_groups[2]);
  d["max_total_groups"] = c.max_total_groups;
  d["max_shared_bytes"] = c.max_shared_bytes;
  d["max_buffer_bytes"] = c.max_buffer_bytes;
  py::list types;
  for (ir::Type t : c.element_types) types.append(std::string(ir::type_name(t)));
  d["element_types"] = types;
  d["atomics32"] = c.atomics32;
  d["atomics64"] = c.atomics64;
  d["f64"] = c.f64;
  d["subgroup_size"] = c.subgroup_size;
  d["barriers_under_if"] = c.barriers_under_if;
  d["features"] = c.features;
  return d;
}

std::chrono::nanoseconds timeout_of(const py::object& seconds) {
  if (seconds.is_none()) return {};
  return std::chrono::nanoseconds(static_cast<std::int64_t>(seconds.cast<double>() * 1e9));
}

}  // namespace

void bind_device(py::module_& m) {
  py::class_<Stream>(m, "Stream", R"(An ordered queue of device work.

Launches on one stream run in order; launches on different streams are unordered until one
waits for the other's event. Array.numpy() and DLPack export order after the device's default
stream only: synchronize other streams first.)")
      .def_property_readonly("device", &Stream::device, "The vyre.Device of this stream.")
      .def(
          "synchronize",
          [](const Stream& s, const py::object& timeout) {
            const auto wait = timeout_of(timeout);
            unwrap(released([&] { return s.synchronize(wait); }));
          },
          py::arg("timeout") = py::none(),
          "Waits for everything enqueued so far (timeout in seconds; None waits for ever). A "
          "timeout raises vyre.Error VY4206 and the work goes on. A while loop of a launch on "
          "this stream that reached its cap raises vyre.Error VY2103 here (once).")
      .def_property_readonly("idle", &Stream::idle, "True when nothing is pending.")
      .def(
          "record",
          [](const Stream& s, bool timing) {
            Event e = unwrap(s.device().create_event(timing));
            unwrap(s.record(e));
            return e;
          },
          py::arg("timing") = false, "Records and returns a vyre.Event at this point.")
      .def(
          "wait", [](const Stream& s, const Event& e) { unwrap(s.wait(e)); }, py::arg("event"),
          "Later work on this stream starts after `event` completes.");

  py::class_<Event>(m, "Event", "A point in a stream's order (Stream.record).")
      .def_property_readonly("ready", &Event::ready, "True once the work before it finished.")
      .def(
          "wait",
          [](const Event& e, const py::object& timeout) {
            unwrap(released([&] { return e.wait(timeout_of(timeout)); }));
          },
          py::arg("timeout") = py::none(), "Waits on the host for the event.")
      .def(
          "elapsed_ms",
          [](const Event& start, const Event& end) {
            return unwrap(Event::elapsed_ms(start, end));
          },
          py::arg("end"), "Device milliseconds from this timing event to `end`.");

  py::class_<Device>(m, "Device", "One device of one backend (\"opencl:0\", \"reference\").")
      .def_property_readonly("id", &Device::id, "\"opencl:0\"")
      .def_property_readonly("name", &Device::name, "The backend's name for the device.")
      .def_property_readonly(
          "backend", [](const Device& d) { return std::string(d.backend().id()); },
          "The backend id: \"reference\", \"opencl\", \"cuda\".")
      .def_property_readonly("index", &Device::index)
      .def_property_readonly(
          "capabilities",
          [](const Device& d) { return capabilities_dict(d.backend().capabilities()); },
          "Launch, memory and type limits of the device, as a dict.")
      .def(
          "default_stream", [](const Device& d) { return unwrap(d.default_stream()); },
          "The device's default stream (kernel calls without stream= use it).")
      .def(
          "create_stream", [](const Device& d) { return unwrap(d.create_stream()); },
          "A new stream, independent of the others.")
      .def(
          "synchronize",
          [](const Device& d) {
            const Stream s = unwrap(d.default_stream());
            unwrap(released([&] { return s.synchronize(); }));
          },
          "Waits for the default stream (VY2103 as Stream.synchronize).")
      .def(
          "memory_stats",
          [](const Device& d) {
            auto allocator = unwrap(d.allocator());
            AllocatorStats s = allocator->stats();
            py::dict out;
            out["live_bytes"] = s.live_bytes;
            out["live_blocks"] = s.live_blocks;
            out["cached_bytes"] = s.cached_bytes;
            out["peak_bytes"] = s.peak_bytes;
            out["allocations"] = s.allocations;
            out["cache_hits"] = s.cache_hits;
            out["device_allocations"] = s.device_allocations;
            return out;
          },
          "The caching allocator's statistics.")
      .def("__repr__", [](const Device& d) { return "vyre.Device('" + d.id() + "')"; })
      .def("__eq__", [](const Device& a, const Device& b) { return a == b; });

  m.def(
      "device", [](const std::string& spec) { return device_for(spec); },
      py::arg("spec") = "reference",
      "The device named `spec`: \"reference\", \"opencl\", \"opencl:0\", \"cuda:1\".");

  m.def(
      "backends",
      [] {
        runtime();  // registers the built-in backends
        py::list out;
        for (const BackendStatus& s : BackendRegistry::global().list()) {
          py::dict d;
          d["id"] = s.id;
          d["priority"] = s.priority;
          d["origin"] = s.origin;
          d["available"] = s.available;
          d["why_unavailable"] =
              s.why_unavailable ? py::object(py::str(s.why_unavailable->message)) : py::none();
          out.append(d);
        }
        return out;
      },
      "Every registered backend: id, priority, origin, available, why_unavailable.");

  m.def(
      "capabilities",
      [](const std::string& backend) {
        runtime();
        auto b = unwrap(BackendRegistry::global().acquire(backend));
        py::dict d = capabilities_dict(b->capabilities());
        d["supported_ops"] = b->supported_ops();
        return d;
      },
      py::arg("backend"), "The capabilities of a backend's device 0, with its supported ops.");
}

}  // namespace vyre::python
