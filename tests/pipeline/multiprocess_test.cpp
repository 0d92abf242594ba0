// Process-level robustness: writers killed with SIGKILL, and many processes sharing one folder.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <random>

#include "pipeline/fake_backend.h"
#include "vyre/pipeline/cache_maintenance.h"

namespace vyre::pipeline {
namespace {

using namespace testing;

// A child that writes entries (large payloads, so the kill often lands mid-write) until killed.
[[noreturn]] void write_forever(const std::filesystem::path& root, std::uint32_t seed) {
  FakeBackend backend;
  backend.payload_bytes = 8 << 20;
  auto options = options_at(root);
  options.memory_max_entries = 0;
  auto cache = open_cache(options);
  for (std::uint32_t i = 0;; ++i) {
    std::uint32_t v = (seed * 7 + i) % 12;
    if (i % 3 == 0) cache->disk()->remove(cache->key_factors(backend, make_program(v), {})->key());
    (void)cache->obtain(backend, make_program(v), {});
    if (i % 5 == 0) (void)cache->flush();
  }
}

TEST(Multiprocess, KilledWritersNeverLeaveAServedBadEntry) {
  TempDir dir;
  std::mt19937 rng(12345);
  std::size_t temp_files_seen = 0;
  std::size_t entries_seen = 0;
  for (int round = 0; round < 25; ++round) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) write_forever(dir.path(), static_cast<std::uint32_t>(round));
    std::this_thread::sleep_for(std::chrono::microseconds(5000 + rng() % 60000));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer must have been killed, not have failed";
    temp_files_seen += count_files(dir / "tmp");
    entries_seen += DiskStore(inspect(dir.path()), {.create = false}).scan().size();

    // The next open removes the dead writer's temp files...
    FakeBackend backend;
    backend.payload_bytes = 8 << 20;
    auto cache = open_cache(options_at(dir.path()));
    EXPECT_EQ(count_files(dir / "tmp"), 0u) << "round " << round;
    // ...and every entry on disk is whole: none is ever served damaged.
    for (const CacheEntry& e : verify_entries(*cache->disk(), false).entries) {
      EXPECT_FALSE(e.defect) << e.item.location << ": " << e.defect->message;
    }
    for (std::uint32_t v = 0; v < 12; ++v) {
      auto got = cache->obtain(backend, make_program(v), {});
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(static_cast<const FakePipeline&>(**got).tag(),
                backend.expected_bytes(make_program(v), {}));
    }
    EXPECT_EQ(cache->snapshot().misses_for(MissReason::CorruptEntry), 0u);
    EXPECT_EQ(backend.load_rejects, 0);
  }
  std::printf("[ info ] killed writers left %zu temp files and %zu entries over 25 rounds\n",
              temp_files_seen, entries_seen);
  EXPECT_GT(entries_seen, 0u) << "the writers never got to write: the test proves nothing";
}

// 8 processes x 500 mixed reads and writes on one folder: no torn read, no wrong result.
TEST(Multiprocess, ConcurrentProcessesShareOneFolder) {
  TempDir dir;
  constexpr int kProcesses = 8;
  constexpr int kOps = 500;
  constexpr std::uint32_t kPrograms = 16;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      int failures = 0;
      {
        FakeBackend backend;
        backend.payload_bytes = 16 << 10;
        auto options = options_at(dir.path());
        options.memory_max_entries = 0;      // every read goes to the shared folder
        options.disk_max_bytes = 200 << 10;  // and eviction runs concurrently too
        auto cache = open_cache(options);
        std::mt19937 rng(static_cast<unsigned>(p) * 7919u + 1);
        for (int op = 0; op < kOps; ++op) {
          std::uint32_t v = rng() % kPrograms;
          ir::Program program = make_program(v);
          if (rng() % 3 == 0) {  // force a write: drop the entry, then obtain recompiles it
            cache->disk()->remove(cache->key_factors(backend, program, {})->key());
          }
          auto got = cache->obtain(backend, program, {});
          if (!got.ok() || static_cast<const FakePipeline&>(**got).tag() !=
                               backend.expected_bytes(program, {})) {
            ++failures;
          }
        }
        Telemetry t = cache->snapshot();
        failures += static_cast<int>(t.misses_for(MissReason::CorruptEntry));
        failures += backend.load_rejects;
        if (t.store("disk")->counters[StoreCounter::Writes] == 0 || t.store_hits == 0)
          ++failures;  // both paths were exercised
      }
      ::_exit(failures == 0 ? 0 : 1);
    }
    children.push_back(child);
  }
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "a process saw a torn read or a wrong result";
  }
  DiskStore disk(inspect(dir.path()), {.create = false});
  for (const CacheEntry& e : verify_entries(disk, false).entries) {
    EXPECT_FALSE(e.defect) << e.item.location;
  }
  EXPECT_EQ(count_files(dir / "tmp"), 0u);
}

}  // namespace
}  // namespace vyre::pipeline
