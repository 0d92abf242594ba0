#include "vyre/pipeline/redis_store.h"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "redis_connection.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/entry_format.h"

namespace vyre::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

// Deletes the lease only while it is still ours: one that expired and was taken by another
// process stays.
constexpr std::string_view kReleaseScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
    "else return 0 end";

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

std::string_view as_chars(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

struct WriteJob {
  Digest key{};
  std::vector<std::uint8_t> entry;  // empty: only release the lease
  bool release = false;
};

}  // namespace

struct RedisStore::State {
  RemoteCacheOptions options;
  StoreContext context;
  std::string token;  // this process's lease value

  std::mutex foreground_mutex;  // get, remove, leases: one connection
  std::unique_ptr<RedisConnection> foreground;

  std::atomic<std::int64_t> retry_at_ns{0};
  std::atomic<std::uint32_t> failures{0};
  std::atomic<bool> warned{false};

  AtomicStoreCounters counters;
  struct {
    std::atomic<std::uint64_t> untrusted{0}, corrupt{0}, errors{0}, skipped_down{0},
        dropped_writes{0}, leases_taken{0}, waits{0}, waits_served{0}, wait_timeouts{0}, gets{0},
        get_us_total{0}, get_us_max{0};
  } remote;

  std::mutex held_mutex;
  std::set<Digest> held;  // leases this process holds

  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::condition_variable drained_cv;
  std::deque<WriteJob> queue;
  bool writing = false;  // the writer holds a job
  bool stopping = false;
  std::thread writer;

  std::string entry_name(const Digest& key) const { return options.entry_name(key); }
  std::string lease_name(const Digest& key) const {
    return options.key_namespace + ":l:" + to_hex(key);
  }
  bool available() const { return now_ns() >= retry_at_ns.load(std::memory_order_relaxed); }

  void warn(Diagnostic diagnostic) {
    counters.add(StoreCounter::Warnings);
    if (context.warning_sink) context.warning_sink(diagnostic);
  }

  // One warning per store, then out of use for a doubling back-off.
  void failed(const Diagnostic& error, std::unique_ptr<RedisConnection>& connection) {
    connection.reset();
    counters.add(StoreCounter::IoErrors);
    remote.errors.fetch_add(1, std::memory_order_relaxed);
    const std::uint32_t n = failures.fetch_add(1, std::memory_order_relaxed);
    const auto backoff = options.retry_after * (1u << std::min<std::uint32_t>(n, 5));
    retry_at_ns.store(now_ns() + std::chrono::nanoseconds(backoff).count());
    if (!warned.exchange(true)) {
      warn(Diagnostic::warning(error.code,
                               error.message + "; continuing with the local cache, retrying in " +
                                   std::to_string(backoff.count()) + " ms",
                               error.help));
    }
  }

  void succeeded() { failures.store(0, std::memory_order_relaxed); }

  // The connection in `slot`, connecting first when needed; null when unavailable.
  RedisConnection* connected(std::unique_ptr<RedisConnection>& slot) {
    if (slot) return slot.get();
    if (!available()) {
      remote.skipped_down.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    auto opened =
        RedisConnection::open(options.endpoint, options.connect_timeout, options.command_timeout);
    if (!opened.ok()) {
      failed(opened.error(), slot);
      return nullptr;
    }
    slot = std::move(opened).value();
    return slot.get();
  }

  // Runs one command on `slot`; a failure (or an answer `expected` refuses) is handled here.
  template <class Expected>
  std::optional<RedisReply> run(std::unique_ptr<RedisConnection>& slot,
                                std::initializer_list<std::string_view> args, Expected expected) {
    RedisConnection* connection = connected(slot);
    if (connection == nullptr) return std::nullopt;
    auto reply = connection->run(args);
    if (!reply.ok()) {
      failed(reply.error(), slot);
      return std::nullopt;
    }
    if (!expected(*reply)) {
      failed(Diagnostic::error(code::RemoteCacheUnavailable,
                               "shared cache " + options.endpoint.url() + ": " +
                                   std::string(*args.begin()) + " answered " +
                                   describe_reply(*reply) + ", which is not a valid answer",
                               "check that VYRE_REMOTE_CACHE names a Redis server"),
             slot);
      return std::nullopt;
    }
    succeeded();
    return std::move(reply).value();
  }

  void release(std::unique_ptr<RedisConnection>& slot, const Digest& key) {
    std::string lease = lease_name(key);
    (void)run(slot, {"EVAL", kReleaseScript, "1", lease, token},
              [](const RedisReply& r) { return r.integer(); });
  }

  void write_loop() {
    std::unique_ptr<RedisConnection> connection;
    std::unique_lock lock(queue_mutex);
    for (;;) {
      queue_cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty()) return;  // stopping, and drained
      WriteJob job = std::move(queue.front());
      queue.pop_front();
      writing = true;
      lock.unlock();
      send(connection, job);
      lock.lock();
      writing = false;
      if (queue.empty()) drained_cv.notify_all();
    }
  }

