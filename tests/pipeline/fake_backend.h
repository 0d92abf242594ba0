// Test support for the pipeline cache: a FakeBackend that counts compile and load calls and
// serializes to deterministic bytes (so a wrong or torn entry is caught by load), programs built
// with the IR builder, and a temporary folder.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/builder.h"
#include "vyre/pipeline/pipeline_cache.h"

namespace vyre::pipeline::testing {

class FakePipeline : public CompiledPipeline {
 public:
  FakePipeline(ir::Program program, std::array<std::uint32_t, 3> workgroup, std::string tag)
      : CompiledPipeline(std::move(program), workgroup), tag_(std::move(tag)) {}
  const std::string& tag() const { return tag_; }

 private:
  std::string tag_;
};

class FakeBackend : public Backend {
 public:
  explicit FakeBackend(std::string id = "fake",
                       DeviceFingerprint fingerprint = {"vyre", "fake-device sm_1", "driver 1.0",
                                                        "fakecc 1.0"})
      : id_(std::move(id)), fingerprint_(std::move(fingerprint)) {}

  std::string_view id() const override { return id_; }
  const Capabilities& capabilities() const override { return capabilities_; }
  const DeviceFingerprint& fingerprint() const override { return fingerprint_; }
  std::vector<std::string> supported_ops() const override { return {}; }

  // The bytes a pipeline of (program, config) serializes to: a readable tag padded to
  // payload_bytes with a pattern derived from it.
  std::string expected_bytes(const ir::Program& program, const DispatchConfig& config) const {
    std::string tag = "fake|" + id_ + "|" + fingerprint_.compiler + "|" + to_hex(program.digest()) +
                      "|" + std::to_string(config.ulp_budget);
    auto wg = effective_workgroup(program, config);
    tag += "|" + std::to_string(wg[0]) + "x" + std::to_string(wg[1]) + "x" + std::to_string(wg[2]);
    std::string out = tag;
    while (out.size() < payload_bytes) out += out;  // doubling: cheap even for megabytes
    out.resize(std::max(payload_bytes, tag.size()));
    return out;
  }

  Result<std::shared_ptr<const CompiledPipeline>> compile(const ir::Program& program,
                                                          const DispatchConfig& config) override {
    compiles.fetch_add(1);
    if (compile_delay.count() > 0) std::this_thread::sleep_for(compile_delay);
    if (fail_compile || program->name == fail_program) {
      return Diagnostic::error("VY4020", "fake compile failure", "do not set fail_compile");
    }
    return std::shared_ptr<const CompiledPipeline>(std::make_shared<FakePipeline>(
        program, effective_workgroup(program, config), expected_bytes(program, config)));
  }

  // Counted, with each batch's size; compiles each program with compile().
  std::vector<Result<std::shared_ptr<const CompiledPipeline>>> compile_many(
      std::span<const ir::Program* const> programs, const DispatchConfig& config) override {
    {
      std::lock_guard lock(batches_mutex);
      batches.push_back(programs.size());
    }
    return Backend::compile_many(programs, config);
  }

  Result<std::vector<std::uint8_t>> serialize(const CompiledPipeline& pipeline) const override {
    serializes.fetch_add(1);
    if (fail_serialize) return Diagnostic::error("VY4019", "fake serialize failure", "none");
    const auto& tag = static_cast<const FakePipeline&>(pipeline).tag();
    return std::vector<std::uint8_t>(tag.begin(), tag.end());
  }

  Result<std::shared_ptr<const CompiledPipeline>> load(
      const ir::Program& program, const DispatchConfig& config,
      std::span<const std::uint8_t> bytes) override {
    loads.fetch_add(1);
    std::string got(bytes.begin(), bytes.end());
    if (got != expected_bytes(program, config)) {
      load_rejects.fetch_add(1);
      return Diagnostic::error("VY4019", "fake load: bytes are not this pipeline's", "recompile");
    }
    return std::shared_ptr<const CompiledPipeline>(
        std::make_shared<FakePipeline>(program, effective_workgroup(program, config), got));
  }

  Result<std::unique_ptr<PendingDispatch>> dispatch_async(const CompiledPipeline&, Bindings&,
                                                          const LaunchGeometry&,
                                                          const DispatchConfig&) override {
    return Diagnostic::error("VY4020", "the fake backend does not dispatch", "none");
  }

  std::atomic<int> compiles{0};
  std::atomic<int> loads{0};
  std::atomic<int> load_rejects{0};
  mutable std::atomic<int> serializes{0};
  std::mutex batches_mutex;
  std::vector<std::size_t> batches;  // sizes of the compile_many calls, in order
  std::string fail_program;          // compile() fails for the program of this name
  std::chrono::microseconds compile_delay{0};
  std::size_t payload_bytes = 64;
  bool fail_compile = false;
  bool fail_serialize = false;

 private:
  std::string id_;
  DeviceFingerprint fingerprint_;
  Capabilities capabilities_;
};

// A small valid program; `variant` changes its body (so its digest), `statements` its size.
inline ir::Program make_program(std::uint32_t variant, std::size_t statements = 1,
                                std::uint32_t workgroup = 64, const char* local_name = "i") {
  using namespace vyre::ir::dsl;
  KernelBuilder k("k" + std::to_string(variant), {workgroup});
  Memory y = k.buffer("y", Access::ReadWrite, Type::U32, "n");
  Value i = k.let(local_name, global_id_x());
  for (std::size_t s = 0; s < statements; ++s) {
    k.store(y, i, Value(static_cast<unsigned>(variant * 100000u + s)));
  }
  auto program = k.finish();
  if (!program.ok()) {
    std::fprintf(stderr, "make_program: %s\n", program.error().message.c_str());
    std::abort();
  }
  return std::move(program).value();
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vyre-cache-test-XXXXXX");
    char* made = ::mkdtemp(pattern.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      ::chmod(it->path().c_str(), 0700);
    }
    ::chmod(path_.c_str(), 0700);
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Collects warnings; thread-safe.
struct WarningLog {
  std::mutex mutex;
  std::vector<Diagnostic> warnings;
  DiagnosticSink sink() {
    return [this](const Diagnostic& d) {
      std::lock_guard lock(mutex);
      warnings.push_back(d);
    };
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return warnings.size();
  }
  std::size_t count(std::string_view code) {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& w : warnings) n += w.code == code;
    return n;
  }
};

inline PipelineCacheOptions options_at(const std::filesystem::path& root,
                                       WarningLog* log = nullptr) {
  PipelineCacheOptions options;
  options.root = root;
  options.persist_stats = false;
  options.touch_granularity = std::chrono::seconds(0);
  if (log != nullptr) options.warning_sink = log->sink();
  return options;
}

// A disk store's options at `root`, as `vyre cache` opens one to inspect it.
inline DiskStoreOptions inspect(const std::filesystem::path& root) {
  DiskStoreOptions options;
  options.root = root;
  return options;
}

inline std::shared_ptr<PipelineCache> open_cache(PipelineCacheOptions options) {
  auto cache = PipelineCache::open(std::move(options));
  if (!cache.ok()) std::abort();
  return std::move(cache).value();
}

inline std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

inline std::size_t count_files(const std::filesystem::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

}  // namespace vyre::pipeline::testing
