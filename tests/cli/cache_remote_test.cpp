// `vyre cache push|stats|explain` against a real redis-server (started by the test on a free
// loopback port): a push warms a fresh machine, a second push sends nothing, a push without a
// remote, a key or a server is refused with its code; stats shows the remote's counters and
// whether the server answers; explain says whether the remote holds the key; a dead server is a
// warning, never a crash.
#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/vyre_binary.h"
#include "pipeline/redis_server.h"

namespace vyre::testing {
namespace {

using pipeline::testing::RedisServer;

// The "output y: ..." line of `vyre run` (the timings around it differ from run to run).
std::string output_line(const std::string& out) {
  const std::size_t at = out.find("output y:");
  return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
}

class CacheRemote : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    VYRE_REQUIRE_REDIS_SERVER();
    server_ = std::make_unique<RedisServer>();
    ASSERT_TRUE(server_->ok());
    key_ = dir_ / "fleet.key";
    ASSERT_EQ(run_vyre("cache keygen " + key_.string()).status, 0);
  }

  // The environment of a fleet member: a writer with the signing key, or a reader with only the
  // public key.
  std::string remote_env(bool writer = true) const {
    std::string env =
        "VYRE_REMOTE_CACHE=" + server_->url() +
        " VYRE_REMOTE_CACHE_NAMESPACE=cli VYRE_REMOTE_CACHE_TRUSTED_KEYS=" + key_.string() + ".pub";
    if (writer) env += " VYRE_REMOTE_CACHE_SIGNING_KEY=" + key_.string();
    return env;
  }

  // `vyre ARGS` with that environment and the cache folder `cache`; stderr goes to err_.
  Output vyre(const std::string& env, const fs::path& cache, const std::string& args) {
    const fs::path err = dir_ / "stderr.txt";
    Output r = run_shell("env -u VYRE_REMOTE_CACHE " + env + " VYRE_CACHE_DIR=" + cache.string() +
                         " " + vyre_binary().string() + " " + args + " 2>" + err.string());
    std::ifstream in(err);
    err_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return r;
  }
  Output saxpy(const std::string& env, const fs::path& cache) {
    return vyre(env, cache,
                "run " + example_path("saxpy") + " --backend reference --param a=2 --in x=range:8");
  }
  nlohmann::json json_of(const Output& r) {
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << err_;
    return j;
  }
  nlohmann::json explain(const std::string& env, const fs::path& cache) {
    Output r =
        vyre(env, cache, "cache explain " + example_path("saxpy") + " --backend reference --json");
    EXPECT_EQ(r.status, 0) << r.out << err_;
    return json_of(r);
  }

  std::unique_ptr<RedisServer> server_;
  fs::path key_;
  std::string err_;  // the last command's stderr
};

TEST_F(CacheRemote, APushWarmsAFreshCacheThroughTheRemote) {
  const fs::path a = dir_ / "a", b = dir_ / "b";
  Output local = saxpy("", a);  // compiled on a machine without the shared tier
  ASSERT_EQ(local.status, 0) << local.out << err_;

  Output pushed = vyre(remote_env(), a, "cache push --json");
  ASSERT_EQ(pushed.status, 0) << pushed.out << err_;
  nlohmann::json j = json_of(pushed);
  EXPECT_EQ(j["local_entries"], 1);
  EXPECT_EQ(j["pushed"], 1);
  EXPECT_EQ(j["already_there"], 0);
  EXPECT_EQ(j["invalid"], 0);
  EXPECT_EQ(j["complete"], true);

  // A reader with an empty cache folder: served by the remote, compiles nothing, same output.
  Output fresh = saxpy(remote_env(/*writer=*/false), b);
  ASSERT_EQ(fresh.status, 0) << fresh.out << err_;
  EXPECT_NE(fresh.out.find("pipeline: redis hit"), std::string::npos) << fresh.out;
  EXPECT_EQ(output_line(fresh.out), output_line(local.out));
  Output stats = vyre(remote_env(false), b, "cache stats --json");
  ASSERT_EQ(stats.status, 0) << stats.out << err_;
  nlohmann::json s = json_of(stats);
  EXPECT_EQ(s["counters"]["compiles"], 0) << stats.out;
  EXPECT_EQ(s["counters"]["store_hits"], 1) << stats.out;
  EXPECT_EQ(s["entries"], 1) << "the remote hit is written to the local disk";
  EXPECT_EQ(s["remote"]["hits"], 1) << stats.out;
  EXPECT_EQ(s["remote"]["misses"]["absent"], 0) << stats.out;
  EXPECT_EQ(s["remote"]["writes"], 0) << "a reader never writes";
}

