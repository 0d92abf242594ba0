// The parts of the _vyre extension module, one concept per file (module.cpp calls them).
#pragma once

#include <pybind11/pybind11.h>

namespace vyre::python {

void bind_device(pybind11::module_& m);        // device.cpp: Device, Stream, Event, backends
void bind_device_array(pybind11::module_& m);  // device_array.cpp: Array, asarray, from_dlpack
void bind_kernel(pybind11::module_& m);        // kernel.cpp: Kernel and its calls
void bind_prepared(pybind11::module_& m);      // prepared.cpp: PreparedKernel
void bind_graph(pybind11::module_& m);         // graph.cpp: GraphRecording, Graph
void bind_cache(pybind11::module_& m);         // cache.cpp: stats, explain, precompile

}  // namespace vyre::python
