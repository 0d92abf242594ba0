#include "file_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vyre::pipeline {
namespace {

// openat2 where the kernel has it (5.6+); ENOSYS otherwise.
int openat2_no_symlinks(int dir_fd, const char* relative, int flags, mode_t mode) {
#ifdef SYS_openat2
  struct open_how how {};
  how.flags = static_cast<std::uint64_t>(flags);
  how.mode = (flags & O_CREAT) != 0 ? mode : 0;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, dir_fd, relative, &how, sizeof how));
#else
  (void)dir_fd, (void)relative, (void)flags, (void)mode;
  errno = ENOSYS;
  return -1;
#endif
}

}  // namespace

int FileOps::open_dir(const char* path) {
  return ::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int FileOps::open_beneath(int dir_fd, const char* relative, int flags, mode_t mode) {
  flags |= O_CLOEXEC | O_NOFOLLOW;
  int fd = openat2_no_symlinks(dir_fd, relative, flags, mode);
  if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) {  // EPERM: a seccomp filter refusing it
    if (fd < 0 && errno == EXDEV) errno = ELOOP;         // a component pointed outside
    if (fd < 0 && errno == ENOTDIR) {
      // O_NOFOLLOW | O_DIRECTORY on a symlink says ENOTDIR: tell it from a plain file.
      struct stat st {};
      if (::fstatat(dir_fd, relative, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        errno = ELOOP;
      } else {
        errno = ENOTDIR;
      }
    }
    return fd;
  }
  // Component by component: every folder opened O_NOFOLLOW | O_DIRECTORY relative to the last.
  std::string path(relative);
  if (path.empty() || path.front() == '/') {
    errno = EXDEV;
    return -1;
  }
  int at = dir_fd;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? slash : slash - start);
    if (part == "..") {
      if (at != dir_fd) ::close(at);
      errno = EXDEV;
      return -1;
    }
    const bool last = slash == std::string::npos;
    int next = ::openat(at, part.c_str(),
                        last ? flags : O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, mode);
    int e = errno;
    if (next < 0 && e == ENOTDIR) {
      // O_NOFOLLOW | O_DIRECTORY on a symlink says ENOTDIR: tell it from a plain file.
      struct stat st {};
      if (::fstatat(at, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        e = ELOOP;
      }
    }
    if (at != dir_fd) ::close(at);
    if (next < 0 || last) {
      errno = e;
      return next;
    }
    at = next;
    start = slash + 1;
  }
}

int FileOps::fstat(int fd, struct stat* st) {
  return ::fstat(fd, st);
}

int FileOps::fstatat(int dir_fd, const char* name, struct stat* st) {
  return ::fstatat(dir_fd, name, st, AT_SYMLINK_NOFOLLOW);
}

ssize_t FileOps::pread(int fd, void* buf, std::size_t n, off_t offset) {
  return ::pread(fd, buf, n, offset);
}

ssize_t FileOps::write(int fd, const void* buf, std::size_t n) {
  return ::write(fd, buf, n);
}

int FileOps::fsync(int fd) {
  return ::fsync(fd);
}

int FileOps::mkdirat(int dir_fd, const char* name, mode_t mode) {
  return ::mkdirat(dir_fd, name, mode);
}

int FileOps::renameat(int old_dir, const char* old_name, int new_dir, const char* new_name) {
  return ::renameat(old_dir, old_name, new_dir, new_name);
}

int FileOps::unlinkat(int dir_fd, const char* name, int flags) {
  return ::unlinkat(dir_fd, name, flags);
}

int FileOps::linkat(int old_dir, const char* old_name, int new_dir, const char* new_name) {
  return ::linkat(old_dir, old_name, new_dir, new_name, 0);
}

int FileOps::touch(int dir_fd, const char* relative) {
  return ::utimensat(dir_fd, relative, nullptr, AT_SYMLINK_NOFOLLOW);
}

int FileOps::list(int dir_fd, std::vector<DirName>* out) {
  out->clear();
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") out->push_back(DirName{std::string(name), e->d_type});
  }
  ::closedir(d);
  std::sort(out->begin(), out->end(),
            [](const DirName& a, const DirName& b) { return a.name < b.name; });
  return 0;
}

int FileOps::close(int fd) {
  return ::close(fd);
}

int FileOps::faccessat(int dir_fd, const char* name, int mode) {
  return ::faccessat(dir_fd, name, mode, AT_EACCESS);
}

int FileOps::write_all(int fd, const std::uint8_t* data, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t got = write(fd, data + done, n - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (got == 0) return kShortIo;
    done += static_cast<std::size_t>(got);
  }
  return 0;
}

int FileOps::read_exact(int fd, std::uint8_t* data, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t got = pread(fd, data + done, n - done, static_cast<off_t>(done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (got == 0) return kShortIo;  // shorter than its size said: changed under us, or truncated
    done += static_cast<std::size_t>(got);
  }
  return 0;
}

FileOps& real_file_ops() {
  static FileOps ops;
  return ops;
}

}  // namespace vyre::pipeline
