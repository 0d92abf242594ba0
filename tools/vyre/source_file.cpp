#include "source_file.h"

#include <unistd.h>

#include <cstdio>

#include "vyre/diag/render.h"
#include "vyre/runtime/npy.h"

namespace vyre::cli {
namespace {

// A NUL byte (from a binary file named as a kernel, say) would end fputs early and hide the rest
// of the diagnostic, so NULs are shown as \0.
std::string without_nuls(std::string text) {
  for (std::size_t at = text.find('\0'); at != std::string::npos; at = text.find('\0', at + 2)) {
    text.replace(at, 1, "\\0");
  }
  return text;
}

}  // namespace

Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path,
                                                  std::string_view what_to_name) {
  return read_regular_file(path, what_to_name);
}

Result<std::string> read_text_file(const std::string& path) {
  auto bytes = VYRE_TRY(read_file_bytes(path, "a kernel file (.vy)"));
  return std::string(bytes.begin(), bytes.end());
}

void print_diagnostic(const Diagnostic& diagnostic, const std::string& source, bool json) {
  if (json) {
    std::fprintf(stdout, "%s\n", render_json_array(diagnostic).c_str());
    return;
  }
  write_human(diagnostic, source);
}

void write_human(const Diagnostic& diagnostic, const std::string& source) {
  RenderOptions options;
  // The snippet keeps its columns: a NUL becomes one space there.
  std::string shown_source = source;
  for (char& ch : shown_source) {
    if (ch == '\0') ch = ' ';
  }
  options.source = shown_source;
  options.color = isatty(fileno(stderr)) != 0;
  const std::string text = without_nuls(render_human(diagnostic, options));
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace vyre::cli
