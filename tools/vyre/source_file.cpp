#include "source_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"

namespace vyre::cli {

Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path,
                                                  std::string_view what_to_name) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    return Diagnostic::error(code::CannotReadFile,
                             "cannot open `" + path + "`: " + std::strerror(error),
                             "check the path and that the file is readable")
        .in(path);
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Diagnostic::error(code::CannotReadFile, "`" + path + "` is a folder, not a file",
                             "name " + std::string(what_to_name) + " inside it")
        .in(path);
  }
  std::vector<std::uint8_t> bytes;
  if (S_ISREG(st.st_mode)) bytes.reserve(static_cast<std::size_t>(st.st_size));
  std::uint8_t chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return Diagnostic::error(code::CannotReadFile,
                               "failed while reading `" + path + "`: " + std::strerror(error),
                               "check the file and the disk")
          .in(path);
    }
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  ::close(fd);
  return bytes;
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
  RenderOptions options;
  options.source = source;
  options.color = isatty(fileno(stderr)) != 0;
  std::fputs(render_human(diagnostic, options).c_str(), stderr);
}

}  // namespace vyre::cli
