#include "vyre/diag/diagnostic.h"

namespace vyre {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "error";
}

Diagnostic Diagnostic::error(std::string_view code, std::string message, std::string help) {
  Diagnostic d;
  d.code = std::string(code);
  d.severity = Severity::Error;
  d.message = std::move(message);
  d.help = std::move(help);
  return d;
}

Diagnostic Diagnostic::warning(std::string_view code, std::string message, std::string help) {
  Diagnostic d = error(code, std::move(message), std::move(help));
  d.severity = Severity::Warning;
  return d;
}

Diagnostic& Diagnostic::at(SourceLocation where) & {
  location = where;
  return *this;
}
Diagnostic&& Diagnostic::at(SourceLocation where) && {
  return std::move(at(where));
}

Diagnostic& Diagnostic::in(std::string where) & {
  path = std::move(where);
  return *this;
}
Diagnostic&& Diagnostic::in(std::string where) && {
  return std::move(in(std::move(where)));
}

Diagnostic& Diagnostic::note(std::string message_text, SourceLocation where) & {
  notes.push_back(Note{std::move(message_text), where});
  return *this;
}
Diagnostic&& Diagnostic::note(std::string message_text, SourceLocation where) && {
  return std::move(note(std::move(message_text), where));
}

std::vector<const Diagnostic*> Diagnostic::all() const {
  std::vector<const Diagnostic*> out{this};
  for (const Diagnostic& extra : more) {
    for (const Diagnostic* d : extra.all()) out.push_back(d);
  }
  return out;
}

}  // namespace vyre
