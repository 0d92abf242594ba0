// The pipeline cache with the Redis store in its chain: a remote hit is loaded and written to the
// local disk; refused values (changed, truncated, unsigned, untrusted) are misses with their own
// reason that never reach the backend or the disk; a reader never writes; configuration from
// the environment.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "pipeline/redis_server.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/entry_format.h"
#include "vyre/pipeline/redis_store.h"

namespace vyre::pipeline {
namespace {

using namespace testing;

struct Keys {
  std::shared_ptr<const SigningKey> signer =
      std::make_shared<const SigningKey>(SigningKey::generate());
};

std::shared_ptr<PipelineCache> cache_on(const RedisServer& server, const TempDir& disk,
                                        std::shared_ptr<const SigningKey> signer,
                                        std::vector<PublicKey> trusted, WarningLog* log) {
  PipelineCacheOptions options = options_at(disk.path(), log);
  options.stores.push_back(
      RedisStore::row(remote_options_for(server, std::move(signer), std::move(trusted))));
  return open_cache(options);
}

std::string entry_name(const Digest& key) {
  return "test:e:" + to_hex(key);
}

std::size_t disk_entries(PipelineCache& cache) {
  return cache.disk() ? cache.disk()->scan().size() : 0;
}

TEST(SharedCache, ARemoteHitIsLoadedAndWrittenToTheLocalDisk) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Keys keys;
  WarningLog log;
  TempDir writer_disk, reader_disk;
  {
    FakeBackend backend;
    auto writer = cache_on(server, writer_disk, keys.signer, {}, &log);
    ASSERT_TRUE(writer->obtain(backend, make_program(1), {}).ok());
    ASSERT_TRUE(writer->flush().ok());
    EXPECT_EQ(backend.compiles, 1);
  }
  FakeBackend backend;
  auto reader = cache_on(server, reader_disk, nullptr, {keys.signer->public_key()}, &log);
  CacheOutcome outcome;
  auto got = reader->obtain(backend, make_program(1), {}, &outcome);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(outcome.tier, CacheTier::Disk);
  EXPECT_EQ(outcome.store, "redis");
  EXPECT_EQ(backend.compiles, 0) << "the fleet's compile was reused";
  EXPECT_EQ(static_cast<const FakePipeline&>(**got).tag(),
            backend.expected_bytes(make_program(1), {}));
  ASSERT_TRUE(reader->flush().ok());
  EXPECT_EQ(disk_entries(*reader), 1u) << "a remote hit is written to the local disk";
  EXPECT_EQ(reader->snapshot().store("disk")->promoted, 1u);

  // The next process on that machine hits its own disk, without the remote.
  auto local = open_cache(options_at(reader_disk.path(), &log));
  CacheOutcome again;
  ASSERT_TRUE(local->obtain(backend, make_program(1), {}, &again).ok());
  EXPECT_EQ(again.store, "disk");
  EXPECT_EQ(backend.compiles, 0);
  EXPECT_EQ(log.count(), 0u);
}

TEST(SharedCache, RefusedValuesAreMissesThatNeverReachTheBackendOrTheDisk) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Keys keys;
  WarningLog log;
  FakeBackend probe;
  TempDir probe_disk;
  auto factors =
      cache_on(server, probe_disk, nullptr, {}, &log)->key_factors(probe, make_program(2), {});
  const Digest key = factors->key();
  std::string payload = probe.expected_bytes(make_program(2), {});
  auto entry =
      encode_entry(EntryMetadata{*factors, 10},
                   std::span(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()),
                   public_entry_secret())
          .value();
  auto signed_entry = sign_entry(*keys.signer, key, entry);

  struct Case {
    const char* what;
    std::vector<std::uint8_t> value;
    MissReason reason;
  };
  std::vector<Case> cases;
  for (std::size_t at : {0ul, 9ul, 50ul, 110ul, 150ul, signed_entry.size() - 1}) {
    auto changed = signed_entry;
    changed[at] ^= 0x04;
    cases.push_back({"a changed byte", changed,
                     at >= 40 && at < 104 ? MissReason::UntrustedEntry : MissReason::CorruptEntry});
  }
  cases[1].reason = MissReason::UntrustedEntry;  // byte 9 is the signer's key
  cases.push_back({"truncated",
                   std::vector<std::uint8_t>(signed_entry.begin(), signed_entry.end() - 10),
                   MissReason::CorruptEntry});
  cases.push_back({"unsigned", entry, MissReason::UntrustedEntry});
  cases.push_back({"untrusted signer", sign_entry(SigningKey::generate(), key, entry),
                   MissReason::UntrustedEntry});

