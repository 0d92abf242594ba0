// Data-race detection for the reference backend (docs/IR.md section 8). The interpreter runs a
// workgroup in lockstep, which hides races: a reduction missing a barrier gives the right answer
// here and a wrong one on a GPU. So every plain (non-atomic) load and store is recorded:
//  - within a workgroup, per barrier interval (EpochTracker): two invocations touching one
//    element of shared memory or of a writable buffer, at least one of them writing, is a race;
//  - across workgroups, for the whole dispatch (DispatchWrites): two workgroups storing to one
//    buffer element is a race (the IR orders workgroups only through atomics).
// Atomics are never recorded. Read-only buffers cannot race and are not tracked.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "vyre/diag/diagnostic.h"

namespace vyre::reference {

// VYRE_REFERENCE_RACES: on unless set to 0 (read once per process).
bool race_detection_enabled_by_environment();

// One recorded access: which lane of the batch, where in the source, and whether it wrote.
struct Access {
  std::uint32_t lane = 0;
  SourceLocation loc;
  bool write = false;
};

// Two accesses of one element by different invocations, at least one a write.
struct Conflict {
  Access first;
  Access second;
};

// The accesses of one barrier interval of one batch; cleared at every barrier and batch start.
class EpochTracker {
 public:
  // `memory` numbers buffers then shared arrays; `group` is the workgroup's index in the batch.
  std::optional<Conflict> load(std::uint32_t group, std::uint32_t memory, std::uint64_t element,
                               std::uint32_t lane, SourceLocation loc);
  std::optional<Conflict> store(std::uint32_t group, std::uint32_t memory, std::uint64_t element,
                                std::uint32_t lane, SourceLocation loc);
  void clear() { records_.clear(); }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  struct Record {
    std::uint32_t writer = kNone;
    std::uint32_t readers[2] = {kNone, kNone};  // two distinct readers are enough to tell
    SourceLocation writer_loc;
    SourceLocation reader_loc[2];
  };
  Record& record(std::uint32_t group, std::uint32_t memory, std::uint64_t element);
  std::unordered_map<std::uint64_t, Record> records_;
};

// The last plain store to each element of each writable buffer in one dispatch, shared by all
// worker threads: (store site + 1) << 48 | the storing invocation's linear id, 0 = none yet.
class DispatchWrites {
 public:
  // `counts[b]` elements for buffer b; 0 for a buffer that is not tracked.
  explicit DispatchWrites(const std::vector<std::uint64_t>& counts);
  ~DispatchWrites();
  DispatchWrites(const DispatchWrites&) = delete;
  DispatchWrites& operator=(const DispatchWrites&) = delete;

  // Records a store; returns the previous one to this element (site, invocation), if any.
  std::optional<std::pair<std::uint32_t, std::uint64_t>> store(std::uint32_t buffer,
                                                               std::uint64_t element,
                                                               std::uint32_t site,
                                                               std::uint64_t invocation);

 private:
  std::vector<std::uint64_t*> words_;  // calloc'd, so untouched pages cost nothing
  std::vector<std::uint64_t> counts_;
};

// The dispatch's race report: the first race found, preferring the lowest workgroup so the
// report does not depend on thread timing more than it must.
class RaceLog {
 public:
  void report(Diagnostic diagnostic, std::uint64_t group);
  std::optional<Diagnostic> take();

  // The dispatch-wide store record, made on first use by the first worker.
  DispatchWrites& writes(const std::vector<std::uint64_t>& counts);

 private:
  std::mutex mutex_;
  std::optional<Diagnostic> first_;
  std::uint64_t first_group_ = UINT64_MAX;
  std::once_flag made_;
  std::unique_ptr<DispatchWrites> writes_;
};

}  // namespace vyre::reference