TEST_F(CacheRemote, ASecondPushFindsEverythingAlreadyThere) {
  const fs::path a = dir_ / "a";
  ASSERT_EQ(saxpy("", a).status, 0) << err_;
  ASSERT_EQ(vyre(remote_env(), a, "cache push").status, 0) << err_;
  Output again = vyre(remote_env(), a, "cache push");
  ASSERT_EQ(again.status, 0) << again.out << err_;
  EXPECT_NE(again.out.find("pushed 0, already there 1, replaced 0"), std::string::npos)
      << again.out;
}

TEST_F(CacheRemote, APushReplacesAValueReadersWouldRefuse) {
  const fs::path a = dir_ / "a";
  ASSERT_EQ(saxpy("", a).status, 0) << err_;
  const std::string key = explain("", a)["key"];
  ASSERT_TRUE(server_->command({"SET", "cli:e:" + key, "not an entry"}).ok());
  nlohmann::json e = explain(remote_env(), a);
  EXPECT_EQ(e["remote"], "corrupt_entry") << e.dump();  // too short to be an envelope

  Output pushed = vyre(remote_env(), a, "cache push --json");
  ASSERT_EQ(pushed.status, 0) << pushed.out << err_;
  EXPECT_EQ(json_of(pushed)["replaced"], 1);
  EXPECT_EQ(explain(remote_env(), a)["remote"], "present");
}

TEST_F(CacheRemote, APushWithoutASigningKeyIsRefused) {
  const fs::path a = dir_ / "a";
  ASSERT_EQ(saxpy("", a).status, 0) << err_;
  Output r = vyre(remote_env(/*writer=*/false), a, "cache push");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(err_.find("error[VY5206]"), std::string::npos) << err_;
  EXPECT_NE(err_.find("help: "), std::string::npos) << err_;

  // A key file others may read is refused (VY5203), and so is the push.
  ASSERT_EQ(::chmod(key_.c_str(), 0644), 0);
  r = vyre(remote_env(), a, "cache push");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(err_.find("VY5203"), std::string::npos) << err_;
  EXPECT_NE(err_.find("error[VY5206]"), std::string::npos) << err_;
  EXPECT_EQ(explain(remote_env(false), a)["remote"], "absent") << "nothing was written";
}

TEST_F(CacheRemote, APushWithoutARemoteOrToADeadServerIsRefused) {
  const fs::path a = dir_ / "a";
  ASSERT_EQ(saxpy("", a).status, 0) << err_;
  Output r = vyre("", a, "cache push");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(err_.find("error[VY5205]"), std::string::npos) << err_;
  EXPECT_NE(err_.find("help: "), std::string::npos) << err_;

  server_->kill();
  r = vyre(remote_env(), a, "cache push");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(err_.find("error[VY5207]"), std::string::npos) << err_;
  EXPECT_NE(err_.find("help: "), std::string::npos) << err_;
}