  void send(std::unique_ptr<RedisConnection>& connection, const WriteJob& job) {
    if (!job.entry.empty()) {
      std::vector<std::uint8_t> envelope = sign_entry(*options.signing_key, job.key, job.entry);
      std::string name = entry_name(job.key);
      auto ok = [](const RedisReply& r) { return r.status("OK"); };
      std::optional<RedisReply> reply;
      if (options.ttl.count() > 0) {
        std::string ttl = std::to_string(options.ttl.count());
        reply = run(connection, {"SET", name, as_chars(envelope), "EX", ttl}, ok);
      } else {
        reply = run(connection, {"SET", name, as_chars(envelope)}, ok);
      }
      if (reply) {
        counters.add(StoreCounter::Writes);
      } else {
        counters.add(StoreCounter::WriteFailures);
      }
    }
    if (job.release) release(connection, job.key);
  }

  bool enqueue(WriteJob job) {
    std::lock_guard lock(queue_mutex);
    if (queue.size() >= options.write_queue) return false;
    queue.push_back(std::move(job));
    queue_cv.notify_one();
    return true;
  }

  bool take_held(const Digest& key) {
    std::lock_guard lock(held_mutex);
    return held.erase(key) != 0;
  }
};

RedisStore::RedisStore(RemoteCacheOptions options, StoreContext context)
    : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  state_->context = std::move(context);
  if (sodium_init() < 0) state_->options.signing_key.reset();
  std::array<std::uint8_t, 16> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  state_->token = std::to_string(::getpid()) + ":" + to_hex(nonce);
  for (const Diagnostic& problem : state_->options.key_problems) {
    state_->warn(Diagnostic::warning(problem.code, problem.message, problem.help));
  }
  if (writable()) state_->writer = std::thread([s = state_.get()] { s->write_loop(); });
}

RedisStore::~RedisStore() {
  (void)flush();
  if (state_->writer.joinable()) {
    {
      std::lock_guard lock(state_->queue_mutex);
      state_->stopping = true;
      state_->queue.clear();  // what flush() could not send in time is dropped
      state_->queue_cv.notify_all();
    }
    state_->writer.join();
  }
}

StoreOptions RedisStore::row(RemoteCacheOptions options) {
  StoreOptions row;
  row.name = "redis";
  row.open = [options = std::move(options)](const StoreContext& context) {
    return std::unique_ptr<ByteStore>(std::make_unique<RedisStore>(options, context));
  };
  return row;
}

std::string RedisStore::location() const {
  return state_->options.endpoint.url() + " (" + state_->options.key_namespace + ":)";
}

bool RedisStore::writable() const {
  return state_->options.signing_key != nullptr && !state_->context.read_only;
}

const RemoteCacheOptions& RedisStore::options() const {
  return state_->options;
}

