// The shared remote store: a Redis database holding signed entries (entry_signature.h) under
// "<namespace>:e:<key hex>", after the memory and disk tiers in the chain. Reads verify the
// signature against the trusted keys and hand up only what a trusted key signed for that very
// key; writes are signed and sent by a background writer with a bounded queue, so a dispatch
// never waits on the network for a put. Every command has a timeout; any failure (down, slow,
// paused, full, an answer that is not Redis) is one warning per store, then the store is out of
// use until a back-off passes, and the cache goes on locally. Fleet single-flight through leases
// "<namespace>:l:<key hex>" (SET NX PX).
#pragma once

#include <memory>

#include "vyre/pipeline/byte_store.h"
#include "vyre/pipeline/fleet_lease.h"
#include "vyre/pipeline/remote_options.h"

namespace vyre::pipeline {

// What the remote tier did, beyond the common store counters: for `vyre cache stats`.
struct RemoteStats {
  std::uint64_t untrusted = 0;       // values refused as untrusted_entry
  std::uint64_t corrupt = 0;         // values refused as corrupt_entry (also oversize ones)
  std::uint64_t errors = 0;          // failed commands (timeouts, refusals, lost connections)
  std::uint64_t skipped_down = 0;    // operations skipped while backing off
  std::uint64_t dropped_writes = 0;  // puts dropped because the writer's queue was full
  std::uint64_t leases_taken = 0;    // fleet turns this process led
  std::uint64_t waits = 0;           // fleet turns spent waiting for another process
  std::uint64_t waits_served = 0;    // of those, ended by the other process's entry
  std::uint64_t wait_timeouts = 0;   // of those, ended by the wait bound
  std::uint64_t gets = 0;            // GETs answered
  std::uint64_t get_us_total = 0;
  std::uint64_t get_us_max = 0;
  bool available = true;  // not backing off now
  std::string to_json() const;
};

class RedisStore final : public ByteStore, public FleetLeases {
 public:
  // Never fails and does not connect yet: the first get() or put() does, within the connect
  // timeout. Key problems in `options.key_problems` are warned about once, here.
  RedisStore(RemoteCacheOptions options, StoreContext context);
  ~RedisStore() override;  // drains the writer's queue (bounded), then stops it
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  // The chain row (name "redis") that opens a store with these options.
  static StoreOptions row(RemoteCacheOptions options);

  std::string_view name() const override { return "redis"; }
  std::string location() const override;
  // True with a signing key and not read-only: entries are signed and put.
  bool writable() const override;
  StoreRead get(const Digest& key, std::span<std::uint8_t> scratch = {},
                bool refresh = true) override;
  // Queues the signed entry for the background writer; false when read-only, oversize, the
  // store is backing off or the queue is full (all counted).
  bool put(const Digest& key, std::span<const std::uint8_t> bytes) override;
  bool remove(const Digest& key) override;
  bool discard(const Digest& key, const StoreRead& read) override;
  // Waits (bounded) until every queued put has been sent.
  Status flush() override;
  StoreCounters counters() const override;
  FleetLeases* fleet() override { return this; }

  FleetTurn take_turn(const Digest& key) override;
  void finished(const Digest& key) override;

  // Whether the remote holds an entry for `key` (one EXISTS; nullopt when it cannot answer).
  std::optional<bool> holds(const Digest& key);
  RemoteStats stats() const;
  const RemoteCacheOptions& options() const;

 private:
  void release_lease(const Digest& key);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace vyre::pipeline
