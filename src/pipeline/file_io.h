// Small POSIX helpers for the disk tier and the stats file: errno-returning, exception-free.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace vyre::pipeline::file_io {

// Creates `path` and any missing parents with `mode`; 0 or an errno (ENOTDIR when a component
// is not a folder).
int make_dirs(const std::filesystem::path& path, mode_t mode);
// Writes every byte; 0 or an errno.
int write_all(int fd, std::span<const std::uint8_t> bytes);
// Reads exactly out->size() bytes from offset 0; 0, an errno, or EIO when the file is shorter.
int read_exact(int fd, std::span<std::uint8_t> out);
// fsync of a folder (so renames and creations in it are durable); 0 or an errno.
int fsync_dir(const std::filesystem::path& dir);
// Whether a process with this id exists (EPERM counts as alive).
bool process_alive(pid_t pid);
std::string errno_text(int error_number);  // "No space left on device (ENOSPC)"
std::int64_t mtime_ns(const struct stat& st);

}  // namespace vyre::pipeline::file_io
