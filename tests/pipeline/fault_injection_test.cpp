// Every file operation of the disk store failed in turn (ENOSPC, EIO, EACCES, short reads and
// writes, failed fsync), through the store's FileOps seam: no request fails, no bad entry is
// served, and each failure is counted and reaches the stats `vyre cache stats` shows.
#include <gtest/gtest.h>

#include <cerrno>

#include "pipeline/fake_backend.h"
#include "pipeline/file_ops.h"
#include "vyre/pipeline/cache_maintenance.h"
#include "vyre/pipeline/stats_file.h"

namespace vyre::pipeline {
namespace {

using namespace testing;

enum class Op { Open, Stat, Read, Write, Sync, MakeDir, Rename, Unlink, Link, Touch, List, Access };
constexpr Op kOps[] = {Op::Open,   Op::Stat,   Op::Read, Op::Write, Op::Sync, Op::MakeDir,
                       Op::Rename, Op::Unlink, Op::Link, Op::Touch, Op::List, Op::Access};
const char* op_name(Op op) {
  static const char* names[] = {"open",   "stat",   "read", "write", "fsync", "mkdir",
                                "rename", "unlink", "link", "touch", "list",  "access"};
  return names[static_cast<int>(op)];
}

enum class Fault { Error, Short };

// Fails the nth call of one operation (and, for a short read or write, returns half and then an
// end of file or a zero-byte write).
class FaultyOps : public FileOps {
 public:
  FaultyOps(Op op, int nth, int error, Fault fault)
      : op_(op), nth_(nth), error_(error), fault_(fault) {}
  int fired() const { return fired_; }

  int open_dir(const char* p) override { return fail(Op::Open) ? -1 : FileOps::open_dir(p); }
  int open_beneath(int d, const char* r, int f, mode_t m) override {
    return fail(Op::Open) ? -1 : FileOps::open_beneath(d, r, f, m);
  }
  int fstat(int fd, struct stat* st) override {
    return fail(Op::Stat) ? -1 : FileOps::fstat(fd, st);
  }
  int fstatat(int d, const char* n, struct stat* st) override {
    return fail(Op::Stat) ? -1 : FileOps::fstatat(d, n, st);
  }
  ssize_t pread(int fd, void* buf, std::size_t n, off_t off) override {
    if (fault_ == Fault::Short && op_ == Op::Read && shorting_) return 0;  // then an early EOF
    if (fail(Op::Read)) {
      if (fault_ == Fault::Short) {
        shorting_ = true;
        return FileOps::pread(fd, buf, n / 2, off);
      }
      return -1;
    }
    return FileOps::pread(fd, buf, n, off);
  }
  ssize_t write(int fd, const void* buf, std::size_t n) override {
    if (fault_ == Fault::Short && op_ == Op::Write && shorting_) {
      shorting_ = false;
      errno = ENOSPC;  // the disk filled after a short write
      return -1;
    }
    if (fail(Op::Write)) {
      if (fault_ == Fault::Short) {
        shorting_ = true;
        return FileOps::write(fd, buf, n / 2);
      }
      return -1;
    }
    return FileOps::write(fd, buf, n);
  }
  int fsync(int fd) override { return fail(Op::Sync) ? -1 : FileOps::fsync(fd); }
  int mkdirat(int d, const char* n, mode_t m) override {
    return fail(Op::MakeDir) ? -1 : FileOps::mkdirat(d, n, m);
  }
  int renameat(int a, const char* b, int c, const char* e) override {
    return fail(Op::Rename) ? -1 : FileOps::renameat(a, b, c, e);
  }
  int unlinkat(int d, const char* n, int f) override {
    return fail(Op::Unlink) ? -1 : FileOps::unlinkat(d, n, f);
  }
  int linkat(int a, const char* b, int c, const char* e) override {
    return fail(Op::Link) ? -1 : FileOps::linkat(a, b, c, e);
  }
  int touch(int d, const char* r) override { return fail(Op::Touch) ? -1 : FileOps::touch(d, r); }
  int list(int d, std::vector<DirName>* out) override {
    return fail(Op::List) ? -1 : FileOps::list(d, out);
  }
  int faccessat(int d, const char* n, int m) override {
    return fail(Op::Access) ? -1 : FileOps::faccessat(d, n, m);
  }

