#include "redis_connection.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <vector>

#include "vyre/diag/codes.h"

namespace vyre::pipeline {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

Diagnostic unavailable(const RemoteEndpoint& endpoint, std::string what) {
  return Diagnostic::error(code::RemoteCacheUnavailable,
                           "shared cache " + endpoint.url() + ": " + std::move(what),
                           "check that the server runs and answers within "
                           "VYRE_REMOTE_CACHE_TIMEOUT_MS, its maxmemory and its ACL user; vyre "
                           "goes on with its local tiers meanwhile");
}

}  // namespace

RedisReply::RedisReply(redisReply* reply) : reply_(reply) {}
RedisReply::~RedisReply() {
  if (reply_ != nullptr) freeReplyObject(reply_);
}
RedisReply::RedisReply(RedisReply&& other) noexcept : reply_(other.reply_) {
  other.reply_ = nullptr;
}
RedisReply& RedisReply::operator=(RedisReply&& other) noexcept {
  if (this != &other) {
    if (reply_ != nullptr) freeReplyObject(reply_);
    reply_ = other.reply_;
    other.reply_ = nullptr;
  }
  return *this;
}
bool RedisReply::nil() const {
  return reply_->type == REDIS_REPLY_NIL;
}
bool RedisReply::string() const {
  return reply_->type == REDIS_REPLY_STRING;
}
bool RedisReply::status(std::string_view text) const {
  return reply_->type == REDIS_REPLY_STATUS && std::string_view(reply_->str, reply_->len) == text;
}
bool RedisReply::integer() const {
  return reply_->type == REDIS_REPLY_INTEGER;
}
std::span<const std::uint8_t> RedisReply::bytes() const {
  if (reply_->type != REDIS_REPLY_STRING && reply_->type != REDIS_REPLY_STATUS) return {};
  return {reinterpret_cast<const std::uint8_t*>(reply_->str), reply_->len};
}
long long RedisReply::value() const {
  return reply_->type == REDIS_REPLY_INTEGER ? reply_->integer : 0;
}

std::size_t RedisReply::size() const {
  return reply_->type == REDIS_REPLY_ARRAY ? reply_->elements : 0;
}
std::span<const std::uint8_t> RedisReply::element_bytes(std::size_t i) const {
  if (i >= size()) return {};
  const redisReply* e = reply_->element[i];
  if (e->type != REDIS_REPLY_STRING && e->type != REDIS_REPLY_STATUS) return {};
  return {reinterpret_cast<const std::uint8_t*>(e->str), e->len};
}
std::size_t RedisReply::element_size(std::size_t i) const {
  if (i >= size()) return 0;
  const redisReply* e = reply_->element[i];
  return e->type == REDIS_REPLY_ARRAY ? e->elements : 0;
}

std::string describe_reply(const RedisReply& reply) {
  if (reply.nil()) return "nil";
  if (reply.string()) return "a string of " + std::to_string(reply.bytes().size()) + " bytes";
  if (reply.integer()) return "the integer " + std::to_string(reply.value());
  if (!reply.bytes().empty()) {
    return "the status \"" +
           std::string(reinterpret_cast<const char*>(reply.bytes().data()),
                       std::min<std::size_t>(reply.bytes().size(), 40)) +
           "\"";
  }
  return "an array";
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::open(
    const RemoteEndpoint& endpoint, std::chrono::milliseconds connect_timeout,
    std::chrono::milliseconds command_timeout) {
  redisContext* context =
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, to_timeval(connect_timeout));
  if (context == nullptr) return unavailable(endpoint, "cannot allocate a connection");
  if (context->err != 0) {
    std::string why = context->errstr;
    redisFree(context);
    return unavailable(endpoint, "cannot connect: " + why);
  }
  if (redisSetTimeout(context, to_timeval(command_timeout)) != REDIS_OK) {
    redisFree(context);
    return unavailable(endpoint, "cannot set the command timeout");
  }
  std::unique_ptr<RedisConnection> connection(new RedisConnection(context, endpoint));
  if (!endpoint.password.empty()) {
    auto reply = endpoint.user.empty()
                     ? connection->run({"AUTH", endpoint.password})
                     : connection->run({"AUTH", endpoint.user, endpoint.password});
    if (!reply.ok()) return std::move(reply).error();
  }
  if (endpoint.db != 0) {
    std::string db = std::to_string(endpoint.db);
    auto reply = connection->run({"SELECT", db});
    if (!reply.ok()) return std::move(reply).error();
    if (!reply->status("OK"))
      return unavailable(endpoint, "SELECT answered " + describe_reply(*reply));
  }
  return connection;
}

RedisConnection::~RedisConnection() {
  redisFree(context_);
}

Result<RedisReply> RedisConnection::run(std::initializer_list<std::string_view> args) {
  if (context_->err != 0)
    return unavailable(endpoint_, std::string("connection lost: ") + context_->errstr);
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (std::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (reply == nullptr) {
    std::string why = context_->err == REDIS_ERR_IO && errno == EAGAIN
                          ? "no answer within the command timeout"
                          : std::string(context_->errstr);
    if (context_->err == REDIS_ERR_PROTOCOL) why = "the answer is not a Redis reply (" + why + ")";
    if (context_->err == 0) why = "no reply";
    return unavailable(endpoint_, std::string(*args.begin()) + ": " + why);
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    std::string why(reply->str, reply->len);
    freeReplyObject(reply);
    return unavailable(endpoint_, std::string(*args.begin()) + " refused: " + why);
  }
  return RedisReply(reply);
}

}  // namespace vyre::pipeline
