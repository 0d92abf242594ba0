// `vyre fuzz`: generates random programs (tools/progen), runs each on several backends,
// compares them with the first (the oracle), and minimises every disagreement into a
// reproducer: a text-IR file, its inputs as .npy files and a README line with the command.
// Programs go in batches (--batch): each backend compiles a batch in one build, since an OpenCL
// build on PoCL costs ~0.5 s however many kernels it holds.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.h"
#include "progress_line.h"
#include "source_file.h"
#include "vyre/backends/builtin.h"
#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"
#include "vyre/ir/text.h"
#include "vyre/progen/differential.h"
#include "vyre/runtime/npy.h"

namespace vyre::cli {
namespace {

struct FuzzArgs {
  std::string backends = "reference,opencl";
  std::uint64_t seed = 1;
  std::uint64_t count = 100;
  std::uint64_t batch = 64;
  std::string out = "vyre-fuzz";
  std::uint32_t max_attempts = 300;
  bool json = false;
};

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

void write_reproducer(const std::filesystem::path& dir, const progen::Minimised& m,
                      const std::vector<std::string>& backends, const std::string& detail) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "program.vy") << ir::print_program(m.program);
  std::string inputs;
  for (const auto& [name, buffer] : m.inputs.buffers) {
    auto bytes = encode_npy({buffer, {}});
    std::ofstream(dir / (name + ".npy"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    inputs += fmt::format(" --in {}={}.npy", name, name);
  }
  for (const auto& [name, value] : m.inputs.params) {
    inputs += fmt::format(" --param {}={}", name, value.to_string());
  }
  std::ofstream readme(dir / "README");
  readme << "disagreement: " << detail << "\n";
  for (const std::string& id : backends) {
    readme << "cd " << dir.string() << " && vyre run program.vy --backend " << id << inputs << "\n";
  }
}

struct Tally {
  std::uint64_t agreed = 0, disagreed = 0, skipped = 0;
  std::uint64_t done() const { return agreed + disagreed + skipped; }
};

// Progress on stderr, so a long run that is cut off still says how far it got: the fraction
// done and an estimate of the time left, after every batch, rewritten in place on a terminal and
// at most every 10 seconds otherwise (CI logs).
class Progress {
 public:
  explicit Progress(std::uint64_t total) : total_(total) {}
  void report(const Tally& tally, bool final = false) {
    if (final && !line_.shown()) return;  // a short run needs no progress line
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(tally.done()) / seconds : 0.0;
    const double left =
        rate > 0 ? static_cast<double>(total_ - std::min(total_, tally.done())) / rate : -1;
    line_.show(fmt::format(
        "fuzz: {}/{} programs ({:.0f}%): {} agreed, {} disagreed, {} skipped; {:.1f} programs/s, "
        "{} elapsed, about {} left",
        tally.done(), total_,
        total_ ? 100.0 * static_cast<double>(tally.done()) / static_cast<double>(total_) : 100.0,
        tally.agreed, tally.disagreed, tally.skipped, rate, duration_text(seconds),
        duration_text(left)));
    if (final) line_.finish();
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t total_;
  ProgressLine line_;
  Clock::time_point start_ = Clock::now();
};

// Differential testing needs an oracle and at least one other backend, each able to start:
// otherwise every program would "disagree" with a backend that never ran.
Status check_backends(const std::vector<std::string>& backends) {
  std::vector<std::string> distinct;
  for (const std::string& id : backends) {
    if (std::find(distinct.begin(), distinct.end(), id) == distinct.end()) distinct.push_back(id);
  }
  if (distinct.size() < 2) {
    return Diagnostic::error(code::FuzzNeedsBackends,
                             "--backends " + fmt::format("{}", fmt::join(backends, ",")) +
                                 " names " + std::to_string(distinct.size()) + " distinct backend" +
                                 (distinct.size() == 1 ? "" : "s") +
                                 "; fuzzing compares at least two",
                             "name the oracle first and the backends to test after it, e.g. "
                             "--backends reference,opencl");
  }
  for (const BackendStatus& status : BackendRegistry::global().list()) {
    if (std::find(distinct.begin(), distinct.end(), status.id) == distinct.end()) continue;
    if (!status.available) {
      Diagnostic d = Diagnostic::error(code::FuzzNeedsBackends,
                                       "backend `" + status.id + "` is not available here",
                                       "`vyre backends` says why; leave it out of --backends");
      if (status.why_unavailable) d.note("because: " + status.why_unavailable->message);
      return d;
    }
    distinct.erase(std::find(distinct.begin(), distinct.end(), status.id));
  }
  if (!distinct.empty()) {
    return Diagnostic::error(code::FuzzNeedsBackends,
                             "no backend `" + distinct.front() + "` is registered",
                             "`vyre backends` lists the backends of this build");
  }
  return Ok{};
}

int run_fuzz(const FuzzArgs& args) {
  (void)register_builtin_backends(BackendRegistry::global());
  const auto backends = split(args.backends);
  if (Status usable = check_backends(backends); !usable) {
    write_human(usable.error());
    return 2;
  }
  const std::uint64_t batch_size = std::max<std::uint64_t>(args.batch, 1);
  auto cache = progen::open_fuzz_cache(batch_size, backends.size());  // memory only
  if (!cache.ok()) {
    std::fputs(render_human(cache.error()).c_str(), stderr);
    return 2;
  }
  Runtime runtime(BackendRegistry::global(), *cache);
  Tally tally;
  Progress progress(args.count);
  nlohmann::json failures = nlohmann::json::array();
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t first = 0; first < args.count; first += batch_size) {
    const std::uint64_t n = std::min(batch_size, args.count - first);
    std::vector<progen::Case> cases;
    std::vector<std::uint64_t> seeds;
    for (std::uint64_t k = first; k < first + n; ++k) {
      const std::uint64_t seed = args.seed + k;
      progen::GeneratedCase generated = progen::generate(seed);
      auto program = ir::check(generated.draft.clone());
      if (!program.ok()) {
        std::fprintf(stderr, "seed %llu: generator produced an invalid program (a bug)\n",
                     static_cast<unsigned long long>(seed));
        ++tally.disagreed;
        continue;
      }
      cases.push_back({std::move(program).value(), progen::to_run_inputs(generated.inputs)});
      seeds.push_back(seed);
    }
    auto verdicts = progen::run_differential_batch(runtime, cases, backends);
    for (std::size_t k = 0; k < cases.size(); ++k) {
      const progen::DiffResult& result = verdicts[k];
      if (result.verdict == progen::Verdict::Agreed) {
        ++tally.agreed;
        continue;
      }
      if (result.verdict == progen::Verdict::Skipped) {
        ++tally.skipped;
        continue;
      }
      ++tally.disagreed;
      const std::uint64_t seed = seeds[k];
      auto still_fails = [&](const ir::Program& p, const RunInputs& in) {
        return progen::run_differential(runtime, p, in, backends).verdict ==
               progen::Verdict::Disagreed;
      };
      auto small =
          progen::minimise(cases[k].program, cases[k].inputs, still_fails, args.max_attempts);
      auto dir = std::filesystem::path(args.out) / fmt::format("seed_{}", seed);
      write_reproducer(dir, small, backends, result.detail);
      failures.push_back({{"seed", seed},
                          {"backend", result.backend},
                          {"detail", result.detail},
                          {"reproducer", dir.string()}});
      if (!args.json) {
        std::printf("seed %llu: %s %s; reproducer in %s\n", static_cast<unsigned long long>(seed),
                    result.backend.c_str(), result.detail.c_str(), dir.string().c_str());
        std::fflush(stdout);
      }
    }
    progress.report(tally);
  }
  progress.report(tally, /*final=*/true);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args.json) {
    nlohmann::json j{{"agreed", tally.agreed},   {"disagreed", tally.disagreed},
                     {"skipped", tally.skipped}, {"seconds", seconds},
                     {"failures", failures},     {"seed", args.seed},
                     {"count", args.count},      {"batch", batch_size}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%llu agreed, %llu disagreed", static_cast<unsigned long long>(tally.agreed),
                static_cast<unsigned long long>(tally.disagreed));
    if (tally.skipped)
      std::printf(", %llu skipped", static_cast<unsigned long long>(tally.skipped));
    std::printf(" (%.1f s)\n", seconds);
  }
  return tally.disagreed == 0 ? 0 : 1;
}

}  // namespace

void install_fuzz(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<FuzzArgs>();
  auto* cmd = app.add_subcommand("fuzz", "differential testing with random programs");
  cmd->add_option("--backends", args->backends, "comma list; the first is the oracle");
  cmd->add_option("--seed", args->seed, "first seed (program k uses seed + k)");
  cmd->add_option("--count", args->count, "number of programs");
  cmd->add_option("--batch", args->batch,
                  "programs compiled together per backend build (default 64; 1 = one by one)");
  cmd->add_option("--out", args->out, "folder for reproducers (default vyre-fuzz)");
  cmd->add_option("--max-attempts", args->max_attempts, "minimiser budget per disagreement");
  cmd->add_flag("--json", args->json, "print the summary as JSON");
  cmd->callback([args, &ctx] { ctx.exit_code = run_fuzz(*args); });
}

}  // namespace vyre::cli
