// vyre.PreparedKernel: a kernel made ready on one device (Runtime::prepare), launched with
// device arrays and scalars by name on a stream: no routing, hashing or cache lookup per call.
#pragma once

#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <string>

#include "vyre/backend/stream.h"
#include "vyre/runtime/prepared_kernel.h"

namespace vyre::python {

struct Prepared {
  std::shared_ptr<PreparedKernel> kernel;
};

// Every buffer (a vyre.Array) and param (a number) of `args` bound by name; every one must be
// given (raises vyre.Error otherwise). The hidden loop status buffer is the kernel's own: its
// launches bind it, and the stream's next synchronize reports a capped loop (VY2103).
LaunchArgs bind_named(const PreparedKernel& kernel, const pybind11::dict& args);

// bind_named and a launch on `stream`.
void launch_named(const Prepared& prepared, const pybind11::dict& args, const Stream& stream);

// The report of prepare() as a dict.
pybind11::dict prepared_report(const PreparedKernel& kernel);

}  // namespace vyre::python