  for (const Case& c : cases) {
    std::string_view raw(reinterpret_cast<const char*>(c.value.data()), c.value.size());
    ASSERT_TRUE(server.command({"SET", entry_name(key), raw}).ok());
    TempDir disk;
    FakeBackend backend;
    auto reader = cache_on(server, disk, nullptr, {keys.signer->public_key()}, &log);
    CacheOutcome outcome;
    auto got = reader->obtain(backend, make_program(2), {}, &outcome);
    ASSERT_TRUE(got.ok()) << c.what;
    EXPECT_EQ(outcome.tier, CacheTier::Compiled) << c.what;
    ASSERT_TRUE(outcome.miss) << c.what;
    EXPECT_EQ(metric_name(*outcome.miss), metric_name(c.reason))
        << c.what << ": " << outcome.miss_explanation;
    EXPECT_EQ(backend.compiles, 1) << c.what;
    EXPECT_EQ(backend.loads, 0) << c.what << ": refused bytes reached the backend";
    ASSERT_TRUE(reader->flush().ok());
    Telemetry t = reader->snapshot();
    EXPECT_EQ(t.misses_for(c.reason), 1u) << c.what;
    EXPECT_EQ(t.store("disk")->promoted, 0u) << c.what << ": refused bytes reached the disk";
    EXPECT_EQ(t.store("redis")->served, 0u) << c.what;
    auto now = server.command({"GET", entry_name(key)});
    ASSERT_TRUE(now.ok());
    EXPECT_TRUE(
        std::equal(now->bytes().begin(), now->bytes().end(), c.value.begin(), c.value.end()))
        << c.what << ": a reader replaced the value";
  }
  EXPECT_EQ(log.count(), 0u);
}

TEST(SharedCache, AReaderWithoutTheSigningKeyNeverWrites) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Keys keys;
  WarningLog log;
  TempDir disk;
  FakeBackend backend;
  {
    auto reader = cache_on(server, disk, nullptr, {keys.signer->public_key()}, &log);
    for (std::uint32_t v = 0; v < 5; ++v)
      ASSERT_TRUE(reader->obtain(backend, make_program(v), {}).ok());
    ASSERT_TRUE(reader->flush().ok());
    EXPECT_FALSE(reader->snapshot().store("redis")->writable);
  }
  EXPECT_EQ(backend.compiles, 5);
  auto size = server.command({"DBSIZE"});
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->value(), 0) << "no entry, no lease";
}

TEST(SharedCache, AnUnreachableServerIsOneWarningAndTheCacheGoesOnLocally) {
  WarningLog log;
  TempDir disk;
  FakeBackend backend;
  RemoteCacheOptions remote;
  remote.endpoint = {"127.0.0.1", free_loopback_port(), 0};  // nothing listens there
  remote.signing_key = std::make_shared<const SigningKey>(SigningKey::generate());
  PipelineCacheOptions options = options_at(disk.path(), &log);
  options.stores.push_back(RedisStore::row(remote));
  auto cache = open_cache(options);
  for (std::uint32_t v = 0; v < 10; ++v)
    ASSERT_TRUE(cache->obtain(backend, make_program(v), {}).ok());
  EXPECT_EQ(backend.compiles, 10);
  EXPECT_EQ(log.count(code::RemoteCacheUnavailable), 1u);
  ASSERT_TRUE(cache->flush().ok());
  EXPECT_EQ(disk_entries(*cache), 10u) << "the disk tier went on";
}

// Sets environment variables for one test and restores them after.
class ScopedEnv {
 public:
  void set(const char* name, const std::string& value) {
    if (const char* old = std::getenv(name))
      saved_.emplace_back(name, std::string(old));
    else
      saved_.emplace_back(name, std::nullopt);
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second)
        ::setenv(it->first, it->second->c_str(), 1);
      else
        ::unsetenv(it->first);
    }
  }

 private:
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

