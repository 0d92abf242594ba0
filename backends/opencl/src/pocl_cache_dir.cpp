#include "pocl_cache_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "vyre/backends/opencl/codes.h"

namespace vyre::opencl {

std::optional<Diagnostic> pocl_cache_dir_problem() {
  const char* value = std::getenv("POCL_CACHE_DIR");
  if (value == nullptr || *value == '\0') return std::nullopt;
  const std::string dir = value;
  std::string why;
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      why = "is not a folder";
    } else if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      why = std::string("is a folder this process cannot write (") + std::strerror(errno) + ")";
    }
  } else {
    // PoCL creates the folder: the nearest part of the path that exists must be a writable folder.
    std::filesystem::path at = std::filesystem::path(dir).parent_path();
    while (!at.empty() && ::stat(at.c_str(), &st) != 0) at = at.parent_path();
    if (at.empty()) at = ".";
    if (!S_ISDIR(st.st_mode)) {
      why = "cannot be created: '" + at.string() + "' is not a folder";
    } else if (::access(at.c_str(), W_OK | X_OK) != 0) {
      why = "cannot be created in '" + at.string() + "' (" + std::strerror(errno) + ")";
    }
  }
  if (why.empty()) return std::nullopt;
  return Diagnostic::error(code::BackendUnavailable,
                           "the opencl backend is unavailable: POCL_CACHE_DIR='" + dir + "' " +
                               why + ", and PoCL keeps the programs it builds there",
                           "point POCL_CACHE_DIR at a folder you can write, or unset it (PoCL "
                           "then uses ~/.cache/pocl), or choose another backend");
}

}  // namespace vyre::opencl
