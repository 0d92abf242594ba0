// The Redis store against a real redis-server: signed round trips, refused values, a reader that
// never writes, failures that never block or throw (down, paused, full, garbage), leases.
#include "vyre/pipeline/redis_store.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "pipeline/redis_server.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/entry_format.h"

namespace vyre::pipeline {
namespace {

using namespace testing;
using std::chrono::milliseconds;

KeyFactors factors_for(std::uint8_t program) {
  KeyFactors f;
  f.program.fill(program);
  f.backend = "fake";
  f.fingerprint = {"vyre", "fake-device", "driver 1", "fakecc 1"};
  return f;
}

std::vector<std::uint8_t> entry_for(const KeyFactors& f, std::size_t payload_bytes = 200) {
  std::vector<std::uint8_t> payload(payload_bytes, static_cast<std::uint8_t>(f.program[0]));
  return encode_entry(EntryMetadata{f, 77}, payload, public_entry_secret()).value();
}

std::string entry_name(const Digest& key) {
  return "test:e:" + to_hex(key);
}

StoreContext context_with(WarningLog& log) {
  StoreContext c;
  c.warning_sink = log.sink();
  return c;
}

TEST(RedisStore, ASignedPutIsReadBackByAReaderHoldingOnlyThePublicKey) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet fleet;
  WarningLog log;
  RedisStore writer(fleet.writer(server), context_with(log));
  RedisStore reader(fleet.reader(server), context_with(log));
  EXPECT_TRUE(writer.writable());
  EXPECT_FALSE(reader.writable());

  KeyFactors f = factors_for(1);
  auto entry = entry_for(f);
  EXPECT_EQ(reader.get(f.key()).status, StoreStatus::Absent);
  ASSERT_TRUE(writer.put(f.key(), entry));
  ASSERT_TRUE(writer.flush().ok());
  EXPECT_EQ(writer.counters()[StoreCounter::Writes], 1u);

  auto raw = server.command({"GET", entry_name(f.key())});
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE(raw->string());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(raw->bytes().data()), 8), "VYRESIG1");

  std::array<std::uint8_t, 4096> scratch{};
  StoreRead got = reader.get(f.key(), scratch);
  ASSERT_EQ(got.status, StoreStatus::Hit);
  EXPECT_TRUE(std::equal(got.bytes.begin(), got.bytes.end(), entry.begin(), entry.end()));
  EXPECT_EQ(got.bytes.data(), scratch.data()) << "a small hit is read into the caller's scratch";
  StoreRead big = reader.get(f.key());
  ASSERT_EQ(big.status, StoreStatus::Hit);
  EXPECT_EQ(big.bytes.data(), big.owned.data());
  EXPECT_EQ(reader.counters()[StoreCounter::Hits], 2u);
  EXPECT_EQ(log.count(), 0u);
}

TEST(RedisStore, AReaderWithoutTheSigningKeyNeverWrites) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet fleet;
  WarningLog log;
  RedisStore reader(fleet.reader(server), context_with(log));
  KeyFactors f = factors_for(2);
  EXPECT_FALSE(reader.put(f.key(), entry_for(f)));
  EXPECT_FALSE(reader.remove(f.key()));
  EXPECT_EQ(reader.take_turn(f.key()), FleetTurn::Compile) << "no lease held elsewhere";
  reader.finished(f.key());
  ASSERT_TRUE(reader.flush().ok());
  auto size = server.command({"DBSIZE"});
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->value(), 0) << "a reader wrote to the shared cache";
}

TEST(RedisStore, ChangedTruncatedUnsignedOrUntrustedValuesAreNeverHandedUp) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet fleet;
  WarningLog log;
  RedisStore reader(fleet.reader(server), context_with(log));
  KeyFactors f = factors_for(3);
  auto entry = entry_for(f, 64);
  auto envelope = sign_entry(*fleet.signer, f.key(), entry);
  auto put_raw = [&](std::span<const std::uint8_t> bytes) {
    ASSERT_TRUE(
        server
            .command({"SET", entry_name(f.key()),
                      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())})
            .ok());
  };
  std::size_t refused = 0;
  for (std::size_t i = 0; i < envelope.size(); i += 3) {
    auto changed = envelope;
    changed[i] ^= 0x20;
    put_raw(changed);
    StoreRead got = reader.get(f.key());
    ASSERT_EQ(got.status, StoreStatus::Unreadable) << "byte " << i << " changed, yet loaded";
    ASSERT_TRUE(got.defect);
    ++refused;
  }
  for (std::size_t n : {1ul, 50ul, 103ul, 104ul, 200ul, envelope.size() - 1}) {
    put_raw(std::span(envelope).first(n));
    StoreRead got = reader.get(f.key());
    ASSERT_EQ(got.status, StoreStatus::Unreadable) << "truncated to " << n << ", yet loaded";
    EXPECT_EQ(got.defect->code, code::CacheEntryCorrupt);
  }
  put_raw(entry);  // unsigned
  StoreRead unsigned_read = reader.get(f.key());
  ASSERT_EQ(unsigned_read.status, StoreStatus::Unreadable);
  EXPECT_EQ(unsigned_read.defect->code, code::RemoteEntryUntrusted);
  put_raw(sign_entry(SigningKey::generate(), f.key(), entry));  // an untrusted signer
  StoreRead stranger = reader.get(f.key());
  ASSERT_EQ(stranger.status, StoreStatus::Unreadable);
  EXPECT_EQ(stranger.defect->code, code::RemoteEntryUntrusted);
  put_raw(envelope);
  EXPECT_EQ(reader.get(f.key()).status, StoreStatus::Hit) << "the intact value still loads";
  RemoteStats stats = reader.stats();
  EXPECT_EQ(stats.untrusted + stats.corrupt, refused + 8);
  EXPECT_GE(stats.untrusted, 2u);
}

