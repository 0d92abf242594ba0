#include "race_detector.h"

#include <atomic>
#include <cstdlib>

#include "vyre/backends/reference.h"

namespace vyre::reference {

bool race_detection_enabled_by_environment() {
  static const bool enabled = [] {
    const std::optional<std::string> value = env_value(kReferenceRacesVariable);
    return !value || *value != "0";
  }();
  return enabled;
}

EpochTracker::Record& EpochTracker::record(std::uint32_t group, std::uint32_t memory,
                                           std::uint64_t element) {
  // element: 40 bits, memory: 14 bits, group in batch: 10 bits (batches hold <= 1024 groups).
  const std::uint64_t key =
      (element & ((1ULL << 40) - 1)) | (std::uint64_t{memory} << 40) | (std::uint64_t{group} << 54);
  return records_[key];
}

std::optional<Conflict> EpochTracker::load(std::uint32_t group, std::uint32_t memory,
                                           std::uint64_t element, std::uint32_t lane,
                                           SourceLocation loc) {
  Record& r = record(group, memory, element);
  if (r.writer != kNone && r.writer != lane) {
    return Conflict{{r.writer, r.writer_loc, true}, {lane, loc, false}};
  }
  for (int k = 0; k < 2; ++k) {
    if (r.readers[k] == lane) break;
    if (r.readers[k] == kNone) {
      r.readers[k] = lane;
      r.reader_loc[k] = loc;
      break;
    }
  }
  return std::nullopt;
}

std::optional<Conflict> EpochTracker::store(std::uint32_t group, std::uint32_t memory,
                                            std::uint64_t element, std::uint32_t lane,
                                            SourceLocation loc) {
  Record& r = record(group, memory, element);
  if (r.writer != kNone && r.writer != lane) {
    return Conflict{{r.writer, r.writer_loc, true}, {lane, loc, true}};
  }
  for (int k = 0; k < 2; ++k) {
    if (r.readers[k] != kNone && r.readers[k] != lane) {
      return Conflict{{r.readers[k], r.reader_loc[k], false}, {lane, loc, true}};
    }
  }
  r.writer = lane;
  r.writer_loc = loc;
  return std::nullopt;
}

DispatchWrites::DispatchWrites(const std::vector<std::uint64_t>& counts) : counts_(counts) {
  for (std::uint64_t count : counts) {
    auto* words = count == 0
                      ? nullptr
                      : static_cast<std::uint64_t*>(std::calloc(count, sizeof(std::uint64_t)));
    if (words == nullptr) counts_[words_.size()] = 0;  // too large to track: not tracked
    words_.push_back(words);
  }
}

DispatchWrites::~DispatchWrites() {
  for (std::uint64_t* words : words_) std::free(words);
}

std::optional<std::pair<std::uint32_t, std::uint64_t>> DispatchWrites::store(
    std::uint32_t buffer, std::uint64_t element, std::uint32_t site, std::uint64_t invocation) {
  if (buffer >= words_.size() || element >= counts_[buffer]) return std::nullopt;
  const std::uint64_t word = (std::uint64_t{site + 1} << 48) | (invocation & ((1ULL << 48) - 1));
  const std::uint64_t old = std::atomic_ref<std::uint64_t>(words_[buffer][element])
                                .exchange(word, std::memory_order_relaxed);
  if (old == 0) return std::nullopt;
  return std::make_pair(static_cast<std::uint32_t>((old >> 48) - 1), old & ((1ULL << 48) - 1));
}

void RaceLog::report(Diagnostic diagnostic, std::uint64_t group) {
  std::lock_guard lock(mutex_);
  if (first_ && first_group_ <= group) return;
  first_ = std::move(diagnostic);
  first_group_ = group;
}

std::optional<Diagnostic> RaceLog::take() {
  std::lock_guard lock(mutex_);
  std::optional<Diagnostic> out = std::move(first_);
  first_.reset();
  return out;
}

DispatchWrites& RaceLog::writes(const std::vector<std::uint64_t>& counts) {
  std::call_once(made_, [&] { writes_ = std::make_unique<DispatchWrites>(counts); });
  return *writes_;
}

}  // namespace vyre::reference