TEST_F(CacheRemote, StatsShowsTheRemotesCountsAndWhetherItAnswers) {
  const fs::path a = dir_ / "a";
  ASSERT_EQ(saxpy(remote_env(), a).status, 0) << err_;  // absent remotely: compiled and written
  ASSERT_EQ(saxpy(remote_env(), dir_ / "b").status, 0) << err_;  // another machine: a hit

  Output r = vyre(remote_env(), a, "cache stats --json");
  ASSERT_EQ(r.status, 0) << r.out << err_;
  nlohmann::json remote = json_of(r)["remote"];
  EXPECT_EQ(remote["configured"], true);
  EXPECT_EQ(remote["url"], server_->url());
  EXPECT_EQ(remote["namespace"], "cli");
  EXPECT_EQ(remote["reachable"], true);
  EXPECT_EQ(remote["entries"], 1) << "the server's own count of the namespace's entries";
  EXPECT_GT(remote["used_memory"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(remote["hits"], 0);
  EXPECT_EQ(remote["misses"]["absent"], 1);
  EXPECT_EQ(remote["misses"]["untrusted_entry"], 0);
  EXPECT_EQ(remote["writes"], 1);
  EXPECT_EQ(remote["errors"], 0);
  EXPECT_GE(remote["gets"].get<std::uint64_t>(), 1u);
  EXPECT_GE(remote["get_ms_max"].get<double>(), remote["get_ms_mean"].get<double>());
  EXPECT_EQ(remote["fleet"]["leases_taken"], 1);

  Output human = vyre(remote_env(), a, "cache stats");
  ASSERT_EQ(human.status, 0) << err_;
  EXPECT_NE(human.out.find("reachable (ping"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("remote lookups 1 (hits 0; misses: absent 1"), std::string::npos)
      << human.out;

  // The server gone: the local figures and the recorded remote counts, and a warning.
  server_->kill();
  human = vyre(remote_env(), a, "cache stats");
  EXPECT_EQ(human.status, 0) << err_;
  EXPECT_NE(human.out.find("UNREACHABLE"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("entries        1"), std::string::npos) << human.out;
  EXPECT_NE(err_.find("warning[VY5207]"), std::string::npos) << err_;
  r = vyre(remote_env(), a, "cache stats --json");
  ASSERT_EQ(r.status, 0) << err_;
  remote = json_of(r)["remote"];
  EXPECT_EQ(remote["reachable"], false);
  EXPECT_EQ(remote["error"]["code"], "VY5207");
  EXPECT_EQ(remote["misses"]["absent"], 1);

  // Without VYRE_REMOTE_CACHE: not configured, the recorded counts still shown.
  r = vyre("", a, "cache stats --json");
  ASSERT_EQ(r.status, 0) << err_;
  remote = json_of(r)["remote"];
  EXPECT_EQ(remote["configured"], false);
  EXPECT_EQ(remote["writes"], 1);
}

TEST_F(CacheRemote, ExplainSaysWhetherTheRemoteHoldsTheKey) {
  const fs::path a = dir_ / "a", b = dir_ / "b";
  ASSERT_EQ(saxpy("", a).status, 0) << err_;
  EXPECT_EQ(explain("", a)["remote"], "not_configured");
  nlohmann::json e = explain(remote_env(), b);
  EXPECT_EQ(e["remote"], "absent");
  EXPECT_EQ(e["would_hit"], false);

  ASSERT_EQ(vyre(remote_env(), a, "cache push").status, 0) << err_;
  e = explain(remote_env(false), b);  // a reader with an empty cache folder
  EXPECT_EQ(e["remote"], "present");
  EXPECT_EQ(e["would_hit"], true);
  EXPECT_EQ(e["tier"], "remote");
  Output human =
      vyre(remote_env(false), b, "cache explain " + example_path("saxpy") + " --backend reference");
  EXPECT_NE(human.out.find("would hit the shared cache"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("holds the entry, signed by a trusted key"), std::string::npos)
      << human.out;

  // A reader that does not trust the writer's key would refuse it.
  const fs::path other = dir_ / "other.key";
  ASSERT_EQ(run_vyre("cache keygen " + other.string()).status, 0);
  std::string distrustful =
      "VYRE_REMOTE_CACHE=" + server_->url() +
      " VYRE_REMOTE_CACHE_NAMESPACE=cli VYRE_REMOTE_CACHE_TRUSTED_KEYS=" + other.string() + ".pub";
  EXPECT_EQ(explain(distrustful, b)["remote"], "untrusted_entry");

  server_->kill();
  e = explain(remote_env(), b);
  EXPECT_EQ(e["remote"], "unreachable");
  EXPECT_EQ(e["would_hit"], false);
  EXPECT_NE(err_.find("warning[VY5207]"), std::string::npos) << err_;
}

}  // namespace
}  // namespace vyre::testing
