// The system calls the disk store makes, behind one small interface: the real ones by default,
// and in tests a wrapper that fails any of them on demand (ENOSPC, EIO, EACCES, short reads and
// writes, fsync), so every failure path of the store can be driven and checked. Each call returns
// what its system call returns (-1 with errno set on failure); nothing here throws.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "vyre/pipeline/byte_store.h"

namespace vyre::pipeline {

// A folder entry from FileOps::list.
struct DirName {
  std::string name;
  unsigned char type = 0;  // DT_* from readdir (DT_UNKNOWN when the file system does not say)
};

class FileOps {
 public:
  virtual ~FileOps() = default;

  // open() of a folder without following a symlink at its last component.
  virtual int open_dir(const char* path);
  // Opens `relative` below `dir_fd` following no symlink at any component and never leaving
  // `dir_fd` (openat2 RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH; component by component with
  // O_NOFOLLOW where openat2 is missing). ELOOP when a component is a symlink.
  virtual int open_beneath(int dir_fd, const char* relative, int flags, mode_t mode = 0);
  virtual int fstat(int fd, struct stat* st);
  virtual int fstatat(int dir_fd, const char* name, struct stat* st);  // never follows
  virtual ssize_t pread(int fd, void* buf, std::size_t n, off_t offset);
  virtual ssize_t write(int fd, const void* buf, std::size_t n);
  virtual int fsync(int fd);
  virtual int mkdirat(int dir_fd, const char* name, mode_t mode);
  virtual int renameat(int old_dir, const char* old_name, int new_dir, const char* new_name);
  virtual int unlinkat(int dir_fd, const char* name, int flags);
  virtual int linkat(int old_dir, const char* old_name, int new_dir, const char* new_name);
  virtual int touch(int dir_fd, const char* relative);  // mtime := now, not following links
  // The names in the folder `dir_fd` (not "." or ".."), sorted; -1 with errno when unreadable.
  virtual int list(int dir_fd, std::vector<DirName>* out);
  virtual int close(int fd);
  virtual int faccessat(int dir_fd, const char* name, int mode);  // effective ids

  // Convenience built on the calls above (so a fault in them shows here too): 0, an errno, or
  // kShortIo when a write wrote nothing or a read ended before `n` bytes.
  static constexpr int kShortIo = -1;
  int write_all(int fd, const std::uint8_t* data, std::size_t n);
  int read_exact(int fd, std::uint8_t* data, std::size_t n);
};

// Forwards to another FileOps and counts every call that fails for a reason other than the
// expected ones (absent, exists, a symlink refused, not a folder) as an I/O error: how the disk
// store counts each failure of the file system, wherever it happens.
class CountingFileOps final : public FileOps {
 public:
  CountingFileOps(FileOps& inner, AtomicStoreCounters& counters)
      : inner_(inner), counters_(counters) {}
  int open_dir(const char* path) override { return count(inner_.open_dir(path)); }
  int open_beneath(int dir_fd, const char* relative, int flags, mode_t mode = 0) override {
    return count(inner_.open_beneath(dir_fd, relative, flags, mode));
  }
  int fstat(int fd, struct stat* st) override { return count(inner_.fstat(fd, st)); }
  int fstatat(int dir_fd, const char* name, struct stat* st) override {
    return count(inner_.fstatat(dir_fd, name, st));
  }
  ssize_t pread(int fd, void* buf, std::size_t n, off_t offset) override {
    return count(inner_.pread(fd, buf, n, offset));
  }
  ssize_t write(int fd, const void* buf, std::size_t n) override {
    return count(inner_.write(fd, buf, n));
  }
  int fsync(int fd) override { return count(inner_.fsync(fd), StoreCounter::FsyncErrors); }
  int mkdirat(int dir_fd, const char* name, mode_t mode) override {
    return count(inner_.mkdirat(dir_fd, name, mode));
  }
  int renameat(int old_dir, const char* old_name, int new_dir, const char* new_name) override {
    return count(inner_.renameat(old_dir, old_name, new_dir, new_name));
  }
  int unlinkat(int dir_fd, const char* name, int flags) override {
    return count(inner_.unlinkat(dir_fd, name, flags));
  }
  int linkat(int old_dir, const char* old_name, int new_dir, const char* new_name) override {
    return count(inner_.linkat(old_dir, old_name, new_dir, new_name));
  }
  int touch(int dir_fd, const char* relative) override {
    return count(inner_.touch(dir_fd, relative));
  }
  int list(int dir_fd, std::vector<DirName>* out) override {
    return count(inner_.list(dir_fd, out));
  }
  int close(int fd) override { return count(inner_.close(fd)); }
  int faccessat(int dir_fd, const char* name, int mode) override {
    return count(inner_.faccessat(dir_fd, name, mode));
  }

 private:
  template <typename T>
  T count(T result, StoreCounter counter = StoreCounter::IoErrors) {
    if (result < 0) {
      const int e = errno;
      if (e != ENOENT && e != EEXIST && e != ELOOP && e != ENOTDIR && e != EISDIR &&
          e != ENOTEMPTY && e != EXDEV && e != EINTR) {
        counters_.add(counter);
      }
      errno = e;
    }
    return result;
  }
  FileOps& inner_;
  AtomicStoreCounters& counters_;
};

// The process's real system calls.
FileOps& real_file_ops();

}  // namespace vyre::pipeline
