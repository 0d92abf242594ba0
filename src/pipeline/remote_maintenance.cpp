#include "vyre/pipeline/remote_maintenance.h"

#include <algorithm>
#include <charconv>

#include "elapsed.h"
#include "redis_connection.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/entry_format.h"
#include "vyre/pipeline/entry_signature.h"

namespace vyre::pipeline {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kAtLeast{1000};
constexpr int kMaxScanRounds = 1000;  // SCAN ... COUNT 1000: about a million keys looked at

std::string_view as_chars(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Diagnostic unreachable(const Diagnostic& cause) {
  // The connection's VY5201 says what happened; for a person's command it is VY5207.
  return Diagnostic::error(code::RemoteCacheUnreachable, cause.message,
                           "check that the server runs and listens at VYRE_REMOTE_CACHE, the ACL "
                           "user and password file, or raise VYRE_REMOTE_CACHE_TIMEOUT_MS");
}

// "name:value\r\n" lines of an INFO answer.
std::optional<std::uint64_t> info_number(std::string_view info, std::string_view name) {
  std::string needle = "\n" + std::string(name) + ":";
  std::size_t at = info.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = info.substr(at + needle.size());
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

std::string info_text(std::string_view info, std::string_view name) {
  std::string needle = "\n" + std::string(name) + ":";
  std::size_t at = info.find(needle);
  if (at == std::string_view::npos) return {};
  std::string_view rest = info.substr(at + needle.size());
  return std::string(rest.substr(0, rest.find_first_of("\r\n")));
}

}  // namespace

std::string_view remote_holding_name(RemoteHolding holding) {
  switch (holding) {
    case RemoteHolding::Present:
      return "present";
    case RemoteHolding::Absent:
      return "absent";
    case RemoteHolding::Untrusted:
      return "untrusted_entry";
    case RemoteHolding::Corrupt:
      return "corrupt_entry";
  }
  return "absent";
}

struct RemoteMaintenance::State {
  RemoteCacheOptions options;
  std::unique_ptr<RedisConnection> connection;

  // One command on the connection (opened first when needed); a failure drops it.
  Result<RedisReply> run(std::initializer_list<std::string_view> args) {
    if (!connection) {
      auto opened =
          RedisConnection::open(options.endpoint, std::max(options.connect_timeout, kAtLeast),
                                std::max(options.command_timeout, kAtLeast));
      if (!opened.ok()) return unreachable(opened.error());
      connection = std::move(opened).value();
    }
    auto reply = connection->run(args);
    if (!reply.ok()) {
      connection.reset();
      return unreachable(reply.error());
    }
    return reply;
  }
};

RemoteMaintenance::RemoteMaintenance(RemoteCacheOptions options)
    : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
}

RemoteMaintenance::~RemoteMaintenance() = default;

const RemoteCacheOptions& RemoteMaintenance::options() const {
  return state_->options;
}

RemoteProbe RemoteMaintenance::probe() {
  State& s = *state_;
  RemoteProbe out;
  const auto start = std::chrono::steady_clock::now();
  auto pong = s.run({"PING"});
  if (!pong.ok()) {
    out.error = pong.error();
    return out;
  }
  out.ping_ms = ms_between(start, std::chrono::steady_clock::now());
  if (!pong->status("PONG")) {
    out.error = Diagnostic::error(
        code::RemoteCacheUnreachable,
        "shared cache " + s.options.endpoint.url() + ": PING answered " + describe_reply(*pong),
        "check that VYRE_REMOTE_CACHE names a Redis server");
    return out;
  }
  out.reachable = true;
  // INFO and SCAN are optional (a reader's ACL may not allow them): a refusal leaves them unknown.
  if (auto info = s.run({"INFO"}); info.ok() && info->string()) {
    std::string text = "\n" + std::string(as_chars(info->bytes()));
    out.server_version = info_text(text, "redis_version");
    out.used_memory = info_number(text, "used_memory");
    out.max_memory = info_number(text, "maxmemory");
  }
  const std::string pattern = s.options.key_namespace + ":e:*";
  std::string cursor = "0";
  std::uint64_t entries = 0;
  for (int round = 0;; ++round) {
    if (round == kMaxScanRounds) {
      out.entries_partial = true;
      break;
    }
    auto page = s.run({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!page.ok() || page->size() != 2) return out;  // refused: entries stays unknown
    cursor = std::string(as_chars(page->element_bytes(0)));
    entries += page->element_size(1);
    if (cursor == "0" || cursor.empty()) break;
  }
  out.entries = entries;
  return out;
}

Result<RemoteLookup> RemoteMaintenance::lookup(const Digest& key) {
  State& s = *state_;
  const std::uint64_t bound = s.options.max_entry_bytes + kSignedEnvelopeHeaderBytes;
  const std::string last = std::to_string(bound);
  auto reply = VYRE_TRY(s.run({"GETRANGE", s.options.entry_name(key), "0", last}));
  RemoteLookup out;
  std::span<const std::uint8_t> value = reply.bytes();
  if (value.empty()) return out;
  out.holding = RemoteHolding::Corrupt;
  if (value.size() > bound) {
    out.defect = entry_defect("shared cache value larger than VYRE_REMOTE_CACHE_MAX_ENTRY_BYTES (" +
                              std::to_string(s.options.max_entry_bytes) + ")");
    return out;
  }
  OpenedEntry opened = open_signed_entry(value, key, s.options.trusted_keys);
  if (opened.refused) {
    if (*opened.refused == MissReason::UntrustedEntry) out.holding = RemoteHolding::Untrusted;
    out.defect = std::move(opened.defect);
    return out;
  }
  auto decoded = decode_entry(opened.entry, public_entry_secret(), &key);
  if (!decoded.ok()) {
    out.defect = decoded.error();
    return out;
  }
  out.holding = RemoteHolding::Present;
  return out;
}

Result<UploadOutcome> RemoteMaintenance::upload(const Digest& key,
                                                std::span<const std::uint8_t> entry) {
  State& s = *state_;
  if (s.options.signing_key == nullptr) {
    return Diagnostic::error(code::RemoteSigningKeyMissing,
                             "no signing key: VYRE_REMOTE_CACHE_SIGNING_KEY is unset or unusable",
                             "set it to a key file made by `vyre cache keygen` (mode 0600)");
  }
  RemoteLookup there = VYRE_TRY(lookup(key));
  if (there.holding == RemoteHolding::Present) return UploadOutcome::AlreadyThere;
  std::vector<std::uint8_t> envelope = sign_entry(*s.options.signing_key, key, entry);
  const std::string name = s.options.entry_name(key);
  const std::string ttl = std::to_string(s.options.ttl.count());
  auto reply = s.options.ttl.count() > 0 ? s.run({"SET", name, as_chars(envelope), "EX", ttl})
                                         : s.run({"SET", name, as_chars(envelope)});
  if (!reply.ok()) return std::move(reply).error();
  if (!reply->status("OK")) {
    return Diagnostic::error(
        code::RemoteCacheUnreachable,
        "shared cache " + s.options.endpoint.url() + ": SET answered " + describe_reply(*reply),
        "check that VYRE_REMOTE_CACHE names a Redis server");
  }
  return there.holding == RemoteHolding::Absent ? UploadOutcome::Pushed : UploadOutcome::Replaced;
}

}  // namespace vyre::pipeline