TEST(RedisStore, AValueOverTheSizeBoundIsRefusedWithoutReadingItWhole) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet fleet;
  WarningLog log;
  RemoteCacheOptions options = fleet.writer(server);
  options.max_entry_bytes = 1000;
  RedisStore store(options, context_with(log));
  KeyFactors f = factors_for(4);
  EXPECT_FALSE(store.put(f.key(), entry_for(f, 2000)));
  EXPECT_EQ(store.counters()[StoreCounter::SkippedOversize], 1u);
  std::string huge(1 << 20, 'x');
  ASSERT_TRUE(server.command({"SET", entry_name(f.key()), huge}).ok());
  StoreRead got = store.get(f.key());
  EXPECT_EQ(got.status, StoreStatus::Unreadable);
  EXPECT_EQ(got.defect->code, code::CacheEntryCorrupt);
}

TEST(RedisStore, TheTtlIsSetOnEveryEntry) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet fleet;
  WarningLog log;
  RemoteCacheOptions options = fleet.writer(server);
  options.ttl = std::chrono::seconds(600);
  RedisStore store(options, context_with(log));
  KeyFactors f = factors_for(5);
  ASSERT_TRUE(store.put(f.key(), entry_for(f)));
  ASSERT_TRUE(store.flush().ok());
  auto ttl = server.command({"TTL", entry_name(f.key())});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->value(), 500);
  EXPECT_LE(ttl->value(), 600);
}

TEST(RedisStore, ADownServerIsOneWarningThenABackOffThenUsedAgain) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet fleet;
  WarningLog log;
  RedisStore store(fleet.writer(server), context_with(log));
  KeyFactors f = factors_for(6);
  ASSERT_TRUE(store.put(f.key(), entry_for(f)));
  ASSERT_TRUE(store.flush().ok());
  server.kill();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(store.get(f.key()).status, StoreStatus::Absent);
    (void)store.put(f.key(), entry_for(f));
    EXPECT_EQ(store.take_turn(f.key()), FleetTurn::Compile);
  }
  ASSERT_TRUE(store.flush().ok());
  EXPECT_EQ(log.count(code::RemoteCacheUnavailable), 1u) << "one warning, not one per call";
  EXPECT_FALSE(store.stats().available);
  EXPECT_GT(store.stats().skipped_down, 0u) << "calls during the back-off do not touch the network";

  ASSERT_TRUE(server.restart());
  bool back = false;
  for (int i = 0; i < 300 && !back; ++i) {  // back-off 100 ms doubling: within 3 s
    std::this_thread::sleep_for(milliseconds(10));
    back = store.put(f.key(), entry_for(f)) && store.flush().ok() && store.holds(f.key()) == true;
  }
  EXPECT_TRUE(back) << "the store never came back after the server did";
  EXPECT_EQ(store.get(f.key()).status, StoreStatus::Hit);
  EXPECT_EQ(log.count(code::RemoteCacheUnavailable), 1u);
}

TEST(RedisStore, APausedServerCostsOneTimeoutNotADispatch) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet fleet;
  WarningLog log;
  RedisStore store(fleet.writer(server), context_with(log));
  KeyFactors f = factors_for(7);
  ASSERT_TRUE(store.put(f.key(), entry_for(f)));
  ASSERT_TRUE(store.flush().ok());
  ASSERT_TRUE(server.command({"CLIENT", "PAUSE", "3000", "ALL"}).ok());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(store.get(f.key()).status, StoreStatus::Absent);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(store.get(f.key()).status, StoreStatus::Absent);
  const auto spent = std::chrono::steady_clock::now() - start;
  // One command timeout (200 ms here), then the back-off answers at once: far below the pause.
  EXPECT_LT(spent, milliseconds(2000));
  EXPECT_EQ(log.count(code::RemoteCacheUnavailable), 1u);
  EXPECT_NE(log.warnings[0].message.find("within the command timeout"), std::string::npos)
      << log.warnings[0].message;
}

