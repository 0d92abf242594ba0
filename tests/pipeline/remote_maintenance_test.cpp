// RemoteMaintenance against a real redis-server: the probe behind `vyre cache stats`, the lookup
// behind `explain` and the upload behind `push`; every failure a VY5207 error, never a hang.
#include "vyre/pipeline/remote_maintenance.h"

#include <gtest/gtest.h>

#include "pipeline/redis_server.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/entry_format.h"
#include "vyre/pipeline/redis_store.h"

namespace vyre::pipeline {
namespace {

using namespace testing;

KeyFactors factors_for(std::uint8_t program) {
  KeyFactors f;
  f.program.fill(program);
  f.backend = "fake";
  f.fingerprint = {"vyre", "fake-device", "driver 1", "fakecc 1"};
  return f;
}

std::vector<std::uint8_t> entry_for(const KeyFactors& f) {
  std::vector<std::uint8_t> payload(100, f.program[0]);
  return encode_entry(EntryMetadata{f, 5}, payload, public_entry_secret()).value();
}

TEST(RemoteMaintenance, UploadsOnceAndAStoreReadsWhatItUploaded) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet keys;
  RemoteMaintenance remote(keys.writer(server));
  const KeyFactors f = factors_for(3);
  auto absent = remote.lookup(f.key());
  ASSERT_TRUE(absent.ok()) << absent.error().message;
  EXPECT_EQ(absent->holding, RemoteHolding::Absent);

  auto first = remote.upload(f.key(), entry_for(f));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(*first, UploadOutcome::Pushed);
  auto second = remote.upload(f.key(), entry_for(f));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, UploadOutcome::AlreadyThere);
  EXPECT_EQ(remote.lookup(f.key())->holding, RemoteHolding::Present);

  StoreContext context;
  context.warning_sink = [](const Diagnostic&) {};
  RedisStore reader(keys.reader(server), context);
  StoreRead read = reader.get(f.key());
  ASSERT_EQ(read.status, StoreStatus::Hit);
  EXPECT_TRUE(std::equal(read.bytes.begin(), read.bytes.end(), entry_for(f).begin()));

  RemoteProbe probe = remote.probe();
  EXPECT_TRUE(probe.reachable);
  EXPECT_EQ(probe.entries, std::optional<std::uint64_t>(1));
  EXPECT_FALSE(probe.server_version.empty());
  ASSERT_TRUE(probe.used_memory.has_value());
  EXPECT_GT(*probe.used_memory, 0u);
}

TEST(RemoteMaintenance, ValuesReadersWouldRefuseAreNamedAndReplaced) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet keys, strangers;
  const KeyFactors f = factors_for(4);
  RemoteMaintenance stranger(strangers.writer(server));
  ASSERT_EQ(*stranger.upload(f.key(), entry_for(f)), UploadOutcome::Pushed);

  RemoteMaintenance remote(keys.writer(server));
  auto seen = remote.lookup(f.key());
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->holding, RemoteHolding::Untrusted);
  ASSERT_TRUE(seen->defect.has_value());
  EXPECT_EQ(seen->defect->code, code::RemoteEntryUntrusted);
  EXPECT_EQ(*remote.upload(f.key(), entry_for(f)), UploadOutcome::Replaced);
  EXPECT_EQ(remote.lookup(f.key())->holding, RemoteHolding::Present);

  ASSERT_TRUE(server.command({"SET", "test:e:" + to_hex(f.key()), "short"}).ok());
  EXPECT_EQ(remote.lookup(f.key())->holding, RemoteHolding::Corrupt);
}

TEST(RemoteMaintenance, UploadNeedsASigningKey) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet keys;
  RemoteMaintenance reader(keys.reader(server));
  const KeyFactors f = factors_for(5);
  auto refused = reader.upload(f.key(), entry_for(f));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, code::RemoteSigningKeyMissing);
  EXPECT_FALSE(refused.error().help.empty());
  EXPECT_EQ(reader.lookup(f.key())->holding, RemoteHolding::Absent);
}

TEST(RemoteMaintenance, ADeadServerIsAnErrorNotAHang) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server;
  ASSERT_TRUE(server.ok());
  Fleet keys;
  RemoteMaintenance remote(keys.writer(server));
  ASSERT_TRUE(remote.probe().reachable);
  server.kill();
  RemoteProbe probe = remote.probe();
  EXPECT_FALSE(probe.reachable);
  ASSERT_TRUE(probe.error.has_value());
  EXPECT_EQ(probe.error->code, code::RemoteCacheUnreachable);
  EXPECT_FALSE(probe.error->help.empty());
  const KeyFactors f = factors_for(6);
  auto lookup = remote.lookup(f.key());
  ASSERT_FALSE(lookup.ok());
  EXPECT_EQ(lookup.error().code, code::RemoteCacheUnreachable);
  auto upload = remote.upload(f.key(), entry_for(f));
  ASSERT_FALSE(upload.ok());
  EXPECT_EQ(upload.error().code, code::RemoteCacheUnreachable);
}

// A reader's documented ACL allows neither INFO nor SCAN: the probe still answers "reachable"
// and leaves what it could not ask unknown.
TEST(RemoteMaintenance, AProbeUnderTheReadersAclLeavesWhatItMayNotAskUnknown) {
  VYRE_REQUIRE_REDIS_SERVER();
  RedisServer server({"user default off",
                      "user vyre-reader on >reader-pw resetkeys ~test:* resetchannels -@all "
                      "+getrange +exists +select +ping"});
  ASSERT_TRUE(server.ok());
  Fleet keys;
  RemoteCacheOptions r = keys.reader(server);
  r.endpoint.user = "vyre-reader";
  r.endpoint.password = "reader-pw";
  RemoteMaintenance remote(r);
  RemoteProbe probe = remote.probe();
  EXPECT_TRUE(probe.reachable) << (probe.error ? probe.error->message : "");
  EXPECT_FALSE(probe.entries.has_value());
  EXPECT_FALSE(probe.used_memory.has_value());
  EXPECT_EQ(remote.lookup(factors_for(7).key())->holding, RemoteHolding::Absent);
}

}  // namespace
}  // namespace vyre::pipeline