 private:
  bool fail(Op op) {
    if (op != op_ || ++calls_ != nth_) return false;
    ++fired_;
    errno = error_;
    return true;
  }
  Op op_;
  int nth_;
  int error_;
  Fault fault_;
  int calls_ = 0;
  int fired_ = 0;
  bool shorting_ = false;
};

std::uint64_t failures_counted(const StoreCounters& c) {
  return c[StoreCounter::IoErrors] + c[StoreCounter::FsyncErrors] + c[StoreCounter::WriteFailures] +
         c[StoreCounter::RemoveFailures];
}

const std::string& tag_of(const std::shared_ptr<const CompiledPipeline>& p) {
  return static_cast<const FakePipeline&>(*p).tag();
}

// One run under a fault: open, compile and store four programs, hit them, flush, close. Returns
// whether the fault fired. A fault must show in a failure counter (not only as a warning or a
// miss); with no fault the store misses twice, for the two programs the warm cache lacks.
bool run_with_fault(Op op, int nth, int error, Fault fault) {
  constexpr std::uint64_t misses_without_fault = 2;
  TempDir dir;
  FakeBackend backend;
  {  // a warm cache, written without faults, so hits go through the faulty reads too
    auto warm = open_cache(options_at(dir.path()));
    for (std::uint32_t v = 0; v < 2; ++v) {
      if (!warm->obtain(backend, make_program(v), {}).ok()) ADD_FAILURE();
    }
  }
  auto ops = std::make_shared<FaultyOps>(op, nth, error, fault);
  DiskStoreOptions disk = inspect(dir.path());
  disk.file_ops = ops;
  disk.touch_granularity = std::chrono::seconds(0);
  WarningLog log;
  PipelineCacheOptions options = options_at({}, &log);
  options.stores = {DiskStore::row(disk)};
  options.memory_max_entries = 0;  // every request goes to the store
  options.persist_stats = true;
  const std::string what = std::string(op_name(op)) + " #" + std::to_string(nth) + " " +
                           (fault == Fault::Short ? "short" : strerrorname_np(error));
  StoreCounters counted;
  {
    auto cache = open_cache(options);
    for (int round = 0; round < 2; ++round) {
      for (std::uint32_t v = 0; v < 4; ++v) {
        const ir::Program program = make_program(v);
        auto got = cache->obtain(backend, program, {});
        EXPECT_TRUE(got.ok()) << what << ": a cache fault failed a request";
        if (got.ok()) EXPECT_EQ(tag_of(*got), backend.expected_bytes(program, {})) << what;
      }
    }
    (void)cache->flush();  // may report the fault; never throws
    counted = cache->snapshot().store("disk")->counters;
    if (ops->fired() > 0) {
      EXPECT_GT(failures_counted(counted), 0u) << what << ": the failure was not counted";
    } else {
      EXPECT_EQ(counted[StoreCounter::Misses], misses_without_fault) << what;
    }
  }
  EXPECT_EQ(backend.load_rejects, 0) << what << ": a bad entry reached Backend::load";

  // Afterwards, with no fault: every entry on disk is valid, and the stats hold the counts.
  DiskStore after(inspect(dir.path()), {.create = false});
  for (const CacheEntry& e : verify_entries(after, false).entries) {
    EXPECT_FALSE(e.defect) << what << ": " << e.item.location << ": " << e.defect->message;
  }
  auto stats = read_persisted_stats(dir.path());
  EXPECT_TRUE(stats.ok()) << what;
  if (stats.ok() && ops->fired() > 0 && failures_counted(counted) > 0 &&
      ::access((dir / "stats.json").c_str(), F_OK) == 0) {
    EXPECT_GE(failures_counted(stats->store("disk").counters), failures_counted(counted))
        << what << ": `vyre cache stats` would not show the failure";
  }
  return ops->fired() > 0;
}

// The I/O and fsync errors of a store are never silent: each is counted, warned about once
// (VY5xxx CacheWriteFailed, with a help line), and saved for `vyre cache stats`.
TEST(FaultInjection, StoreWriteAndFsyncErrorsAreCountedAndWarned) {
  struct Case {
    Op op;
    StoreCounter counter;
  };
  for (const Case& c :
       {Case{Op::Write, StoreCounter::IoErrors}, Case{Op::Sync, StoreCounter::FsyncErrors}}) {
    const std::string what = op_name(c.op);
    TempDir dir;
    FakeBackend backend;
    { auto create = open_cache(options_at(dir.path())); }  // marker and secret, without faults
    auto ops = std::make_shared<FaultyOps>(c.op, 1, EIO, Fault::Error);
    DiskStoreOptions disk = inspect(dir.path());
    disk.file_ops = ops;
    WarningLog log;
    PipelineCacheOptions options = options_at({}, &log);
    options.stores = {DiskStore::row(disk)};
    options.persist_stats = true;
    {
      auto cache = open_cache(options);
      ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok()) << what;
      Status flushed = cache->flush();
      ASSERT_EQ(ops->fired(), 1) << what;
      const StoreCounters counted = cache->snapshot().store("disk")->counters;
      EXPECT_EQ(counted[c.counter], 1u) << what;
      ASSERT_EQ(log.count(code::CacheWriteFailed), 1u) << what << ": the failure was silent";
      EXPECT_FALSE(log.warnings[0].help.empty()) << what;
      if (c.op == Op::Write) {
        EXPECT_EQ(counted[StoreCounter::WriteFailures], 1u);
        EXPECT_EQ(counted[StoreCounter::Writes], 0u);
      } else {
        ASSERT_FALSE(flushed.ok()) << "a failed fsync was reported as flushed";
        EXPECT_EQ(flushed.error().code, code::CacheIoError);
      }
    }
    auto stats = read_persisted_stats(dir.path());
    ASSERT_TRUE(stats.ok()) << what;
    EXPECT_EQ(stats->store("disk").counters[c.counter], 1u)
        << what << ": `vyre cache stats` would not show it";
  }
}

TEST(FaultInjection, EveryFileOperationFailingInTurnNeverFailsARequest) {
  struct Kind {
    int error;
    Fault fault;
  };
  const Kind kinds[] = {{ENOSPC, Fault::Error}, {EIO, Fault::Error}, {EACCES, Fault::Error}};
  int fired = 0;
  for (Op op : kOps) {
    for (const Kind& kind : kinds) {
      for (int nth = 1; nth <= 40; ++nth) {
        if (!run_with_fault(op, nth, kind.error, kind.fault)) break;  // past its last call
        ++fired;
      }
    }
  }
  for (int nth = 1; nth <= 40; ++nth) {
    if (!run_with_fault(Op::Read, nth, EIO, Fault::Short)) break;
    ++fired;
  }
  for (int nth = 1; nth <= 40; ++nth) {
    if (!run_with_fault(Op::Write, nth, ENOSPC, Fault::Short)) break;
    ++fired;
  }
  EXPECT_GT(fired, 100) << "the faults did not reach the store's operations";
}

}  // namespace
}  // namespace vyre::pipeline
