#include "source_file.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"

namespace vyre::cli {

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Diagnostic::error(code::CannotReadFile, "cannot open `" + path + "`",
                             "check the path and that the file is readable")
        .in(path);
  }
  // A folder opens as a stream but reads as nothing; say so instead of parsing "".
  if (std::error_code ec; std::filesystem::is_directory(path, ec)) {
    return Diagnostic::error(code::CannotReadFile, "`" + path + "` is a folder, not a file",
                             "name a kernel file (.vy) inside it")
        .in(path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return Diagnostic::error(code::CannotReadFile, "failed while reading `" + path + "`",
                             "check the file and the disk")
        .in(path);
  }
  return text.str();
}

void print_diagnostic(const Diagnostic& diagnostic, const std::string& source, bool json) {
  if (json) {
    std::fprintf(stdout, "%s\n", render_json_array(diagnostic).c_str());
    return;
  }
  RenderOptions options;
  options.source = source;
  options.color = isatty(fileno(stderr)) != 0;
  std::fputs(render_human(diagnostic, options).c_str(), stderr);
}

}  // namespace vyre::cli
