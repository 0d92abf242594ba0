// `vyre fuzz`: generates random programs (tools/progen), runs each on several backends,
// compares them with the first (the oracle), and minimises every disagreement into a
// reproducer: a text-IR file, its inputs as .npy files and a README line with the command.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.h"
#include "npy.h"
#include "vyre/backends/builtin.h"
#include "vyre/ir/text.h"
#include "vyre/progen/differential.h"

namespace vyre::cli {
namespace {

struct FuzzArgs {
  std::string backends = "reference,opencl";
  std::uint64_t seed = 1;
  std::uint64_t count = 100;
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
    auto bytes = encode_npy(buffer);
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

int run_fuzz(const FuzzArgs& args) {
  (void)register_builtin_backends(BackendRegistry::global());
  Runtime runtime;
  const auto backends = split(args.backends);
  std::uint64_t agreed = 0, disagreed = 0, skipped = 0;
  nlohmann::json failures = nlohmann::json::array();
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t k = 0; k < args.count; ++k) {
    const std::uint64_t seed = args.seed + k;
    progen::GeneratedCase generated = progen::generate(seed);
    auto program = ir::check(generated.draft.clone());
    if (!program.ok()) {
      std::fprintf(stderr, "seed %llu: generator produced an invalid program (a bug)\n",
                   static_cast<unsigned long long>(seed));
      ++disagreed;
      continue;
    }
    RunInputs inputs = progen::to_run_inputs(generated.inputs);
    auto result = progen::run_differential(runtime, *program, inputs, backends);
    if (result.verdict == progen::Verdict::Agreed) {
      ++agreed;
      continue;
    }
    if (result.verdict == progen::Verdict::Skipped) {
      ++skipped;
      continue;
    }
    ++disagreed;
    auto still_fails = [&](const ir::Program& p, const RunInputs& in) {
      return progen::run_differential(runtime, p, in, backends).verdict ==
             progen::Verdict::Disagreed;
    };
    auto small = progen::minimise(*program, inputs, still_fails, args.max_attempts);
    auto dir = std::filesystem::path(args.out) / fmt::format("seed_{}", seed);
    write_reproducer(dir, small, backends, result.detail);
    failures.push_back({{"seed", seed},
                        {"backend", result.backend},
                        {"detail", result.detail},
                        {"reproducer", dir.string()}});
    if (!args.json) {
      std::printf("seed %llu: %s %s; reproducer in %s\n", static_cast<unsigned long long>(seed),
                  result.backend.c_str(), result.detail.c_str(), dir.string().c_str());
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args.json) {
    nlohmann::json j{{"agreed", agreed},   {"disagreed", disagreed}, {"skipped", skipped},
                     {"seconds", seconds}, {"failures", failures},   {"seed", args.seed},
                     {"count", args.count}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%llu agreed, %llu disagreed", static_cast<unsigned long long>(agreed),
                static_cast<unsigned long long>(disagreed));
    if (skipped) std::printf(", %llu skipped", static_cast<unsigned long long>(skipped));
    std::printf(" (%.1f s)\n", seconds);
  }
  return disagreed == 0 ? 0 : 1;
}

}  // namespace

void install_fuzz(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<FuzzArgs>();
  auto* cmd = app.add_subcommand("fuzz", "differential testing with random programs");
  cmd->add_option("--backends", args->backends, "comma list; the first is the oracle");
  cmd->add_option("--seed", args->seed, "first seed (program k uses seed + k)");
  cmd->add_option("--count", args->count, "number of programs");
  cmd->add_option("--out", args->out, "folder for reproducers (default vyre-fuzz)");
  cmd->add_option("--max-attempts", args->max_attempts, "minimiser budget per disagreement");
  cmd->add_flag("--json", args->json, "print the summary as JSON");
  cmd->callback([args, &ctx] { ctx.exit_code = run_fuzz(*args); });
}

}  // namespace vyre::cli
