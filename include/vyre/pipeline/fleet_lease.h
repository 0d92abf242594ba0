// Fleet single-flight: when several processes, on one machine or many, miss the same key at once,
// one compiles and the others wait for its entry. A shared store (Redis) implements it with a
// lease per key that expires on its own, so a compiler that dies blocks nobody for longer than
// the lease; PipelineCache asks for a turn before it compiles.
#pragma once

#include <cstdint>

#include "vyre/ir/hash.h"

namespace vyre::pipeline {

enum class FleetTurn : std::uint8_t {
  Compile,     // compile without coordination (store unavailable, read-only, or waited too long)
  Leader,      // this process holds the lease: compile, put, then finished()
  EntryReady,  // another process's entry has landed: read the chain again
  Busy,        // try_turn only: another process holds the lease; ask again with take_turn later
};

class FleetLeases {
 public:
  virtual ~FleetLeases() = default;
  // Called by this process's flight leader after every store missed `key`, before compiling.
  // Blocks at most the store's wait bound (plus one command timeout).
  virtual FleetTurn take_turn(const Digest& key) = 0;
  // take_turn without waiting: Busy where take_turn would wait. A batch asks this for each of its
  // misses, compiles what it leads, releases those leases, and only then waits (take_turn) for
  // the Busy ones, so two processes' batches never wait on each other's leases.
  virtual FleetTurn try_turn(const Digest& key) = 0;
  // After a Leader turn's compile and put (or failed compile): the lease goes once the put has
  // landed, so a waiter that takes the lease next finds the entry.
  virtual void finished(const Digest& key) = 0;
};

}  // namespace vyre::pipeline
