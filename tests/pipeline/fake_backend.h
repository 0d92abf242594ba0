// Test support for the pipeline cache: the shared FakeBackend (fakes/fake_backend.h: counts
// compile and load calls, serializes to deterministic bytes so a wrong or torn entry is caught by
// load), programs built with the IR builder, and a temporary folder.
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

#include "../fakes/fake_backend.h"  // relative: bench/pipeline_bench.cpp includes this file too
#include "vyre/backend/backend.h"
#include "vyre/diag/codes.h"
#include "vyre/ir/builder.h"
#include "vyre/pipeline/pipeline_cache.h"

namespace vyre::pipeline::testing {

using vyre::testing::FakeBackend;
using vyre::testing::FakePipeline;

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
