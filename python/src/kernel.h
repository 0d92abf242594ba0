// vyre.Kernel: a checked program and the two ways to call it by name. With NumPy arrays the
// call is Runtime::run (upload, dispatch, read back) and returns NumPy arrays; with vyre.Array
// arguments it launches a kernel prepared for their device (prepared.h) and the results stay
// there.
#pragma once

#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "prepared.h"
#include "vyre/ir/program.h"

namespace vyre::python {

struct Kernel {
  ir::Program program;
  std::string file;
  // Prepared kernels of resident calls, by device and size binding ("opencl:0|n=1024").
  std::map<std::string, Prepared> prepared;
  pybind11::object last_report = pybind11::none();
};

// The buffer of the program named `name` (never the hidden loop-status buffer), or null.
const ir::BufferDecl* find_buffer(const ir::ProgramData& p, std::string_view name);
const ir::ParamDecl* find_param(const ir::ProgramData& p, std::string_view name);
// UnknownInput (VY4007) naming what the kernel declares.
[[noreturn]] void raise_unknown_name(const ir::ProgramData& p, const std::string& name);

}  // namespace vyre::python
