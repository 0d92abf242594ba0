#include "vyre/pipeline/stats_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "file_io.h"
#include "vyre/diag/codes.h"

namespace vyre::pipeline {
namespace {

constexpr std::size_t kMaxStatsBytes = 1 << 20;

Diagnostic io_error(const std::filesystem::path& path, std::string what) {
  return Diagnostic::error(code::CacheIoError,
                           "pipeline cache stats file '" + path.string() + "': " + what,
                           "the stats file only feeds `vyre cache stats`; remove it to start the "
                           "counters afresh");
}

StoreCounters counters_from(const nlohmann::json& j) {
  StoreCounters counters;
  if (!j.is_object()) return counters;
  for (std::size_t i = 0; i < kStoreCounterCount; ++i) {
    auto it = j.find(std::string(store_counter_name(static_cast<StoreCounter>(i))));
    if (it != j.end() && it->is_number_unsigned()) counters.values[i] = it->get<std::uint64_t>();
  }
  return counters;
}

bool counters_empty(const StoreCounters& counters) {
  for (std::uint64_t v : counters.values) {
    if (v != 0) return false;
  }
  return true;
}

Result<PersistedStats> parse(const std::filesystem::path& path, const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return io_error(path, "not a JSON object");
  PersistedStats s;
  auto get = [&](const char* name) -> std::uint64_t {
    auto it = j.find(name);
    return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
  };
  s.memory_hits = get("memory_hits");
  s.store_hits = j.contains("store_hits") ? get("store_hits") : get("disk_hits");
  s.compiles = get("compiles");
  s.compile_us = get("compile_us");
  s.compile_us_saved = get("compile_us_saved");
  s.corrupt_entries_removed = get("corrupt_entries_removed");
  if (auto store = j.find("store"); store != j.end()) s.store = counters_from(*store);
  if (auto remote = j.find("remote"); remote != j.end() && remote->is_object()) {
    if (auto store = remote->find("store"); store != remote->end()) {
      s.remote_store = counters_from(*store);
    }
    s.remote = RemoteStats::from_json(*remote);
  }
  if (auto misses = j.find("misses"); misses != j.end() && misses->is_object()) {
    for (MissReason reason : kMissReasons) {
      auto it = misses->find(std::string(metric_name(reason)));
      if (it != misses->end() && it->is_number_unsigned()) {
        s.misses[static_cast<std::size_t>(reason)] = it->get<std::uint64_t>();
      }
    }
  }
  return s;
}

Result<std::string> read_text(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::string();
    return io_error(path, file_io::errno_text(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::size_t>(st.st_size) > kMaxStatsBytes) {
    ::close(fd);
    return io_error(path, "not a regular file of at most 1 MiB");
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  int e = file_io::read_exact(fd, bytes);
  ::close(fd);
  if (e != 0) return io_error(path, file_io::errno_text(e));
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

PersistedStats& PersistedStats::operator+=(const PersistedStats& o) {
  memory_hits += o.memory_hits;
  store_hits += o.store_hits;
  store += o.store;
  remote_store += o.remote_store;
  remote += o.remote;
  for (std::size_t i = 0; i < misses.size(); ++i) misses[i] += o.misses[i];
  compiles += o.compiles;
  compile_us += o.compile_us;
  compile_us_saved += o.compile_us_saved;
  corrupt_entries_removed += o.corrupt_entries_removed;
  return *this;
}

PersistedStats PersistedStats::operator-(const PersistedStats& o) const {
  PersistedStats d;
  d.memory_hits = memory_hits - o.memory_hits;
  d.store_hits = store_hits - o.store_hits;
  for (std::size_t i = 0; i < kStoreCounterCount; ++i) {
    d.store.values[i] = store.values[i] - o.store.values[i];
    d.remote_store.values[i] = remote_store.values[i] - o.remote_store.values[i];
  }
  d.remote = remote - o.remote;
  for (std::size_t i = 0; i < misses.size(); ++i) d.misses[i] = misses[i] - o.misses[i];
  d.compiles = compiles - o.compiles;
  d.compile_us = compile_us - o.compile_us;
  d.compile_us_saved = compile_us_saved - o.compile_us_saved;
  d.corrupt_entries_removed = corrupt_entries_removed - o.corrupt_entries_removed;
  return d;
}

bool PersistedStats::empty() const {
  return memory_hits == 0 && store_hits == 0 && total_misses() == 0 && compiles == 0 &&
         compile_us_saved == 0 && corrupt_entries_removed == 0 && counters_empty(store) &&
         counters_empty(remote_store) && remote.empty();
}

std::uint64_t PersistedStats::total_misses() const {
  std::uint64_t total = 0;
  for (std::uint64_t m : misses) total += m;
  return total;
}

double PersistedStats::hit_rate() const {
  std::uint64_t hits = memory_hits + store_hits;
  std::uint64_t all = hits + total_misses();
  return all == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(all);
}

std::string PersistedStats::to_json() const {
  nlohmann::json misses_json = nlohmann::json::object();
  for (MissReason reason : kMissReasons) {
    misses_json[std::string(metric_name(reason))] = misses[static_cast<std::size_t>(reason)];
  }
  nlohmann::json j = {{"memory_hits", memory_hits},
                      {"store_hits", store_hits},
                      {"misses", misses_json},
                      {"compiles", compiles},
                      {"compile_us", compile_us},
                      {"compile_us_saved", compile_us_saved},
                      {"corrupt_entries_removed", corrupt_entries_removed},
                      {"store", nlohmann::json::parse(store.to_json())}};
  if (!counters_empty(remote_store) || !remote.empty()) {
    nlohmann::json r = remote.counters_json();
    r["store"] = nlohmann::json::parse(remote_store.to_json());
    j["remote"] = std::move(r);
  }
  return j.dump(2) + "\n";
}

Result<PersistedStats> read_persisted_stats(const std::filesystem::path& root) {
  const std::filesystem::path path = root / kStatsFileName;
  std::string text = VYRE_TRY(read_text(path));
  if (text.empty()) return PersistedStats{};
  return parse(path, text);
}

Status add_persisted_stats(const std::filesystem::path& root, const PersistedStats& delta) {
  if (delta.empty()) return Ok{};
  const std::filesystem::path path = root / kStatsFileName;
  const std::filesystem::path lock_path = root / "stats.lock";
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lock_fd < 0) return io_error(lock_path, file_io::errno_text(errno));
  if (::flock(lock_fd, LOCK_EX) != 0) {
    int e = errno;
    ::close(lock_fd);
    return io_error(lock_path, file_io::errno_text(e));
  }
  auto finish = [&](Status status) {
    ::flock(lock_fd, LOCK_UN);
    ::close(lock_fd);
    return status;
  };
  PersistedStats total;
  if (auto text = read_text(path); text.ok() && !text->empty()) {
    if (auto parsed = parse(path, *text); parsed.ok()) total = *parsed;  // a bad file restarts
  }
  total += delta;
  const std::string json = total.to_json();
  const std::filesystem::path temp = root / ("stats.json." + std::to_string(::getpid()) + ".tmp");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return finish(io_error(temp, file_io::errno_text(errno)));
  int e = file_io::write_all(fd, {reinterpret_cast<const std::uint8_t*>(json.data()), json.size()});
  if (::close(fd) != 0 && e == 0) e = errno;
  if (e == 0 && ::rename(temp.c_str(), path.c_str()) != 0) e = errno;
  if (e != 0) {
    ::unlink(temp.c_str());
    return finish(io_error(path, file_io::errno_text(e)));
  }
  return finish(Ok{});
}

}  // namespace vyre::pipeline
