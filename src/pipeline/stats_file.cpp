#include "vyre/pipeline/stats_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "file_io.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/remote_stats.h"

namespace vyre::pipeline {
namespace {

constexpr std::size_t kMaxStatsBytes = 1 << 20;

Diagnostic io_error(const std::filesystem::path& path, std::string what) {
  return Diagnostic::error(code::CacheIoError,
                           "pipeline cache stats file '" + path.string() + "': " + what,
                           "the stats file only feeds `vyre cache stats`; remove it to start the "
                           "counters afresh");
}

using Json = nlohmann::json;

std::uint64_t number(const Json& j, std::string_view name) {
  if (!j.is_object()) return 0;
  auto it = j.find(name);
  return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

StoreCounters counters_from(const Json& j) {
  StoreCounters counters;
  for (std::size_t i = 0; i < kStoreCounterCount; ++i) {
    counters.values[i] = number(j, store_counter_name(static_cast<StoreCounter>(i)));
  }
  return counters;
}

Json counters_json(const StoreCounters& counters) {
  Json j = Json::object();
  for (std::size_t i = 0; i < kStoreCounterCount; ++i) {
    j[std::string(store_counter_name(static_cast<StoreCounter>(i)))] = counters.values[i];
  }
  return j;
}

bool counters_empty(const StoreCounters& counters) {
  for (std::uint64_t v : counters.values) {
    if (v != 0) return false;
  }
  return true;
}

// Names vyre writes (stores, backends, counters) are short and plain; anything else in a file is
// not vyre's and is skipped, so a terminal never prints a hostile file's control characters.
bool plain_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

void named_from(const Json& j, std::map<std::string, std::uint64_t, std::less<>>& out) {
  if (!j.is_object()) return;
  for (const auto& [name, value] : j.items()) {
    if (plain_name(name) && value.is_number_unsigned()) out[name] = value.get<std::uint64_t>();
  }
}

// {"count":..,"sum_us":..,"buckets":{"<upper bound in us>":n,..,"+Inf":n}}, non-empty buckets
// only. A bound that is not one of ours is ignored; the count is the buckets' sum.
Json histogram_json(const Histogram& h) {
  Json buckets = Json::object();
  for (std::size_t i = 0; i < Histogram::kBuckets; ++i) {
    if (h.counts[i] == 0) continue;
    const bool last = i + 1 == Histogram::kBuckets;
    buckets[last ? std::string("+Inf") : std::to_string(Histogram::upper_bound_us(i))] =
        h.counts[i];
  }
  return {{"count", h.count}, {"sum_us", h.sum_us}, {"buckets", buckets}};
}

Histogram histogram_from(const Json& j) {
  Histogram h;
  if (!j.is_object()) return h;
  h.sum_us = number(j, "sum_us");
  auto buckets = j.find("buckets");
  if (buckets == j.end() || !buckets->is_object()) return h;
  for (const auto& [bound, value] : buckets->items()) {
    if (!value.is_number_unsigned()) continue;
    std::size_t index = Histogram::kBuckets;
    if (bound == "+Inf") {
      index = Histogram::kBuckets - 1;
    } else if (!bound.empty() && bound.size() < 20 &&
               bound.find_first_not_of("0123456789") == std::string::npos) {
      const std::uint64_t le = std::stoull(bound);
      const std::size_t candidate = Histogram::bucket_of(le);
      if (candidate + 1 < Histogram::kBuckets && Histogram::upper_bound_us(candidate) == le) {
        index = candidate;
      }
    }
    if (index == Histogram::kBuckets) continue;
    h.counts[index] += value.get<std::uint64_t>();
    h.count += value.get<std::uint64_t>();
  }
  return h;
}

Json store_json(const PersistedStoreStats& row) {
  Json j = {{"counters", counters_json(row.counters)},
            {"served", row.served},
            {"promoted", row.promoted}};
  if (!row.extra.empty()) j["extra"] = {{"sums", row.extra.sums}, {"maxima", row.extra.maxima}};
  return j;
}

PersistedStoreStats store_from(const Json& j) {
  PersistedStoreStats row;
  if (!j.is_object()) return row;
  if (auto c = j.find("counters"); c != j.end()) row.counters = counters_from(*c);
  row.served = number(j, "served");
  row.promoted = number(j, "promoted");
  if (auto extra = j.find("extra"); extra != j.end() && extra->is_object()) {
    if (auto sums = extra->find("sums"); sums != extra->end()) named_from(*sums, row.extra.sums);
    if (auto maxima = extra->find("maxima"); maxima != extra->end()) {
      named_from(*maxima, row.extra.maxima);
    }
  }
  return row;
}

Json dispatch_json(const DispatchTotals& t) {
  return {{"dispatches", t.dispatches},
          {"failures", t.failures},
          {"bytes_to_device", t.bytes_to_device},
          {"bytes_from_device", t.bytes_from_device},
          {"device_time", histogram_json(t.device_time)}};
}

DispatchTotals dispatch_from(const Json& j) {
  DispatchTotals t;
  t.dispatches = number(j, "dispatches");
  t.failures = number(j, "failures");
  t.bytes_to_device = number(j, "bytes_to_device");
  t.bytes_from_device = number(j, "bytes_from_device");
  if (j.is_object()) {
    if (auto h = j.find("device_time"); h != j.end()) t.device_time = histogram_from(*h);
  }
  return t;
}

// Format 1 kept the disk store's counters in "store" and the Redis store's in "remote" (its
// RemoteStats fields, with the common table under "remote"."store").
void migrate_format_1(const Json& j, PersistedStats& s) {
  if (auto store = j.find("store"); store != j.end() && store->is_object()) {
    s.stores["disk"].counters = counters_from(*store);
  }
  if (auto remote = j.find("remote"); remote != j.end() && remote->is_object()) {
    PersistedStoreStats& row = s.stores["redis"];
    if (auto store = remote->find("store"); store != remote->end()) {
      row.counters = counters_from(*store);
    }
    row.extra = RemoteStats::from_json(*remote).to_extra();
  }
}

Result<PersistedStats> parse(const std::filesystem::path& path, const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return io_error(path, "not a JSON object");
  PersistedStats s;
  s.memory_hits = number(j, "memory_hits");
  s.store_hits = j.contains("store_hits") ? number(j, "store_hits") : number(j, "disk_hits");
  s.compiles = number(j, "compiles");
  s.compile_us = number(j, "compile_us");
  s.compile_us_saved = number(j, "compile_us_saved");
  s.corrupt_entries_removed = number(j, "corrupt_entries_removed");
  if (auto misses = j.find("misses"); misses != j.end()) {
    for (MissReason reason : kMissReasons) {
      s.misses[static_cast<std::size_t>(reason)] = number(*misses, metric_name(reason));
    }
  }
  if (auto h = j.find("compile_time"); h != j.end()) s.compile_time = histogram_from(*h);
  if (auto h = j.find("load_time"); h != j.end()) s.load_time = histogram_from(*h);
  if (!j.contains("format")) {
    migrate_format_1(j, s);
    return s;
  }
  if (auto stores = j.find("stores"); stores != j.end() && stores->is_object()) {
    for (const auto& [name, row] : stores->items()) {
      if (plain_name(name)) s.stores[name] = store_from(row);
    }
  }
  if (auto dispatches = j.find("dispatches"); dispatches != j.end() && dispatches->is_object()) {
    for (const auto& [backend, row] : dispatches->items()) {
      if (plain_name(backend)) s.dispatches[backend] = dispatch_from(row);
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

PersistedStoreStats& PersistedStoreStats::operator+=(const PersistedStoreStats& o) {
  counters += o.counters;
  served += o.served;
  promoted += o.promoted;
  extra += o.extra;
  return *this;
}

PersistedStoreStats PersistedStoreStats::since(const PersistedStoreStats& e) const {
  PersistedStoreStats d;
  for (std::size_t i = 0; i < kStoreCounterCount; ++i) {
    d.counters.values[i] = counters.values[i] - e.counters.values[i];
  }
  d.served = served - e.served;
  d.promoted = promoted - e.promoted;
  d.extra = extra.since(e.extra);
  return d;
}

bool PersistedStoreStats::empty() const {
  return counters_empty(counters) && served == 0 && promoted == 0 && extra.empty();
}

PersistedStats& PersistedStats::operator+=(const PersistedStats& o) {
  memory_hits += o.memory_hits;
  store_hits += o.store_hits;
  for (std::size_t i = 0; i < misses.size(); ++i) misses[i] += o.misses[i];
  compiles += o.compiles;
  compile_us += o.compile_us;
  compile_us_saved += o.compile_us_saved;
  corrupt_entries_removed += o.corrupt_entries_removed;
  compile_time += o.compile_time;
  load_time += o.load_time;
  for (const auto& [name, row] : o.stores) stores[name] += row;
  for (const auto& [backend, totals] : o.dispatches) dispatches[backend] += totals;
  return *this;
}

PersistedStats PersistedStats::since(const PersistedStats& e) const {
  PersistedStats d;
  d.memory_hits = memory_hits - e.memory_hits;
  d.store_hits = store_hits - e.store_hits;
  for (std::size_t i = 0; i < misses.size(); ++i) d.misses[i] = misses[i] - e.misses[i];
  d.compiles = compiles - e.compiles;
  d.compile_us = compile_us - e.compile_us;
  d.compile_us_saved = compile_us_saved - e.compile_us_saved;
  d.corrupt_entries_removed = corrupt_entries_removed - e.corrupt_entries_removed;
  d.compile_time = compile_time.since(e.compile_time);
  d.load_time = load_time.since(e.load_time);
  for (const auto& [name, row] : stores) {
    PersistedStoreStats delta = row.since(e.store(name));
    if (!delta.empty()) d.stores[name] = std::move(delta);
  }
  for (const auto& [backend, totals] : dispatches) {
    auto before = e.dispatches.find(backend);
    DispatchTotals delta = before == e.dispatches.end() ? totals : totals.since(before->second);
    if (!delta.empty()) d.dispatches[backend] = std::move(delta);
  }
  return d;
}

bool PersistedStats::empty() const {
  return memory_hits == 0 && store_hits == 0 && total_misses() == 0 && compiles == 0 &&
         compile_us_saved == 0 && corrupt_entries_removed == 0 && compile_time.empty() &&
         load_time.empty() &&
         std::all_of(stores.begin(), stores.end(),
                     [](const auto& s) { return s.second.empty(); }) &&
         std::all_of(dispatches.begin(), dispatches.end(),
                     [](const auto& d) { return d.second.empty(); });
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

const PersistedStoreStats& PersistedStats::store(std::string_view name) const {
  static const PersistedStoreStats kNone;
  auto it = stores.find(name);
  return it == stores.end() ? kNone : it->second;
}

std::string PersistedStats::to_json() const {
  Json misses_json = Json::object();
  for (MissReason reason : kMissReasons) {
    misses_json[std::string(metric_name(reason))] = misses[static_cast<std::size_t>(reason)];
  }
  Json stores_json = Json::object();
  for (const auto& [name, row] : stores) stores_json[name] = store_json(row);
  Json dispatches_json = Json::object();
  for (const auto& [backend, totals] : dispatches) dispatches_json[backend] = dispatch_json(totals);
  Json j = {{"format", kStatsFormat},
            {"memory_hits", memory_hits},
            {"store_hits", store_hits},
            {"misses", misses_json},
            {"compiles", compiles},
            {"compile_us", compile_us},
            {"compile_us_saved", compile_us_saved},
            {"corrupt_entries_removed", corrupt_entries_removed},
            {"compile_time", histogram_json(compile_time)},
            {"load_time", histogram_json(load_time)},
            {"stores", stores_json},
            {"dispatches", dispatches_json}};
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
