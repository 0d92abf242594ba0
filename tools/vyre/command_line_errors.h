// Command-line parser errors as vyre diagnostics: an unknown subcommand (VY8201, with the nearest
// name suggested) or any other malformed argument (VY8202), instead of CLI11's bare text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace vyre::cli {

// The candidate closest to `word` by edit distance, or "" when none is plausibly meant.
std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates);

// Prints --help / --version output or the diagnostic for `error`; returns the exit code.
int report_parse_error(CLI::App& app, const CLI::ParseError& error);

}  // namespace vyre::cli
