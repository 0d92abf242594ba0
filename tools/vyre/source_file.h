// Reading a kernel file for the CLI, with failures as diagnostics.
#pragma once

#include <string>

#include "vyre/diag/result.h"

namespace vyre::cli {

// The whole file as text; a missing or unreadable file is a VY8001 diagnostic.
Result<std::string> read_text_file(const std::string& path);

// Prints a diagnostic to stderr: human form with the source snippet, or JSON.
void print_diagnostic(const Diagnostic& diagnostic, const std::string& source, bool json);

}  // namespace vyre::cli
