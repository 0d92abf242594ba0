// How the shared remote tier (Redis) is configured: where the server is, the time and size bounds
// that keep it from ever slowing or failing a dispatch, and the keys that sign what this process
// writes and verify what it reads. from_environment() reads the VYRE_REMOTE_CACHE_* variables.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vyre/diag/result.h"
#include "vyre/pipeline/entry_signature.h"

namespace vyre::pipeline {

struct RemoteEndpoint {
  std::string host;
  std::uint16_t port = 6379;
  unsigned db = 0;
  // AUTH after connecting when `password` is set (an ACL user when `user` is set too). Never in
  // the URL, so neither lands in process listings or logs.
  std::string user;         // VYRE_REMOTE_CACHE_USER
  std::string password;     // from the file VYRE_REMOTE_CACHE_PASSWORD_FILE (mode 0600)
  std::string url() const;  // redis://HOST:PORT/DB
};

// redis://HOST[:PORT][/DB]; anything else is a VY5001 error naming VYRE_REMOTE_CACHE.
Result<RemoteEndpoint> parse_remote_url(std::string_view url);

struct RemoteCacheOptions {
  RemoteEndpoint endpoint;
  std::string key_namespace = "vyre";  // VYRE_REMOTE_CACHE_NAMESPACE: every key starts "<ns>:"
  std::chrono::milliseconds connect_timeout{50};  // VYRE_REMOTE_CACHE_CONNECT_TIMEOUT_MS
  std::chrono::milliseconds command_timeout{50};  // VYRE_REMOTE_CACHE_TIMEOUT_MS
  std::uint64_t max_entry_bytes = 16ull << 20;    // VYRE_REMOTE_CACHE_MAX_ENTRY_BYTES
  std::chrono::seconds ttl{0};                    // VYRE_REMOTE_CACHE_TTL; 0: no expiry
  // Fleet single-flight: a process that misses a key another process is compiling waits this
  // long for its entry; the compiler's lease expires after it too (VYRE_REMOTE_CACHE_WAIT_MS).
  std::chrono::milliseconds fleet_wait{20000};
  std::chrono::milliseconds poll_interval{10};  // how often a waiter looks for the entry
  std::chrono::milliseconds retry_after{2000};  // VYRE_REMOTE_CACHE_RETRY_MS; doubles to 32x
  std::size_t write_queue = 64;  // entries waiting for the background writer; more are dropped
  // Writers sign with this; null: read-only (nothing is ever written, leases are not taken).
  std::shared_ptr<const SigningKey> signing_key;
  std::vector<PublicKey> trusted_keys;  // readers accept entries signed by these only
  // Keys from_environment() could not use (VY5203, VY5204): the store reports them as warnings
  // and goes on without them (no signing key: read-only; no trusted keys: every entry refused).
  std::vector<Diagnostic> key_problems;

  // The Redis key of `key`'s entry: "<namespace>:e:<key hex>".
  std::string entry_name(const Digest& key) const;

  // nullopt when VYRE_REMOTE_CACHE is unset. Fails only on a malformed setting (VY5001); the
  // signing key's own public key is trusted too.
  static Result<std::optional<RemoteCacheOptions>> from_environment();
};

}  // namespace vyre::pipeline
