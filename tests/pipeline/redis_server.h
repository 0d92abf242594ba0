// Test support for the shared remote tier: a private redis-server started on a free loopback port
// with its own configuration and data folder (127.0.0.1 only, nothing persisted), killed when the
// test ends; and a raw client to poke values, pause or fill it.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/fake_backend.h"
#include "pipeline/redis_connection.h"

namespace vyre::pipeline::testing {

// The redis-server binary, or empty when it is not installed.
inline std::string redis_server_binary() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
    std::filesystem::path p = std::filesystem::path(dir) / "redis-server";
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return {};
}

// Skips the test, saying why, when redis-server is missing (CI installs it, so it never skips
// there).
#define VYRE_REQUIRE_REDIS_SERVER()                                                   \
  do {                                                                                \
    if (::vyre::pipeline::testing::redis_server_binary().empty()) {                   \
      GTEST_SKIP() << "redis-server is not installed (apt-get install redis-server; " \
                      "scripts/install-deps.sh installs it)";                         \
    }                                                                                 \
  } while (0)

inline std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RedisServer {
 public:
  // Starts redis-server with `config` lines added to its private configuration; check ok().
  explicit RedisServer(std::vector<std::string> config = {}) : config_(std::move(config)) {
    for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) start();
  }
  ~RedisServer() { kill(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool ok() const { return pid_ > 0; }
  std::uint16_t port() const { return port_; }
  RemoteEndpoint endpoint() const { return {"127.0.0.1", port_, 0}; }
  std::string url() const { return endpoint().url(); }
  const std::filesystem::path& folder() const { return dir_.path(); }

  // Starts it again on the same port (after kill()).
  bool restart() {
    if (pid_ > 0) return true;
    const std::uint16_t port = port_;
    start(port);
    return ok();
  }

  // SIGKILL: the server vanishes mid-conversation, as a crashed or unplugged one does.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // The harness's own login (an all-powerful ACL user), so tests may turn the default user off.
  RemoteEndpoint admin() const {
    RemoteEndpoint e = endpoint();
    e.user = "harness";
    e.password = "harness-pw";
    return e;
  }

  // A raw command on a fresh connection (1 s timeouts), as the harness user.
  Result<RedisReply> command(std::initializer_list<std::string_view> args) const {
    auto c = RedisConnection::open(admin(), std::chrono::milliseconds(1000),
                                   std::chrono::milliseconds(1000));
    if (!c.ok()) return std::move(c).error();
    return (*c)->run(args);
  }

 private:
  void start(std::uint16_t port = 0) {
    port_ = port != 0 ? port : free_loopback_port();
    if (port_ == 0) return;
    std::filesystem::path conf = dir_ / "redis.conf";
    {
      std::ofstream out(conf, std::ios::trunc);
      out << "bind 127.0.0.1\nport " << port_ << "\nprotected-mode yes\nsave \"\"\n"
          << "appendonly no\ndaemonize no\nlogfile " << (dir_ / "redis.log").string() << "\n"
          << "dir " << dir_.path().string() << "\n"
          << "user harness on >harness-pw ~* &* +@all\n";
      for (const std::string& line : config_) out << line << "\n";
    }
    std::string binary = redis_server_binary();
    pid_t child = ::fork();
    if (child < 0) return;
    if (child == 0) {
      int devnull = ::open("/dev/null", O_RDWR);
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      ::execl(binary.c_str(), binary.c_str(), conf.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    pid_ = child;
    // Up to 5 s for it to answer PING; a port taken meanwhile makes it exit: try another.
    for (int i = 0; i < 500; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      auto c = RedisConnection::open(admin(), std::chrono::milliseconds(100),
                                     std::chrono::milliseconds(100));
      if (c.ok()) {
        auto pong = (*c)->run({"PING"});
        if (pong.ok() && pong->status("PONG")) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill();
  }

  std::vector<std::string> config_;
  TempDir dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// Options for a store on `server` with short bounds, so failure tests stay fast.
inline RemoteCacheOptions remote_options_for(const RedisServer& server,
                                             std::shared_ptr<const SigningKey> signer,
                                             std::vector<PublicKey> trusted) {
  RemoteCacheOptions o;
  o.endpoint = server.endpoint();
  o.key_namespace = "test";
  o.connect_timeout = std::chrono::milliseconds(200);
  o.command_timeout = std::chrono::milliseconds(200);
  o.retry_after = std::chrono::milliseconds(100);
  o.fleet_wait = std::chrono::milliseconds(5000);
  o.poll_interval = std::chrono::milliseconds(2);
  o.signing_key = std::move(signer);
  o.trusted_keys = std::move(trusted);
  return o;
}

// One fleet's signing key: writers sign with it, readers (no secret) trust it.
struct Fleet {
  std::shared_ptr<const SigningKey> signer =
      std::make_shared<const SigningKey>(SigningKey::generate());
  RemoteCacheOptions writer(const RedisServer& s) const {
    return remote_options_for(s, signer, {signer->public_key()});
  }
  RemoteCacheOptions reader(const RedisServer& s) const {
    return remote_options_for(s, nullptr, {signer->public_key()});
  }
};

}  // namespace vyre::pipeline::testing