TEST(RedisStore, AFullServerRefusesWritesWithOneWarning) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server({"maxmemory-policy noeviction"});
  ASSERT_TRUE(server.ok());
  // 2 MiB of data, then a 1 MiB limit: used memory stays above it, so every write is refused.
  std::string filler(512 << 10, 'f');
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(server.command({"SET", "f" + std::to_string(i), filler}).ok());
  ASSERT_TRUE(server.command({"CONFIG", "SET", "maxmemory", "1mb"}).ok());
  ASSERT_FALSE(server.command({"SET", "probe", "x"}).ok()) << "the server is not full";
  Fleet fleet;
  WarningLog log;
  RedisStore store(fleet.writer(server), context_with(log));
  KeyFactors f = factors_for(8);
  (void)store.put(f.key(), entry_for(f, 4096));
  ASSERT_TRUE(store.flush().ok());
  EXPECT_EQ(store.counters()[StoreCounter::WriteFailures], 1u);
  ASSERT_EQ(log.count(code::RemoteCacheUnavailable), 1u);
  EXPECT_NE(log.warnings[0].message.find("OOM"), std::string::npos) << log.warnings[0].message;
}

// A TCP peer that answers every request with bytes that are not the Redis protocol.
class GarbageServer {
 public:
  GarbageServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 4);
    thread_ = std::thread([this] {
      for (;;) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) ::close(c);
          return;
        }
        char buffer[512];
        while (::read(c, buffer, sizeof buffer) > 0) {
          const char junk[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
          (void)::write(c, junk, sizeof junk - 1);
        }
        ::close(c);
      }
    });
  }
  ~GarbageServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    int wake = ::socket(AF_INET, SOCK_STREAM, 0);  // unblocks accept()
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port_);
    ::connect(wake, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::close(wake);
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(RedisStore, AnAnswerThatIsNotRedisIsOneWarning) {
  GarbageServer garbage;
  RemoteCacheOptions options;
  options.endpoint = {"127.0.0.1", garbage.port(), 0};
  options.connect_timeout = milliseconds(200);
  options.command_timeout = milliseconds(200);
  options.signing_key = std::make_shared<const SigningKey>(SigningKey::generate());
  WarningLog log;
  RedisStore store(options, context_with(log));
  KeyFactors f = factors_for(9);
  EXPECT_EQ(store.get(f.key()).status, StoreStatus::Absent);
  EXPECT_EQ(store.take_turn(f.key()), FleetTurn::Compile);
  ASSERT_EQ(log.count(code::RemoteCacheUnavailable), 1u);
  EXPECT_NE(log.warnings[0].message.find("not a Redis reply"), std::string::npos)
      << log.warnings[0].message;
}

TEST(RedisStore, OneLeaderPerKeyAndWaitersGetItsEntry) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet fleet;
  WarningLog log;
  RedisStore a(fleet.writer(server), context_with(log));
  RedisStore b(fleet.writer(server), context_with(log));
  RedisStore reader(fleet.reader(server), context_with(log));
  KeyFactors f = factors_for(10);
  ASSERT_EQ(a.take_turn(f.key()), FleetTurn::Leader);
  auto b_turn = std::async(std::launch::async, [&] { return b.take_turn(f.key()); });
  auto r_turn = std::async(std::launch::async, [&] { return reader.take_turn(f.key()); });
  EXPECT_EQ(b_turn.wait_for(milliseconds(100)), std::future_status::timeout) << "b must wait";
  ASSERT_TRUE(a.put(f.key(), entry_for(f)));
  a.finished(f.key());
  EXPECT_EQ(b_turn.get(), FleetTurn::EntryReady);
  EXPECT_EQ(r_turn.get(), FleetTurn::EntryReady);
  EXPECT_EQ(b.get(f.key()).status, StoreStatus::Hit);
  // The release is queued behind the put on a's writer: b can see the entry before it runs.
  ASSERT_TRUE(a.flush().ok());
  auto lease = server.command({"EXISTS", "test:l:" + to_hex(f.key())});
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->value(), 0) << "the leader's lease outlived its put";
  EXPECT_EQ(b.take_turn(f.key()), FleetTurn::EntryReady) << "a late miss finds the entry at once";
}

