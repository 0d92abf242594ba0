#include "vyre/pipeline/remote_stats.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace vyre::pipeline {
namespace {

// Every summed field with its JSON name; get_us_max is handled apart (a maximum).
template <class Stats, class F>
void for_each_count(Stats& s, F&& f) {
  f("untrusted_entry", s.untrusted);
  f("corrupt_entry", s.corrupt);
  f("errors", s.errors);
  f("skipped_while_down", s.skipped_down);
  f("dropped_writes", s.dropped_writes);
  f("leases_taken", s.leases_taken);
  f("waits", s.waits);
  f("waits_served", s.waits_served);
  f("wait_timeouts", s.wait_timeouts);
  f("gets", s.gets);
  f("get_us_total", s.get_us_total);
}

}  // namespace

RemoteStats& RemoteStats::operator+=(const RemoteStats& other) {
  untrusted += other.untrusted;
  corrupt += other.corrupt;
  errors += other.errors;
  skipped_down += other.skipped_down;
  dropped_writes += other.dropped_writes;
  leases_taken += other.leases_taken;
  waits += other.waits;
  waits_served += other.waits_served;
  wait_timeouts += other.wait_timeouts;
  gets += other.gets;
  get_us_total += other.get_us_total;
  get_us_max = std::max(get_us_max, other.get_us_max);
  return *this;
}

RemoteStats RemoteStats::operator-(const RemoteStats& e) const {
  RemoteStats d;
  d.untrusted = untrusted - e.untrusted;
  d.corrupt = corrupt - e.corrupt;
  d.errors = errors - e.errors;
  d.skipped_down = skipped_down - e.skipped_down;
  d.dropped_writes = dropped_writes - e.dropped_writes;
  d.leases_taken = leases_taken - e.leases_taken;
  d.waits = waits - e.waits;
  d.waits_served = waits_served - e.waits_served;
  d.wait_timeouts = wait_timeouts - e.wait_timeouts;
  d.gets = gets - e.gets;
  d.get_us_total = get_us_total - e.get_us_total;
  d.get_us_max = get_us_max;
  d.available = available;
  return d;
}

bool RemoteStats::empty() const {
  bool none = get_us_max == 0;
  for_each_count(*this, [&](const char*, std::uint64_t v) { none = none && v == 0; });
  return none;
}

double RemoteStats::get_ms_mean() const {
  return gets == 0 ? 0.0 : static_cast<double>(get_us_total) / 1000.0 / static_cast<double>(gets);
}

nlohmann::json RemoteStats::counters_json() const {
  nlohmann::json j = nlohmann::json::object();
  for_each_count(*this, [&](const char* name, std::uint64_t v) { j[name] = v; });
  j["get_us_max"] = get_us_max;
  return j;
}

RemoteStats RemoteStats::from_json(const nlohmann::json& j) {
  RemoteStats s;
  if (!j.is_object()) return s;
  auto read = [&](const char* name, std::uint64_t& v) {
    auto it = j.find(name);
    v = it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
  };
  for_each_count(s, read);
  read("get_us_max", s.get_us_max);
  return s;
}

ExtraCounters RemoteStats::to_extra() const {
  ExtraCounters extra;
  for_each_count(*this, [&](const char* name, std::uint64_t v) { extra.sums[name] = v; });
  extra.maxima["get_us_max"] = get_us_max;
  return extra;
}

RemoteStats RemoteStats::from_extra(const ExtraCounters& extra) {
  RemoteStats s;
  for_each_count(s, [&](const char* name, std::uint64_t& v) { v = extra.sum(name); });
  s.get_us_max = extra.maximum("get_us_max");
  return s;
}

std::string RemoteStats::to_json() const {
  nlohmann::json j = counters_json();
  j["available"] = available;
  return j.dump();
}

}  // namespace vyre::pipeline
