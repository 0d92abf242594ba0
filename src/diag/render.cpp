#include "vyre/diag/render.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace vyre {
namespace {

std::string_view line_of(std::string_view source, std::uint32_t line) {
  std::uint32_t current = 1;
  std::size_t start = 0;
  while (current < line) {
    std::size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
    ++current;
  }
  std::size_t end = source.find('\n', start);
  std::string_view text =
      source.substr(start, end == std::string_view::npos ? source.size() - start : end - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

void render_snippet(std::string& out, std::string_view source, SourceLocation loc) {
  std::string_view text = line_of(source, loc.line);
  if (text.empty() && loc.line > 1) return;
  std::string number = std::to_string(loc.line);
  std::string gutter(number.size(), ' ');
  out += fmt::format("{} |\n{} | {}\n{} | ", gutter, number, text, gutter);
  // Keep tabs so the caret lines up under the column in terminals.
  for (std::uint32_t i = 1; i < loc.column && i - 1 < text.size(); ++i) {
    out += text[i - 1] == '\t' ? '\t' : ' ';
  }
  out += "^\n";
}

void render_one(std::string& out, const Diagnostic& d, const RenderOptions& options) {
  const char* bold = options.color ? "\x1b[1m" : "";
  const char* reset = options.color ? "\x1b[0m" : "";
  const char* tint = "";
  if (options.color) tint = d.severity == Severity::Error ? "\x1b[1;31m" : "\x1b[1;33m";
  out += fmt::format("{}{}[{}]{}: {}{}{}\n", tint, severity_name(d.severity), d.code, reset, bold,
                     d.message, reset);
  if (d.location.known()) {
    out += fmt::format(" --> {}{}:{}\n", d.file.empty() ? "" : d.file + ":", d.location.line,
                       d.location.column);
    if (!options.source.empty()) render_snippet(out, options.source, d.location);
  } else if (!d.file.empty()) {
    out += fmt::format(" --> {}\n", d.file);
  }
  if (!d.path.empty()) out += fmt::format("  in: {}\n", d.path);
  for (const Note& n : d.notes) {
    if (n.location.known()) {
      out += fmt::format("note: {} (at {}:{})\n", n.message, n.location.line, n.location.column);
    } else {
      out += fmt::format("note: {}\n", n.message);
    }
  }
  if (!d.help.empty()) out += fmt::format("help: {}\n", d.help);
}

nlohmann::json to_json(const Diagnostic& d) {
  nlohmann::json notes = nlohmann::json::array();
  for (const Note& n : d.notes) {
    notes.push_back(
        {{"message", n.message}, {"line", n.location.line}, {"column", n.location.column}});
  }
  return {{"code", d.code},
          {"severity", severity_name(d.severity)},
          {"message", d.message},
          {"help", d.help},
          {"file", d.file},
          {"line", d.location.line},
          {"column", d.location.column},
          {"path", d.path},
          {"notes", notes}};
}

}  // namespace

std::string render_human(const Diagnostic& diagnostic, const RenderOptions& options) {
  std::string out;
  bool first = true;
  for (const Diagnostic* d : diagnostic.all()) {
    if (!first) out += '\n';
    first = false;
    render_one(out, *d, options);
  }
  return out;
}

std::string render_json(const Diagnostic& diagnostic) {
  return to_json(diagnostic).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string render_json_array(const Diagnostic& diagnostic) {
  nlohmann::json array = nlohmann::json::array();
  for (const Diagnostic* d : diagnostic.all()) array.push_back(to_json(*d));
  return array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace vyre
