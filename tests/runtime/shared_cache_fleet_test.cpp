// The shared remote tier as a fleet sees it: 8 processes with their own disk caches (8 simulated
// machines) on one private redis-server, dispatching real programs on the reference backend.
// Cold-started together they compile each program once between them; with the server killed,
// paused or full mid-run no dispatch fails, every output is right, and each process warns once.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

#include "pipeline/redis_server.h"
#include "vyre/backends/builtin.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/text.h"
#include "vyre/pipeline/redis_store.h"
#include "vyre/runtime/runtime.h"

namespace vyre {
namespace {

using namespace pipeline;
using namespace pipeline::testing;

constexpr int kProcesses = 8;
constexpr std::uint32_t kPrograms = 20;
constexpr std::size_t kElements = 64;

ir::Program fleet_program(std::uint32_t v) {
  std::string text = "kernel fleet" + std::to_string(v) +
                     " workgroup(64) {\n"
                     "  buffer y: read_write u32[n]\n"
                     "  let i = global_id.x\n"
                     "  if i < len(y) { y[i] = i * " +
                     std::to_string(v) + "u + 7u }\n}\n";
  auto program = ir::parse_program(text);
  if (!program.ok()) std::abort();
  return std::move(program).value();
}

struct ChildReport {
  std::uint64_t compiles = 0;
  std::uint64_t remote_hits = 0;
  std::uint64_t failed_runs = 0;
  std::uint64_t wrong_outputs = 0;
  std::uint64_t unavailable_warnings = 0;
  std::uint64_t other_warnings = 0;
  std::uint64_t disk_entries = 0;
};

// Blocks until the parent closes its end of `fds`.
void wait_for(int fds[2]) {
  char c;
  while (::read(fds[0], &c, 1) > 0) {
  }
}

// How a fleet member gets its pipelines: one run() per program, or Runtime::precompile of the
// whole range first (one PipelineCache::obtain_many), in an order that differs per member.
enum class Obtain { PerRun, Batch };

// A process of the fleet: phase 1 runs programs [0, 20), then it tells the parent, waits for
// phase 2 (the parent may break the server meanwhile) and runs [20, 40).
[[noreturn]] void fleet_member(const RedisServer& server, const std::filesystem::path& root,
                               std::shared_ptr<const SigningKey> signer, int start[2],
                               int phase2[2], int done_fd, int report_fd, bool second_phase,
                               Obtain obtain, int member) {
  std::atomic<std::uint64_t> unavailable{0}, other{0};
  PipelineCacheOptions options = options_at(root);
  options.warning_sink = [&](const Diagnostic& d) {
    (d.code == code::RemoteCacheUnavailable ? unavailable : other).fetch_add(1);
  };
  RemoteCacheOptions remote = remote_options_for(server, signer, {signer->public_key()});
  options.stores.push_back(RedisStore::row(remote));
  auto cache = open_cache(options);
  Runtime runtime(BackendRegistry::global(), cache);
  DispatchConfig config;
  config.allowed_backends = {"reference"};
  ChildReport report;
  auto precompile_range = [&](std::uint32_t first, std::uint32_t last) {
    std::vector<ir::Program> programs;
    const std::uint32_t n = last - first;
    for (std::uint32_t k = 0; k < n; ++k) {
      programs.push_back(fleet_program(first + (k + 3 * static_cast<std::uint32_t>(member)) % n));
    }
    std::vector<const ir::Program*> batch;
    for (const ir::Program& p : programs) batch.push_back(&p);
    for (const auto& r : runtime.precompile(batch, config)) {
      if (!r.ok()) ++report.failed_runs;
    }
  };
  auto run_range = [&](std::uint32_t first, std::uint32_t last) {
    if (obtain == Obtain::Batch) precompile_range(first, last);
    for (std::uint32_t v = first; v < last; ++v) {
      RunInputs in;
      in.buffers["y"] = HostBuffer::of(ir::Type::U32, std::vector<std::uint32_t>(kElements, 0));
      auto result = runtime.run(fleet_program(v), std::move(in), config);
      if (!result.ok()) {
        ++report.failed_runs;
        continue;
      }
      auto y = result->outputs.at("y").to_vector<std::uint32_t>();
      for (std::size_t i = 0; i < kElements; ++i) {
        if (y[i] != static_cast<std::uint32_t>(i) * v + 7u) {
          ++report.wrong_outputs;
          break;
        }
      }
    }
  };
  wait_for(start);
  run_range(0, kPrograms);
  (void)::write(done_fd, "x", 1);
  if (second_phase) {
    wait_for(phase2);
    run_range(kPrograms, 2 * kPrograms);
  }
  (void)cache->flush();
  Telemetry t = cache->snapshot();
  report.compiles = t.compiles;
  if (const StoreTelemetry* redis = t.store("redis")) report.remote_hits = redis->served;
  if (DiskStore* disk = cache->disk()) report.disk_entries = disk->scan().size();
  report.unavailable_warnings = unavailable.load();
  report.other_warnings = other.load();
  (void)::write(report_fd, &report, sizeof report);
  ::_exit(0);
}

enum class Breakage { None, Killed, Paused, Full };

struct FleetRun {
  std::vector<ChildReport> reports;
  std::uint64_t total_compiles = 0;
};

// Runs the fleet; between the phases `breakage` is done to the server.
FleetRun run_fleet(RedisServer& server, Breakage breakage, Obtain obtain = Obtain::PerRun) {
  (void)register_builtin_backends(BackendRegistry::global());  // before fork: no threads yet
  auto signer = std::make_shared<const SigningKey>(SigningKey::generate());
  std::vector<std::unique_ptr<TempDir>> roots;
  int start[2], phase2[2], done[2], reports[2];
  if (::pipe(start) != 0 || ::pipe(phase2) != 0 || ::pipe(done) != 0 || ::pipe(reports) != 0) {
    ADD_FAILURE() << "pipe";
    return {};
  }
  const bool second_phase = breakage != Breakage::None;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    roots.push_back(std::make_unique<TempDir>());
    pid_t child = ::fork();
    if (child == 0) {
      ::close(start[1]);
      ::close(phase2[1]);
      fleet_member(server, roots.back()->path(), signer, start, phase2, done[1], reports[1],
                   second_phase, obtain, p);
    }
    children.push_back(child);
  }
  ::close(start[0]);
  ::close(phase2[0]);
  ::close(done[1]);
  ::close(reports[1]);
  ::close(start[1]);  // all together now
  for (int p = 0; p < kProcesses; ++p) {
    char c;
    if (::read(done[0], &c, 1) != 1) ADD_FAILURE() << "a fleet member died in phase 1";
  }
  switch (breakage) {
    case Breakage::None:
      break;
    case Breakage::Killed:
      server.kill();
      break;
    case Breakage::Paused:  // far beyond the 200 ms command timeout
      EXPECT_TRUE(server.command({"CLIENT", "PAUSE", "4000", "ALL"}).ok());
      break;
    case Breakage::Full: {
      std::string filler(512 << 10, 'f');
      for (int i = 0; i < 4; ++i) (void)server.command({"SET", "f" + std::to_string(i), filler});
      EXPECT_TRUE(server.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"}).ok());
      EXPECT_TRUE(server.command({"CONFIG", "SET", "maxmemory", "1mb"}).ok());
      break;
    }
  }
  ::close(phase2[1]);
  FleetRun run;
  for (int p = 0; p < kProcesses; ++p) {
    ChildReport r;
    if (::read(reports[0], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) {
      ADD_FAILURE() << "a fleet member sent no report";
      continue;
    }
    run.reports.push_back(r);
    run.total_compiles += r.compiles;
  }
  for (pid_t child : children) {
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a fleet member crashed";
  }
  ::close(done[0]);
  ::close(reports[0]);
  return run;
}

void expect_compiled_once(const FleetRun& run) {
  ASSERT_EQ(run.reports.size(), static_cast<std::size_t>(kProcesses));
  EXPECT_EQ(run.total_compiles, kPrograms) << "each program compiled exactly once in the fleet";
  std::uint64_t remote_hits = 0;
  for (const ChildReport& r : run.reports) {
    EXPECT_EQ(r.failed_runs, 0u);
    EXPECT_EQ(r.wrong_outputs, 0u);
    EXPECT_EQ(r.unavailable_warnings + r.other_warnings, 0u);
    EXPECT_EQ(r.compiles + r.remote_hits, kPrograms) << "every other program came from Redis";
    EXPECT_EQ(r.disk_entries, kPrograms) << "remote hits are written to the local disk";
    remote_hits += r.remote_hits;
  }
  EXPECT_EQ(remote_hits, kPrograms * (kProcesses - 1));
}

TEST(SharedCacheFleet, EightColdProcessesCompileEachProgramOnce) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  expect_compiled_once(run_fleet(server, Breakage::None));
}

// Each member precompiles all 20 programs as one batch, starting at a different program, so
// batches meet keys that other members lead: they wait for those only after their own compiles.
TEST(SharedCacheFleet, EightColdProcessesPrecompilingInBatchesCompileEachProgramOnce) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  expect_compiled_once(run_fleet(server, Breakage::None, Obtain::Batch));
}

void expect_survived(const FleetRun& run, const char* what) {
  ASSERT_EQ(run.reports.size(), static_cast<std::size_t>(kProcesses)) << what;
  for (const ChildReport& r : run.reports) {
    EXPECT_EQ(r.failed_runs, 0u) << what;
    EXPECT_EQ(r.wrong_outputs, 0u) << what;
    EXPECT_EQ(r.unavailable_warnings, 1u) << what << ": one warning per process";
    EXPECT_EQ(r.other_warnings, 0u) << what;
  }
}

TEST(SharedCacheFleet, AServerKilledMidRunFailsNoDispatch) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  expect_survived(run_fleet(server, Breakage::Killed), "killed");
}

TEST(SharedCacheFleet, AServerPausedBeyondTheTimeoutFailsNoDispatch) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  expect_survived(run_fleet(server, Breakage::Paused), "paused");
}

TEST(SharedCacheFleet, AFullServerFailsNoDispatch) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  expect_survived(run_fleet(server, Breakage::Full), "full");
}

}  // namespace
}  // namespace vyre
