// Reading a kernel file for the CLI, with failures as diagnostics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/diag/result.h"

namespace vyre::cli {

// The whole file; a missing, unreadable or folder path is a VY8001 diagnostic whose help names
// `what_to_name` ("a kernel file (.vy)") as what to pick inside a folder; a FIFO or device is
// VY8203 (vyre::read_regular_file).
Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path,
                                                  std::string_view what_to_name = "a file");

// The whole file as text; a missing or unreadable file is a VY8001 diagnostic.
Result<std::string> read_text_file(const std::string& path);

// Prints a diagnostic to stderr: human form with the source snippet, or JSON.
void print_diagnostic(const Diagnostic& diagnostic, const std::string& source, bool json);
// The human form on stderr, whole even when the message or source holds NUL bytes.
void write_human(const Diagnostic& diagnostic, const std::string& source = "");

}  // namespace vyre::cli
