// The _vyre extension module: vyre's C++ library for Python (the package `vyre` re-exports it).
#include <pybind11/pybind11.h>

#include "bindings.h"

#ifndef VYRE_VERSION_TEXT
#define VYRE_VERSION_TEXT "0.0.0"
#endif

PYBIND11_MODULE(_vyre, m) {
  m.doc() = "vyre: GPU compute kernels from NumPy (the compiled part of the `vyre` package)";
  m.attr("__version__") = VYRE_VERSION_TEXT;
  vyre::python::bind_device(m);
  vyre::python::bind_device_array(m);
  vyre::python::bind_kernel(m);
  vyre::python::bind_graph(m);
  vyre::python::bind_prepared(m);
  vyre::python::bind_cache(m);
}
