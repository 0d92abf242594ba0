// One synchronous connection to a Redis server over hiredis, with a connect timeout and a
// per-command timeout, so no call can block longer than those bounds. Not thread-safe: each
// user holds its own. After any failed call the connection is dead; open a new one.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "vyre/diag/result.h"
#include "vyre/pipeline/remote_options.h"

struct redisContext;
struct redisReply;

namespace vyre::pipeline {

// A reply that is not an error: nil, a bulk or status string, an integer or an array.
class RedisReply {
 public:
  explicit RedisReply(redisReply* reply);
  ~RedisReply();
  RedisReply(RedisReply&& other) noexcept;
  RedisReply& operator=(RedisReply&& other) noexcept;

  bool nil() const;
  bool string() const;                       // a bulk string
  bool status(std::string_view text) const;  // a status reply equal to `text` ("OK")
  bool integer() const;
  std::span<const std::uint8_t> bytes() const;  // a bulk or status string's bytes
  long long value() const;                      // an integer reply's value
  // An array's elements (SCAN answers [cursor, [keys...]]): 0 and empty for other replies.
  std::size_t size() const;
  std::span<const std::uint8_t> element_bytes(std::size_t i) const;  // a string element's bytes
  std::size_t element_size(std::size_t i) const;  // a nested array element's size

 private:
  redisReply* reply_;
};

class RedisConnection {
 public:
  // Connects (within `connect_timeout`), sets the command timeout and selects endpoint.db.
  // Every failure is a VY5201 error saying what happened.
  static Result<std::unique_ptr<RedisConnection>> open(const RemoteEndpoint& endpoint,
                                                       std::chrono::milliseconds connect_timeout,
                                                       std::chrono::milliseconds command_timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command (arguments are binary-safe) and returns its reply. A timeout, a dropped
  // connection, a protocol error or an error reply (OOM, NOPERM, ...) is a VY5201 error.
  Result<RedisReply> run(std::initializer_list<std::string_view> args);

  const RemoteEndpoint& endpoint() const { return endpoint_; }

 private:
  RedisConnection(redisContext* context, RemoteEndpoint endpoint)
      : context_(context), endpoint_(std::move(endpoint)) {}
  redisContext* context_;
  RemoteEndpoint endpoint_;
};

// "a bulk string" etc.: for messages about replies vyre did not expect.
std::string describe_reply(const RedisReply& reply);

}  // namespace vyre::pipeline
