#include "errors.h"

#include "vyre/diag/render.h"

namespace py = pybind11;

namespace vyre::python {
namespace {

py::object location_of(const SourceLocation& location) {
  if (!location.known()) return py::none();
  return py::make_tuple(location.line, location.column);
}

}  // namespace

void raise_error(const Diagnostic& diagnostic) {
  py::object error_type = py::module_::import("vyre._error").attr("Error");
  py::list notes;
  for (const Note& note : diagnostic.notes) {
    notes.append(py::make_tuple(note.message, location_of(note.location)));
  }
  py::list more;
  for (const Diagnostic& other : diagnostic.more) {
    more.append(py::make_tuple(other.code, other.message, other.help));
  }
  py::object error = error_type(
      py::arg("code") = diagnostic.code, py::arg("message") = diagnostic.message,
      py::arg("help") = diagnostic.help, py::arg("location") = location_of(diagnostic.location),
      py::arg("path") = diagnostic.path, py::arg("file") = diagnostic.file,
      py::arg("notes") = notes, py::arg("more") = more,
      py::arg("rendered") = render_human(diagnostic));
  PyErr_SetObject(error_type.ptr(), error.ptr());
  throw py::error_already_set();
}

Diagnostic argument_error(std::string_view code, std::string message, std::string help) {
  return Diagnostic::error(code, std::move(message), std::move(help));
}

}  // namespace vyre::python
