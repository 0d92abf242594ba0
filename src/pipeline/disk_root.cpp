// Opening a disk store's root: the trust checks (owner, mode, no symlinks), the marker that makes
// a folder vyre's, the per-user secret, and the one warning when any of them fails.
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "disk_store_state.h"
#include "file_io.h"
#include "vyre/diag/codes.h"

namespace vyre::pipeline {
namespace {

constexpr std::string_view kMarkerSignature = "Signature: 8a477f597d28d172789f06886806bc55";
constexpr std::string_view kMarkerText =
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by vyre for its pipeline cache.\n"
    "# vyre only maintains folders holding this file. See https://bford.info/cachedir/\n";

// Names vyre itself puts in a root: a folder holding only these is an older vyre cache (or an
// empty one) that vyre may adopt by writing its marker.
bool is_vyre_root_name(std::string_view name) {
  if (name.size() == 2 && is_lower_hex(name)) return true;
  if (name == kTempDir || name == kCacheMarkerName || name == kSecretFileName ||
      name == "stats.json" || name == "stats.lock") {
    return true;
  }
  return name.starts_with("stats.json.") && name.ends_with(kTempSuffix);
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

DiskStore::DiskStore(DiskStoreOptions options, StoreContext context)
    : options_(std::move(options)),
      context_(std::move(context)),
      state_(std::make_unique<State>()) {
  State& s = *state_;
  s.owned_ops = options_.file_ops;
  s.counting_ops =
      std::make_unique<CountingFileOps>(s.owned_ops ? *s.owned_ops : real_file_ops(), s.counters);
  s.ops = s.counting_ops.get();
  if (options_.read_only) context_.create = false;
  const bool may_write = !options_.read_only && !context_.read_only;
  const bool may_create = may_write && options_.create && context_.create;
  const uid_t owner =
      options_.trusted_owner >= 0 ? static_cast<uid_t>(options_.trusted_owner) : ::geteuid();
  auto refuse = [&](Diagnostic diagnostic) {
    s.trusted = false;
    s.refusal = diagnostic;
    if (!context_.read_only) warn_once(s.warned_untrusted, diagnostic);
  };
  auto untrusted = [&](const std::string& what) {
    refuse(Diagnostic::warning(
        code::CacheFolderUntrusted,
        "pipeline cache folder '" + options_.root.string() + "' is not used: " + what +
            "; continuing without it",
        "use a folder of your own, mode 0700, with no symbolic link in it (chmod 700 it, or "
        "point VYRE_CACHE_DIR elsewhere)"));
  };
  if (options_.root.empty()) {
    refuse(Diagnostic::warning(code::CacheDiskUnavailable,
                               "pipeline cache has no folder configured; continuing memory-only",
                               "set VYRE_CACHE_DIR, XDG_CACHE_HOME or HOME"));
    return;
  }

  // The root: created 0700 (with missing parents) when allowed, then opened without following a
  // symlink, and checked like OpenSSH checks its key folders.
  if (may_create) {
    if (int e = file_io::make_dirs(options_.root.parent_path(), 0700); e == 0) {
      (void)s.ops->mkdirat(AT_FDCWD, options_.root.c_str(), 0700);
    }
  }
  s.root_fd = s.ops->open_dir(options_.root.c_str());
  if (s.root_fd < 0) {
    const int e = errno;
    if (e == ENOENT && !may_create) return;  // nothing there: an empty, unused store
    if (e == ELOOP || (e == ENOTDIR && std::filesystem::is_symlink(options_.root))) {
      untrusted("the folder is a symbolic link");
    } else {
      refuse(Diagnostic::warning(
          code::CacheDiskUnavailable,
          "pipeline cache cannot open the folder '" + options_.root.string() +
              "': " + file_io::errno_text(e) + "; continuing memory-only",
          "set VYRE_CACHE_DIR to a writable folder, or fix this one's permissions"));
    }
    return;
  }
  s.present = true;
  struct stat st {};
  if (s.ops->fstat(s.root_fd, &st) != 0) {
    untrusted("its owner and mode cannot be read");
    return;
  }
  const bool owner_ok = st.st_uid == owner || (options_.allow_root_owner && st.st_uid == 0);
  if (!owner_ok) {
    untrusted("it is owned by user " + std::to_string(st.st_uid) + ", not you (" +
              std::to_string(owner) + ")");
    return;
  }
  if ((st.st_mode & 022) != 0) {
    untrusted("it can be written by group or others (mode " + mode_text(st.st_mode) + ")");
    return;
  }

  // The marker: vyre's folder, or one vyre may adopt (empty, or only vyre's own names).
  struct stat marker {};
  bool marked = false;
  if (s.ops->fstatat(s.root_fd, std::string(kCacheMarkerName).c_str(), &marker) == 0) {
    char head[256] = {};
    int fd = S_ISREG(marker.st_mode)
                 ? s.ops->open_beneath(s.root_fd, std::string(kCacheMarkerName).c_str(),
                                       O_RDONLY | O_NONBLOCK)
                 : -1;
    if (fd >= 0) {
      const auto want = static_cast<std::size_t>(
          std::min<off_t>(marker.st_size, static_cast<off_t>(sizeof head - 1)));
      int e = s.ops->read_exact(fd, reinterpret_cast<std::uint8_t*>(head), want);
      if (e == FileOps::kShortIo) s.counters.add(StoreCounter::IoErrors);
      s.ops->close(fd);
      marked = e == 0 && std::string_view(head).starts_with(kMarkerSignature) &&
               std::string_view(head).find("vyre") != std::string_view::npos;
    }
  }
  if (!marked) {
    std::vector<DirName> names;
    bool adoptable = s.ops->list(s.root_fd, &names) == 0;
    for (const DirName& n : names) adoptable = adoptable && is_vyre_root_name(n.name);
    if (!adoptable) {
      refuse(Diagnostic::warning(
          code::CacheFolderNotVyres,
          "pipeline cache folder '" + options_.root.string() +
              "' holds files vyre did not create and has no vyre marker (" +
              std::string(kCacheMarkerName) + "); vyre does not use it, continuing without it",
          "point VYRE_CACHE_DIR at an empty or new folder: vyre creates it and marks it as its "
          "own"));
      return;
    }
  }

  // tmp/: a real folder of ours (never a symlink), created when missing.
  struct stat tmp {};
  if (s.ops->fstatat(s.root_fd, kTempDir, &tmp) != 0 && errno == ENOENT && may_create) {
    (void)s.ops->mkdirat(s.root_fd, kTempDir, 0700);
  }
  if (s.ops->fstatat(s.root_fd, kTempDir, &tmp) == 0) {
    std::string problem;
    if (S_ISLNK(tmp.st_mode)) {
      problem = "its tmp/ is a symbolic link";
    } else if (!S_ISDIR(tmp.st_mode)) {
      problem = "its tmp/ is not a folder";
    } else if (tmp.st_uid != st.st_uid || (tmp.st_mode & 022) != 0) {
      problem = "its tmp/ is another user's or writable by group or others";
    }
    if (!problem.empty()) {
      untrusted(problem);
      return;
    }
    s.tmp_fd = s.ops->open_beneath(s.root_fd, kTempDir, O_RDONLY | O_DIRECTORY);
  }

  if (!marked && may_create && s.tmp_fd >= 0) {
    // Written whole into tmp/ and linked into place, so no process ever sees half a marker.
    const std::string temp = "marker." + std::to_string(::getpid()) + std::string(kTempSuffix);
    int fd = s.ops->open_beneath(s.tmp_fd, temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      int e = s.ops->write_all(fd, reinterpret_cast<const std::uint8_t*>(kMarkerText.data()),
                               kMarkerText.size());
      s.ops->close(fd);
      if (e == 0) {
        (void)s.ops->linkat(s.tmp_fd, temp.c_str(), s.root_fd,
                            std::string(kCacheMarkerName).c_str());
      }
      (void)s.ops->unlinkat(s.tmp_fd, temp.c_str(), 0);
    }
  }

  if (options_.keyed && !load_secret(may_create)) {
    if (s.refusal || context_.create) return;
    // An inspection of a folder without a secret: list it, but with a secret nobody has, so
    // nothing in it authenticates (verify reports every entry).
    std::array<std::uint8_t, 32> nobodys{};
    (void)::getrandom(nobodys.data(), nobodys.size(), 0);
    s.secret = nobodys;
  }
  s.trusted = true;

  if (!may_write) return;
  const bool can_write = s.tmp_fd >= 0 && s.ops->faccessat(s.root_fd, ".", W_OK | X_OK) == 0 &&
                         s.ops->faccessat(s.tmp_fd, ".", W_OK | X_OK) == 0;
  if (!can_write) {
    const int e = s.tmp_fd < 0 ? ENOENT : errno;
    s.unwritable_warning = Diagnostic::warning(
        code::CacheDiskUnavailable,
        "pipeline cache cannot write to the folder '" + options_.root.string() +
            "': " + file_io::errno_text(e) +
            "; its entries are served, new ones are kept in "
            "memory only",
        "set VYRE_CACHE_DIR to a writable folder, fix this one's permissions or free space, or "
        "set VYRE_CACHE_READONLY=1 to use it read-only without this warning");
    return;
  }
  s.writable = true;
  if (options_.create && context_.create) clean_orphans();
}

bool DiskStore::load_secret(bool may_create) {
  State& s = *state_;
  const std::string name(kSecretFileName);
  auto unusable = [&](const std::string& what) {
    Diagnostic d = Diagnostic::warning(
        code::CacheSecretUnusable,
        "pipeline cache secret '" + (options_.root / name).string() + "' " + what +
            "; continuing without the disk cache",
        "remove the file so vyre creates a new one (mode 0600; every entry then recompiles once)");
    s.refusal = d;
    if (!context_.read_only) warn_once(s.warned_untrusted, d);
    return false;
  };
  struct stat st {};
  if (s.ops->fstatat(s.root_fd, name.c_str(), &st) != 0) {
    if (errno != ENOENT) return unusable("cannot be read: " + file_io::errno_text(errno));
    if (!may_create || s.tmp_fd < 0) {
      // No secret and none may be made: nothing here can be authenticated, so nothing is read.
      if (context_.read_only || !context_.create) return false;
      return unusable("does not exist and cannot be created");
    }
    std::array<std::uint8_t, 32> secret{};
    if (::getrandom(secret.data(), secret.size(), 0) != static_cast<ssize_t>(secret.size())) {
      return unusable("cannot be made: no random bytes");
    }
    const std::string temp = "secret." + std::to_string(::getpid()) + std::string(kTempSuffix);
    int fd = s.ops->open_beneath(s.tmp_fd, temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return unusable("cannot be created: " + file_io::errno_text(errno));
    int e = s.ops->write_all(fd, secret.data(), secret.size());
    if (e == FileOps::kShortIo) e = EIO;
    if (e == 0 && s.ops->fsync(fd) != 0) e = errno;
    s.ops->close(fd);
    // link() fails if another process made the secret first: then its secret is the one.
    if (e == 0 && s.ops->linkat(s.tmp_fd, temp.c_str(), s.root_fd, name.c_str()) != 0 &&
        errno != EEXIST) {
      e = errno;
    }
    (void)s.ops->unlinkat(s.tmp_fd, temp.c_str(), 0);
    if (e != 0) return unusable("cannot be created: " + file_io::errno_text(e));
  }
  int fd = s.ops->open_beneath(s.root_fd, name.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0) {
    return unusable(errno == ELOOP ? "is a symbolic link"
                                   : "cannot be opened: " + file_io::errno_text(errno));
  }
  std::array<std::uint8_t, 32> secret{};
  const uid_t owner =
      options_.trusted_owner >= 0 ? static_cast<uid_t>(options_.trusted_owner) : ::geteuid();
  std::string problem;
  if (s.ops->fstat(fd, &st) != 0) {
    s.counters.add(StoreCounter::IoErrors);
    problem = "cannot be read: " + file_io::errno_text(errno);
  } else if (!S_ISREG(st.st_mode) || st.st_size != static_cast<off_t>(secret.size())) {
    problem = "is not a 32-byte file";
  } else if (st.st_uid != owner || (st.st_mode & 077) != 0) {
    problem = "is another user's or readable by others (mode " + mode_text(st.st_mode) + ")";
  } else if (int e = s.ops->read_exact(fd, secret.data(), secret.size()); e != 0) {
    s.counters.add(StoreCounter::IoErrors);
    problem = "cannot be read: " + io_error_text(e);
  }
  s.ops->close(fd);
  if (!problem.empty()) return unusable(problem);
  s.secret = secret;
  return true;
}

void DiskStore::warn_once(std::atomic<bool>& flag, const Diagnostic& diagnostic) const {
  if (flag.exchange(true)) return;
  state_->counters.add(StoreCounter::Warnings);
  if (context_.warning_sink) context_.warning_sink(diagnostic);
}

bool DiskStore::writable() const {
  return state_->trusted && state_->writable.load(std::memory_order_relaxed);
}

bool DiskStore::keeps_stats() const {
  return state_->trusted && !options_.read_only && !context_.read_only && context_.create;
}

bool DiskStore::usable() const {
  return state_->trusted;
}

std::optional<Diagnostic> DiskStore::refusal() const {
  return state_->refusal;
}

std::optional<std::array<std::uint8_t, 32>> DiskStore::entry_secret() const {
  return state_->secret;
}

DiskStore::~DiskStore() {
  apply_touches();
  if (state_->tmp_fd >= 0) state_->ops->close(state_->tmp_fd);
  if (state_->root_fd >= 0) state_->ops->close(state_->root_fd);
}

}  // namespace vyre::pipeline
