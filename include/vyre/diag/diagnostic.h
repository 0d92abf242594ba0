// Diagnostic: every error vyre reports is one of these values, with a stable catalogued code,
// a message, a "help:" line that says how to fix it, and where it happened.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vyre {

enum class Severity : std::uint8_t { Error, Warning, Note };

std::string_view severity_name(Severity severity);

// 1-based line and column in text IR; line 0 means "no source position".
struct SourceLocation {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  bool known() const { return line != 0; }
  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

struct Note {
  std::string message;
  SourceLocation location;
};

struct Diagnostic {
  std::string code;  // stable id from the catalogue (vyre/diag/codes.def), e.g. "VY2003"
  Severity severity = Severity::Error;
  std::string message;
  std::string help;         // how to fix it; rendered as "help: ..."
  SourceLocation location;  // line:column when the program came from text
  std::string path;         // path into the program or object, e.g. "kernel saxpy > body[1] > if"
  std::string file;         // source file name, when known
  std::vector<Note> notes;  // related positions ("first declared here")
  std::vector<Diagnostic> more;  // further independent errors found in the same pass

  // Cold: a branch that builds a diagnostic is the unlikely one, so the compiler moves it (and
  // the message it formats) out of line, away from the code of the path that succeeds.
  [[gnu::cold]] static Diagnostic error(std::string_view code, std::string message,
                                        std::string help);
  [[gnu::cold]] static Diagnostic warning(std::string_view code, std::string message,
                                          std::string help);

  Diagnostic& at(SourceLocation where) &;
  Diagnostic&& at(SourceLocation where) &&;
  Diagnostic& in(std::string where) &;
  Diagnostic&& in(std::string where) &&;
  Diagnostic& note(std::string message, SourceLocation where = {}) &;
  Diagnostic&& note(std::string message, SourceLocation where = {}) &&;

  // This diagnostic followed by everything in `more`, flattened.
  std::vector<const Diagnostic*> all() const;
};

}  // namespace vyre