TEST(RedisStore, TryTurnAnswersBusyInsteadOfWaiting) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet fleet;
  WarningLog log;
  RedisStore a(fleet.writer(server), context_with(log));
  RedisStore b(fleet.writer(server), context_with(log));
  RedisStore reader(fleet.reader(server), context_with(log));
  KeyFactors f = factors_for(13);
  ASSERT_EQ(a.try_turn(f.key()), FleetTurn::Leader) << "a free key is led at once";
  EXPECT_EQ(b.try_turn(f.key()), FleetTurn::Busy);
  EXPECT_EQ(reader.try_turn(f.key()), FleetTurn::Busy);
  EXPECT_EQ(b.stats().waits, 0u) << "a try never counts as a wait";
  EXPECT_EQ(b.stats().leases_taken, 0u);
  ASSERT_TRUE(a.put(f.key(), entry_for(f)));
  a.finished(f.key());
  ASSERT_TRUE(a.flush().ok());
  EXPECT_EQ(b.try_turn(f.key()), FleetTurn::EntryReady);
  EXPECT_EQ(reader.try_turn(f.key()), FleetTurn::EntryReady);
  EXPECT_EQ(reader.try_turn(factors_for(14).key()), FleetTurn::Compile)
      << "a reader compiles what nobody is compiling";
  EXPECT_EQ(log.count(), 0u);
}

TEST(RedisStore, ALeaseOfADeadCompilerExpiresAndAWaiterTakesOver) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet fleet;
  WarningLog log;
  KeyFactors f = factors_for(11);
  {
    RemoteCacheOptions short_lease = fleet.writer(server);
    short_lease.fleet_wait = milliseconds(300);
    RedisStore dying(short_lease, context_with(log));
    ASSERT_EQ(dying.take_turn(f.key()), FleetTurn::Leader);
  }  // gone without finished(): its lease stays until it expires
  RedisStore b(fleet.writer(server), context_with(log));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(b.take_turn(f.key()), FleetTurn::Leader);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
  b.finished(f.key());

  RemoteCacheOptions impatient = fleet.writer(server);
  impatient.fleet_wait = milliseconds(50);
  RedisStore c(fleet.writer(server), context_with(log));
  ASSERT_EQ(c.take_turn(factors_for(12).key()), FleetTurn::Leader);
  RedisStore d(impatient, context_with(log));
  EXPECT_EQ(d.take_turn(factors_for(12).key()), FleetTurn::Compile) << "the wait is bounded";
  EXPECT_EQ(d.stats().wait_timeouts, 1u);
  EXPECT_EQ(log.count(), 0u);
}

// The ACL users docs/SHARED_CACHE.md recommends are enough for everything each side does.
TEST(RedisStore, TheDocumentedAclUsersAreEnough) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server({"user default off",
                      "user vyre-writer on >writer-pw resetkeys ~test:* resetchannels -@all "
                      "+getrange +get +set +exists +del +eval +select +ping",
                      "user vyre-reader on >reader-pw resetkeys ~test:* resetchannels -@all "
                      "+getrange +exists +select +ping"});
  Fleet fleet;
  WarningLog log;
  RemoteCacheOptions w = fleet.writer(server);
  w.endpoint.user = "vyre-writer";
  w.endpoint.password = "writer-pw";
  RemoteCacheOptions r = fleet.reader(server);
  r.endpoint.user = "vyre-reader";
  r.endpoint.password = "reader-pw";
  RedisStore writer(w, context_with(log));
  RedisStore reader(r, context_with(log));
  KeyFactors f = factors_for(13);
  ASSERT_EQ(writer.take_turn(f.key()), FleetTurn::Leader);
  auto waiting = std::async(std::launch::async, [&] { return reader.take_turn(f.key()); });
  ASSERT_TRUE(writer.put(f.key(), entry_for(f)));
  writer.finished(f.key());
  ASSERT_TRUE(writer.flush().ok());
  EXPECT_EQ(waiting.get(), FleetTurn::EntryReady);
  EXPECT_EQ(reader.get(f.key()).status, StoreStatus::Hit);
  EXPECT_TRUE(writer.remove(f.key()));
  EXPECT_EQ(log.count(), 0u) << log.warnings[0].message;

  RemoteCacheOptions wrong = fleet.writer(server);
  wrong.endpoint.user = "vyre-writer";
  wrong.endpoint.password = "not-it";
  RedisStore refused(wrong, context_with(log));
  EXPECT_EQ(refused.get(f.key()).status, StoreStatus::Absent);
  ASSERT_EQ(log.count(code::RemoteCacheUnavailable), 1u);
  EXPECT_NE(log.warnings[0].message.find("AUTH"), std::string::npos) << log.warnings[0].message;
}

}  // namespace
}  // namespace vyre::pipeline
