// Shared remote cache harness (prints one JSON object). Needs redis-server; it starts a private
// one on a free loopback port and kills it at the end.
//
//   remote hit vs disk hit   every sample a fresh process (this binary re-executed): one obtains
//                            saxpy from Redis with an empty local cache (verify the signature,
//                            load, write to the local disk); the other from a warm local disk
//                            holding the same entry. The two take turns; medians and quartiles
//                            of obtain() to a loaded kernel, and their difference.
//   fleet compile count      8 processes (forked), each its own disk cache, cold-start together
//                            on the same 20 programs: with the Redis tier (one compiler per key)
//                            and without it (8 independent caches); total compiles and wall time.
//
//   vyre_remote_cache_bench [--backend opencl] [--fleet-backend reference] [--samples 15]
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/redis_server.h"
#include "vyre/backends/builtin.h"
#include "vyre/ir/text.h"
#include "vyre/pipeline/pipeline_cache.h"
#include "vyre/pipeline/redis_store.h"
#include "vyre/registry/backend_registry.h"

namespace {

using namespace vyre;
using namespace vyre::pipeline;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view kSaxpy = R"(kernel saxpy workgroup(256) {
  param a: f32
  buffer x: read f32[n]
  buffer y: read_write f32[n]
  let i = global_id.x
  if i < len(y) { y[i] = a * x[i] + y[i] }
}
)";

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "vyre_remote_cache_bench: %s\n", what.c_str());
  std::exit(2);
}

double us_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

ir::Program parse(std::string_view text) {
  auto program = ir::parse_program(text);
  if (!program.ok()) die("kernel does not check: " + program.error().message);
  return std::move(program).value();
}

ir::Program fleet_program(std::uint32_t v) {
  return parse(fmt::format(
      "kernel fleet{} workgroup(64) {{\n  buffer y: read_write u32[n]\n  let i = global_id.x\n"
      "  if i < len(y) {{ y[i] = i * {}u + 7u }}\n}}\n",
      v, v));
}

std::shared_ptr<Backend> backend_named(const std::string& id) {
  (void)register_builtin_backends(BackendRegistry::global());
  auto backend = BackendRegistry::global().acquire(id);
  if (!backend.ok()) die("backend " + id + ": " + backend.error().message);
  return *backend;
}

// A cache on `root`; with `port`, the Redis store after the disk (signing with `seed` when given).
std::shared_ptr<PipelineCache> open_cache_at(const fs::path& root, std::uint16_t port,
                                             const std::string& seed_hex,
                                             const std::string& public_hex) {
  PipelineCacheOptions options;
  options.root = root;
  options.persist_stats = false;
  if (port != 0) {
    RemoteCacheOptions remote;
    remote.endpoint = {"127.0.0.1", port, 0};
    remote.key_namespace = "bench";
    if (!seed_hex.empty()) {
      auto seed = digest_from_hex(seed_hex);
      if (!seed) die("bad seed");
      remote.signing_key = std::make_shared<const SigningKey>(SigningKey::from_seed(*seed));
    }
    remote.trusted_keys.push_back(*parse_public_key(public_hex, "bench key"));
    options.stores.push_back(RedisStore::row(std::move(remote)));
  }
  auto cache = PipelineCache::open(std::move(options));
  if (!cache.ok()) die(cache.error().message);
  return *cache;
}

// Child: obtain saxpy once and report how it was served and how long obtain() took.
int child_obtain(const std::string& backend_id, const fs::path& root, std::uint16_t port,
                 const std::string& seed, const std::string& pub) {
  auto backend = backend_named(backend_id);
  ir::Program program = parse(kSaxpy);
  auto cache = open_cache_at(root, port, seed, pub);
  const Clock::time_point start = Clock::now();
  CacheOutcome outcome;
  auto got = cache->obtain(*backend, program, {}, &outcome);
  const double obtain_us = us_since(start);
  if (!got.ok()) die(got.error().message);
  (void)cache->flush();
  json out = {{"obtain_us", obtain_us},
              {"tier", std::string(cache_tier_name(outcome.tier))},
              {"store", outcome.store},
              {"lookup_us", outcome.lookup_ms * 1000},
              {"load_us", outcome.load_ms * 1000}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

json spawn(const std::vector<std::string>& args) {
  std::string command = fmt::format("'{}'", fs::read_symlink("/proc/self/exe").string());
  for (const std::string& arg : args) command += fmt::format(" '{}'", arg);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) die("popen failed");
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  if (::pclose(pipe) != 0) die("child failed: " + command);
  return json::parse(out);
}

json summary(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))];
  };
  return {{"median", at(0.5)}, {"p25", at(0.25)}, {"p75", at(0.75)},
          {"min", v.front()},  {"max", v.back()}, {"samples", v.size()}};
}