StoreRead RedisStore::get(const Digest& key, std::span<std::uint8_t> scratch, bool /*refresh*/) {
  State& s = *state_;
  StoreRead out;
  const Clock::time_point start = Clock::now();
  const std::uint64_t bound = s.options.max_entry_bytes + kSignedEnvelopeHeaderBytes;
  std::string name = s.entry_name(key);
  // GETRANGE bounds what crosses the network: a value larger than the bound comes back one
  // byte too long and is refused, never read whole.
  std::string last = std::to_string(bound);
  std::lock_guard lock(s.foreground_mutex);
  auto reply = s.run(s.foreground, {"GETRANGE", name, "0", last},
                     [](const RedisReply& r) { return r.string(); });
  if (!reply) return out;
  const std::uint64_t us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
  s.remote.gets.fetch_add(1, std::memory_order_relaxed);
  s.remote.get_us_total.fetch_add(us, std::memory_order_relaxed);
  std::uint64_t seen = s.remote.get_us_max.load(std::memory_order_relaxed);
  while (us > seen && !s.remote.get_us_max.compare_exchange_weak(seen, us)) {
  }
  std::span<const std::uint8_t> value = reply->bytes();
  if (value.empty()) {
    s.counters.add(StoreCounter::Misses);
    return out;
  }
  out.status = StoreStatus::Unreadable;
  if (value.size() > bound) {
    s.remote.corrupt.fetch_add(1, std::memory_order_relaxed);
    out.defect = entry_defect("shared cache value larger than VYRE_REMOTE_CACHE_MAX_ENTRY_BYTES (" +
                              std::to_string(s.options.max_entry_bytes) + ")");
    return out;
  }
  OpenedEntry opened = open_signed_entry(value, key, s.options.trusted_keys);
  if (opened.refused) {
    (*opened.refused == MissReason::UntrustedEntry ? s.remote.untrusted : s.remote.corrupt)
        .fetch_add(1, std::memory_order_relaxed);
    out.defect = std::move(opened.defect);
    return out;
  }
  s.counters.add(StoreCounter::Hits);
  out.status = StoreStatus::Hit;
  if (opened.entry.size() <= scratch.size()) {
    std::memcpy(scratch.data(), opened.entry.data(), opened.entry.size());
    out.bytes = scratch.first(opened.entry.size());
  } else {
    out.owned.assign(opened.entry.begin(), opened.entry.end());
    out.bytes = out.owned;
  }
  return out;
}

bool RedisStore::put(const Digest& key, std::span<const std::uint8_t> bytes) {
  State& s = *state_;
  if (!writable()) return false;
  const bool release = s.take_held(key);
  auto give_back = [&] {
    if (release) release_lease(key);
    return false;
  };
  if (bytes.size() > s.options.max_entry_bytes) {
    s.counters.add(StoreCounter::SkippedOversize);
    return give_back();
  }
  if (!s.available()) {
    s.remote.skipped_down.fetch_add(1, std::memory_order_relaxed);
    return give_back();
  }
  if (!s.enqueue(WriteJob{key, std::vector<std::uint8_t>(bytes.begin(), bytes.end()), release})) {
    s.remote.dropped_writes.fetch_add(1, std::memory_order_relaxed);
    s.counters.add(StoreCounter::WriteFailures);
    return give_back();
  }
  return true;
}

bool RedisStore::remove(const Digest& key) {
  State& s = *state_;
  if (!writable()) return false;
  std::string name = s.entry_name(key);
  std::lock_guard lock(s.foreground_mutex);
  auto reply = s.run(s.foreground, {"DEL", name}, [](const RedisReply& r) { return r.integer(); });
  return reply && reply->value() > 0;
}

bool RedisStore::discard(const Digest& key, const StoreRead& read) {
  (void)read;
  // Only a writer removes shared entries; a reader leaves them for the writers to replace.
  if (!remove(key)) return false;
  state_->counters.add(StoreCounter::CorruptRemoved);
  return true;
}

Status RedisStore::flush() {
  State& s = *state_;
  if (!s.writer.joinable()) return Ok{};
  // Each queued job takes at most a connect and two commands; beyond that the server is
  // failing and the jobs are dropped by the back-off anyway.
  const auto bound = (s.options.connect_timeout + 2 * s.options.command_timeout) *
                         static_cast<int>(s.options.write_queue + 1) +
                     std::chrono::milliseconds(100);
  std::unique_lock lock(s.queue_mutex);
  s.drained_cv.wait_for(lock, bound, [&] { return s.queue.empty() && !s.writing; });
  return Ok{};
}

StoreCounters RedisStore::counters() const {
  return state_->counters.snapshot();
}

ExtraCounters RedisStore::extra_counters() const {
  return stats().to_extra();
}

RemoteStats RedisStore::stats() const {
  const auto& r = state_->remote;
  RemoteStats out;
  out.untrusted = r.untrusted.load();
  out.corrupt = r.corrupt.load();
  out.errors = r.errors.load();
  out.skipped_down = r.skipped_down.load();
  out.dropped_writes = r.dropped_writes.load();
  out.leases_taken = r.leases_taken.load();
  out.waits = r.waits.load();
  out.waits_served = r.waits_served.load();
  out.wait_timeouts = r.wait_timeouts.load();
  out.gets = r.gets.load();
  out.get_us_total = r.get_us_total.load();
  out.get_us_max = r.get_us_max.load();
  out.available = state_->available();
  return out;
}

