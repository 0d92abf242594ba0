// vyre.PreparedKernel: a kernel made ready on one device (Runtime::prepare), launched with
// device arrays and scalars by name on a stream: no routing, hashing or cache lookup per call.
#pragma once

#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <string>

#include "loop_status.h"
#include "vyre/backend/stream.h"
#include "vyre/runtime/prepared_kernel.h"

namespace vyre::python {

struct Prepared {
  std::shared_ptr<PreparedKernel> kernel;
  // The loop status words of its launches, per stream (loop_status.h).
  std::shared_ptr<LaunchStatusWords> status = std::make_shared<LaunchStatusWords>();
};

// Every buffer (a vyre.Array) and param (a number) of `args` bound by name; every one must be
// given (raises vyre.Error otherwise). `status` is bound to the program's loop status buffer,
// which the caller passes when the program has one (while loops).
LaunchArgs bind_named(const PreparedKernel& kernel, const pybind11::dict& args,
                      const DeviceBuffer* status);

// bind_named and a launch on `stream`, with the kernel's status word for that stream.
void launch_named(const Prepared& prepared, const pybind11::dict& args, const Stream& stream);

// The report of prepare() as a dict.
pybind11::dict prepared_report(const PreparedKernel& kernel);

}  // namespace vyre::python