// 8 forked processes, each with its own disk cache, on the same programs at once.
json fleet(const std::string& backend_id, std::uint16_t port, const std::string& seed,
           const std::string& pub, int processes, std::uint32_t programs) {
  int start[2], reports[2];
  if (::pipe(start) != 0 || ::pipe(reports) != 0) die("pipe");
  std::vector<pipeline::testing::TempDir> roots(static_cast<std::size_t>(processes));
  (void)register_builtin_backends(BackendRegistry::global());
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    pid_t child = ::fork();
    if (child == 0) {
      ::close(start[1]);
      auto backend = backend_named(backend_id);
      auto cache = open_cache_at(roots[static_cast<std::size_t>(p)].path(), port, seed, pub);
      char c;
      while (::read(start[0], &c, 1) > 0) {
      }
      std::uint64_t failures = 0;
      for (std::uint32_t v = 0; v < programs; ++v) {
        failures += !cache->obtain(*backend, fleet_program(v), {}).ok();
      }
      (void)cache->flush();
      std::uint64_t report[2] = {cache->snapshot().compiles, failures};
      (void)::write(reports[1], report, sizeof report);
      ::_exit(0);
    }
    children.push_back(child);
  }
  ::close(start[0]);
  ::close(reports[1]);
  const Clock::time_point begin = Clock::now();
  ::close(start[1]);
  std::uint64_t compiles = 0, failures = 0;
  std::vector<std::uint64_t> per_process;
  for (int p = 0; p < processes; ++p) {
    std::uint64_t report[2] = {0, 0};
    if (::read(reports[0], report, sizeof report) != sizeof report) die("a fleet member died");
    compiles += report[0];
    failures += report[1];
    per_process.push_back(report[0]);
  }
  const double wall_ms = us_since(begin) / 1000;
  for (pid_t child : children) ::waitpid(child, nullptr, 0);
  ::close(reports[0]);
  return {{"processes", processes}, {"programs", programs}, {"compiles", compiles},
          {"failures", failures},   {"wall_ms", wall_ms},   {"per_process", per_process}};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 6 && args[0] == "--child") {
    return child_obtain(args[1], args[2], static_cast<std::uint16_t>(std::stoi(args[3])),
                        args[4] == "-" ? "" : args[4], args[5]);
  }
  std::string backend = "opencl", fleet_backend = "reference";
  int samples = 15;
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--backend")
      backend = args[i + 1];
    else if (args[i] == "--fleet-backend")
      fleet_backend = args[i + 1];
    else if (args[i] == "--samples")
      samples = std::stoi(args[i + 1]);
    else
      die("unknown option " + args[i]);
  }
  if (pipeline::testing::redis_server_binary().empty()) {
    std::printf("%s\n", json{{"skipped", "redis-server is not installed"}}.dump().c_str());
    return 0;
  }
  pipeline::testing::RedisServer server;
  if (!server.ok()) die("redis-server did not start");
  SigningKey key = SigningKey::generate();
  const std::string seed = to_hex(key.seed());
  const std::string pub = public_key_hex(key.public_key());
  const std::string port = std::to_string(server.port());

  // Warm: one writer compiles saxpy into its disk and Redis.
  pipeline::testing::TempDir warm;
  json cold = spawn({"--child", backend, warm.path().string(), port, seed, pub});
  std::vector<double> remote_us, disk_us, lookup_remote, lookup_disk;
  for (int s = 0; s < samples; ++s) {
    pipeline::testing::TempDir empty;
    json r = spawn({"--child", backend, empty.path().string(), port, "-", pub});
    if (r["store"] != "redis") die("the remote sample was not a Redis hit: " + r.dump());
    json d = spawn({"--child", backend, warm.path().string(), "0", "-", pub});
    if (d["store"] != "disk") die("the disk sample was not a disk hit: " + d.dump());
    remote_us.push_back(r["obtain_us"]);
    disk_us.push_back(d["obtain_us"]);
    lookup_remote.push_back(r["lookup_us"]);
    lookup_disk.push_back(d["lookup_us"]);
  }
  std::vector<double> diff;
  for (std::size_t i = 0; i < remote_us.size(); ++i) diff.push_back(remote_us[i] - disk_us[i]);

  json fleet_shared = fleet(fleet_backend, server.port(), seed, pub, 8, 20);
  json fleet_alone = fleet(fleet_backend, 0, "", pub, 8, 20);
  json out = {{"backend", backend},
              {"cold_compile", cold},
              {"remote_hit_obtain_us", summary(remote_us)},
              {"disk_hit_obtain_us", summary(disk_us)},
              {"remote_minus_disk_us", summary(diff)},
              {"remote_hit_lookup_us", summary(lookup_remote)},
              {"disk_hit_lookup_us", summary(lookup_disk)},
              {"fleet_backend", fleet_backend},
              {"fleet_with_redis", fleet_shared},
              {"fleet_independent", fleet_alone}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