std::optional<bool> RedisStore::holds(const Digest& key) {
  State& s = *state_;
  std::string name = s.entry_name(key);
  std::lock_guard lock(s.foreground_mutex);
  auto reply =
      s.run(s.foreground, {"EXISTS", name}, [](const RedisReply& r) { return r.integer(); });
  if (!reply) return std::nullopt;
  return reply->value() > 0;
}

FleetTurn RedisStore::take_turn(const Digest& key) {
  return turn(key, /*wait=*/true);
}

FleetTurn RedisStore::try_turn(const Digest& key) {
  return turn(key, /*wait=*/false);
}

FleetTurn RedisStore::turn(const Digest& key, bool wait) {
  State& s = *state_;
  if (!s.available() || s.options.fleet_wait.count() == 0) return FleetTurn::Compile;
  const std::string lease = s.lease_name(key);
  const std::string entry = s.entry_name(key);
  const std::string px = std::to_string(s.options.fleet_wait.count());
  const Clock::time_point deadline = Clock::now() + s.options.fleet_wait;
  auto is_integer = [](const RedisReply& r) { return r.integer(); };
  bool waited = false;
  for (;;) {
    std::unique_lock lock(s.foreground_mutex);
    if (writable()) {
      auto taken = s.run(s.foreground, {"SET", lease, s.token, "NX", "PX", px},
                         [](const RedisReply& r) { return r.nil() || r.status("OK"); });
      if (!taken) return FleetTurn::Compile;
      if (!taken->nil()) {
        // Ours. The previous holder may have landed its entry and let go just before.
        auto landed = s.run(s.foreground, {"EXISTS", entry}, is_integer);
        if (landed && landed->value() > 0) {
          s.release(s.foreground, key);
          if (waited) s.remote.waits_served.fetch_add(1, std::memory_order_relaxed);
          return FleetTurn::EntryReady;
        }
        {
          std::lock_guard held(s.held_mutex);
          s.held.insert(key);
        }
        s.remote.leases_taken.fetch_add(1, std::memory_order_relaxed);
        return FleetTurn::Leader;
      }
    } else {
      // A reader never takes a lease, but waits on a writer's.
      auto leased = s.run(s.foreground, {"EXISTS", lease}, is_integer);
      if (!leased) return FleetTurn::Compile;
      if (leased->value() == 0) {
        auto landed = s.run(s.foreground, {"EXISTS", entry}, is_integer);
        if (landed && landed->value() > 0) return FleetTurn::EntryReady;
        return FleetTurn::Compile;
      }
    }
    auto landed = s.run(s.foreground, {"EXISTS", entry}, is_integer);
    if (!landed) return FleetTurn::Compile;
    if (!wait) return landed->value() > 0 ? FleetTurn::EntryReady : FleetTurn::Busy;
    if (!waited) {
      waited = true;
      s.remote.waits.fetch_add(1, std::memory_order_relaxed);
    }
    if (landed->value() > 0) {
      s.remote.waits_served.fetch_add(1, std::memory_order_relaxed);
      return FleetTurn::EntryReady;
    }
    lock.unlock();
    if (Clock::now() + s.options.poll_interval > deadline) {
      s.remote.wait_timeouts.fetch_add(1, std::memory_order_relaxed);
      return FleetTurn::Compile;
    }
    std::this_thread::sleep_for(s.options.poll_interval);
  }
}

void RedisStore::finished(const Digest& key) {
  if (!state_->take_held(key)) return;  // put() already queued the release behind the entry
  release_lease(key);
}

}  // namespace vyre::pipeline

namespace vyre::pipeline {

void RedisStore::release_lease(const Digest& key) {
  State& s = *state_;
  // Behind any queued put, so the entry lands before the lease goes; directly when the queue
  // is full.
  if (s.writer.joinable() && s.enqueue(WriteJob{key, {}, true})) return;
  std::lock_guard lock(s.foreground_mutex);
  s.release(s.foreground, key);
}

}  // namespace vyre::pipeline
