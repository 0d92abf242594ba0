// The reference interpreter: runs a batch of whole workgroups in statement-level lockstep.
//
// Every statement is executed for all active invocations of the batch before the next one
// starts; each expression node is evaluated for all active lanes in one tight loop. Control flow
// narrows the set of active lanes (if/else splits it, loops drop lanes as they finish, break /
// continue / return take lanes out), so every invocation follows its own path. Because a whole
// workgroup advances together, a barrier (which validation guarantees is reached in uniform
// control flow) is already satisfied when it is reached: lockstep is one of the executions the
// IR allows, and the one the oracle defines. Within a statement, lanes run in ascending order,
// so atomics and conflicting stores resolve in invocation order inside a batch. Lockstep hides
// missing barriers, so every plain load and store is also checked for data races
// (race_detector.h).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernel_info.h"
#include "race_detector.h"
#include "vyre/ir/program.h"

namespace vyre::reference {

// A memory the kernel addresses: a bound buffer, or one workgroup's shared array.
struct MemoryView {
  std::uint8_t* data = nullptr;
  std::uint64_t count = 0;
  ir::Type element = ir::Type::U32;
};

// What one dispatch reads; shared by all workers and not modified while they run (buffer
// contents are, through relaxed atomic accesses, so concurrent workers never race in C++ terms).
struct LaunchState {
  const ir::ProgramData* program = nullptr;
  const KernelInfo* info = nullptr;
  std::array<std::uint32_t, 3> workgroup{1, 1, 1};
  std::array<std::uint64_t, 3> groups{1, 1, 1};
  std::vector<MemoryView> buffers;
  std::vector<std::uint64_t> params;  // bit patterns
  std::vector<std::uint64_t> sizes;
  const std::atomic<bool>* cancel = nullptr;
  // Data-race detection (race_detector.h): on unless VYRE_REFERENCE_RACES=0 or the backend's
  // options say otherwise. The first race found is kept in `races` for the dispatch's status.
  bool detect_races = race_detection_enabled_by_environment();
  std::shared_ptr<RaceLog> races = std::make_shared<RaceLog>();
};

// One worker's interpreter state (locals, temporaries, shared arrays for one batch). Not
// thread-safe; each worker thread owns one.
class WorkgroupExecutor {
 public:
  explicit WorkgroupExecutor(const LaunchState& launch);
  ~WorkgroupExecutor();
  WorkgroupExecutor(const WorkgroupExecutor&) = delete;
  WorkgroupExecutor& operator=(const WorkgroupExecutor&) = delete;

  // Runs workgroups [first_group, first_group + count) (linear ids, x fastest), count at most
  // launch.info->groups_per_batch.
  void run(std::uint64_t first_group, std::uint32_t count);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vyre::reference
