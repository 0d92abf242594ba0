// Diagnostics as Python exceptions: every failure of the library reaches Python as a
// vyre.Error carrying the diagnostic's code, message, help and location.
#pragma once

#include <pybind11/pybind11.h>

#include "vyre/diag/result.h"

namespace vyre::python {

// Raises `diagnostic` as vyre.Error (defined in vyre/_error.py).
[[noreturn]] void raise_error(const Diagnostic& diagnostic);

// The value of `result`, or raises its diagnostic.
template <class T>
T unwrap(Result<T>&& result) {
  if (!result.ok()) raise_error(result.error());
  if constexpr (!std::is_void_v<T>) return std::move(result).value();
}

// Runs `f` with the GIL released (device work, waits) and returns what it returns; unwrap the
// result afterwards, with the GIL held.
template <class F>
auto released(F&& f) {
  pybind11::gil_scoped_release release;
  return f();
}

// A diagnostic for an argument the caller got wrong (its code from codes.def).
Diagnostic argument_error(std::string_view code, std::string message, std::string help);

}  // namespace vyre::python