TEST(SharedCacheEnvironment, VariablesConfigureTheRemoteRow) {
  TempDir dir;
  ASSERT_TRUE(write_key_pair(SigningKey::generate(), dir / "k").ok());
  ScopedEnv env;
  env.set("VYRE_REMOTE_CACHE", "redis://127.0.0.1:6390/3");
  env.set("VYRE_REMOTE_CACHE_NAMESPACE", "ci");
  env.set("VYRE_REMOTE_CACHE_TIMEOUT_MS", "25");
  env.set("VYRE_REMOTE_CACHE_TTL", "3600");
  env.set("VYRE_REMOTE_CACHE_SIGNING_KEY", (dir / "k").string());
  env.set("VYRE_REMOTE_CACHE_TRUSTED_KEYS", (dir / "k.pub").string() + "," + std::string(64, 'c'));
  auto remote = RemoteCacheOptions::from_environment();
  ASSERT_TRUE(remote.ok()) << remote.error().message;
  ASSERT_TRUE(remote->has_value());
  const RemoteCacheOptions& o = **remote;
  EXPECT_EQ(o.endpoint.url(), "redis://127.0.0.1:6390/3");
  EXPECT_EQ(o.key_namespace, "ci");
  EXPECT_EQ(o.command_timeout, std::chrono::milliseconds(25));
  EXPECT_EQ(o.ttl, std::chrono::seconds(3600));
  ASSERT_TRUE(o.signing_key);
  EXPECT_EQ(o.trusted_keys.size(), 3u);  // the .pub, the listed key, the signer's own
  EXPECT_TRUE(o.key_problems.empty());
  auto options = PipelineCacheOptions::from_environment();
  ASSERT_TRUE(options.ok());
  ASSERT_FALSE(options->stores.empty());
  EXPECT_EQ(options->stores.back().name, "redis");
}

TEST(SharedCacheEnvironment, MalformedSettingsAreDiagnosed) {
  for (const char* url : {"http://x:1", "redis://", "redis://h:0", "redis://h:99999",
                          "redis://h:1/db", "redis://user:pw@h:1"}) {
    ScopedEnv env;
    env.set("VYRE_REMOTE_CACHE", url);
    auto remote = RemoteCacheOptions::from_environment();
    ASSERT_FALSE(remote.ok()) << url;
    EXPECT_EQ(remote.error().code, code::BadCacheSetting);
    EXPECT_NE(remote.error().message.find("VYRE_REMOTE_CACHE"), std::string::npos);
  }
  ScopedEnv env;
  env.set("VYRE_REMOTE_CACHE", "redis://localhost");
  env.set("VYRE_REMOTE_CACHE_TIMEOUT_MS", "soon");
  auto remote = RemoteCacheOptions::from_environment();
  ASSERT_FALSE(remote.ok());
  EXPECT_EQ(remote.error().code, code::BadCacheSetting);
}

TEST(SharedCacheEnvironment, AnExposedSigningKeyMakesTheStoreReadOnlyWithOneWarning) {
  TempDir dir;
  ASSERT_TRUE(write_key_pair(SigningKey::generate(), dir / "k").ok());
  ASSERT_EQ(::chmod((dir / "k").c_str(), 0644), 0);
  ScopedEnv env;
  env.set("VYRE_REMOTE_CACHE", "redis://127.0.0.1:1");
  env.set("VYRE_REMOTE_CACHE_SIGNING_KEY", (dir / "k").string());
  auto remote = RemoteCacheOptions::from_environment();
  ASSERT_TRUE(remote.ok()) << "a key problem never fails the cache";
  EXPECT_FALSE((*remote)->signing_key);
  ASSERT_EQ((*remote)->key_problems.size(), 1u);
  EXPECT_EQ((*remote)->key_problems[0].code, code::SigningKeyExposed);
  WarningLog log;
  StoreContext context;
  context.warning_sink = log.sink();
  RedisStore store(**remote, context);
  EXPECT_FALSE(store.writable());
  EXPECT_EQ(log.count(code::SigningKeyExposed), 1u);
}

}  // namespace
}  // namespace vyre::pipeline
