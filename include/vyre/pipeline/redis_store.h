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
#include "vyre/pipeline/remote_stats.h"

namespace vyre::pipeline {

// The name of the Redis store's row in the chain, the telemetry and the stats file.
inline constexpr std::string_view kRedisStoreName = "redis";

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

  std::string_view name() const override { return kRedisStoreName; }
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
  ExtraCounters extra_counters() const override;  // stats() as a store's extra block
  FleetLeases* fleet() override { return this; }

  FleetTurn take_turn(const Digest& key) override;
  FleetTurn try_turn(const Digest& key) override;
  void finished(const Digest& key) override;

  // Whether the remote holds an entry for `key` (one EXISTS; nullopt when it cannot answer).
  std::optional<bool> holds(const Digest& key);
  RemoteStats stats() const;
  const RemoteCacheOptions& options() const;

 private:
  void release_lease(const Digest& key);
  FleetTurn turn(const Digest& key, bool wait);
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace vyre::pipeline
