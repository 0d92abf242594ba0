#include "vyre/pipeline/remote_options.h"

#include <charconv>

#include "vyre/backend/environment.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/cache_options.h"

namespace vyre::pipeline {
namespace {

Diagnostic bad_url(std::string_view url, std::string why) {
  return Diagnostic::error(code::BadCacheSetting,
                           "VYRE_REMOTE_CACHE=\"" + std::string(url) + "\" " + std::move(why),
                           "set VYRE_REMOTE_CACHE to redis://HOST[:PORT][/DB], for example "
                           "redis://10.0.0.5:6379/0, or unset it to use local tiers only");
}

Result<std::optional<std::uint64_t>> number_of(EnvVar var, bool zero_allowed) {
  auto text = env_value(var);
  if (!text) return std::optional<std::uint64_t>();
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || (!zero_allowed && value == 0)) {
    return Diagnostic::error(code::BadCacheSetting,
                             std::string(env_info(var).name) + "=\"" + *text + "\" is not a " +
                                 (zero_allowed ? "" : "positive ") + "decimal integer",
                             "give a whole number, or unset it for the default");
  }
  return std::optional<std::uint64_t>(value);
}

}  // namespace

std::string RemoteCacheOptions::entry_name(const Digest& key) const {
  return key_namespace + ":e:" + to_hex(key);
}

std::string RemoteEndpoint::url() const {
  return "redis://" + host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

Result<RemoteEndpoint> parse_remote_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) return bad_url(url, "does not start redis://");
  std::string_view rest = url.substr(kScheme.size());
  RemoteEndpoint endpoint;
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos) {
    return bad_url(url, "carries credentials; vyre takes none in the URL");
  }
  std::size_t colon = authority.rfind(':');
  std::string_view host = authority.substr(0, colon);
  if (host.empty()) return bad_url(url, "names no host");
  endpoint.host = std::string(host);
  auto parse_uint = [](std::string_view text, std::uint64_t max) -> std::optional<std::uint64_t> {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v > max) {
      return std::nullopt;
    }
    return v;
  };
  if (colon != std::string_view::npos) {
    auto port = parse_uint(authority.substr(colon + 1), 65535);
    if (!port || *port == 0) return bad_url(url, "has a port that is not 1-65535");
    endpoint.port = static_cast<std::uint16_t>(*port);
  }
  if (rest.size() > authority.size() + 1) {
    auto db = parse_uint(rest.substr(authority.size() + 1), 65535);
    if (!db) return bad_url(url, "has a database that is not a number");
    endpoint.db = static_cast<unsigned>(*db);
  }
  return endpoint;
}

Result<std::optional<RemoteCacheOptions>> RemoteCacheOptions::from_environment() {
  auto url = env_value(EnvVar::RemoteCache);
  if (!url) return std::optional<RemoteCacheOptions>();
  RemoteCacheOptions options;
  options.endpoint = VYRE_TRY(parse_remote_url(*url));
  if (auto ns = env_value(EnvVar::RemoteCacheNamespace)) options.key_namespace = *ns;
  if (auto user = env_value(EnvVar::RemoteCacheUser)) options.endpoint.user = *user;
  if (auto file = env_value(EnvVar::RemoteCachePasswordFile)) {
    auto password = read_secret_file(*file, "VYRE_REMOTE_CACHE_PASSWORD_FILE");
    if (password.ok()) {
      options.endpoint.password = std::move(password).value();
    } else {
      options.key_problems.push_back(std::move(password).error());
    }
  }
  using std::chrono::milliseconds;
  if (auto v = VYRE_TRY(number_of(EnvVar::RemoteCacheConnectTimeoutMs, false))) {
    options.connect_timeout = milliseconds(*v);
  }
  if (auto v = VYRE_TRY(number_of(EnvVar::RemoteCacheTimeoutMs, false))) {
    options.command_timeout = milliseconds(*v);
  }
  if (auto v = VYRE_TRY(number_of(EnvVar::RemoteCacheTtl, true))) {
    options.ttl = std::chrono::seconds(*v);
  }
  if (auto v = VYRE_TRY(number_of(EnvVar::RemoteCacheWaitMs, true))) {
    options.fleet_wait = milliseconds(*v);
  }
  if (auto v = VYRE_TRY(number_of(EnvVar::RemoteCacheRetryMs, false))) {
    options.retry_after = milliseconds(*v);
  }
  if (auto text = env_value(EnvVar::RemoteCacheMaxEntryBytes)) {
    options.max_entry_bytes =
        VYRE_TRY(parse_size_setting(env_info(EnvVar::RemoteCacheMaxEntryBytes).name, *text));
  }
  if (auto keys = env_value(EnvVar::RemoteCacheTrustedKeys)) {
    auto trusted = parse_trusted_keys(*keys);
    if (trusted.ok()) {
      options.trusted_keys = std::move(trusted).value();
    } else {
      options.key_problems.push_back(std::move(trusted).error());
    }
  }
  if (auto path = env_value(EnvVar::RemoteCacheSigningKey)) {
    auto key = SigningKey::load(*path);
    if (key.ok()) {
      options.trusted_keys.push_back(key->public_key());
      options.signing_key = std::make_shared<const SigningKey>(std::move(key).value());
    } else {
      options.key_problems.push_back(std::move(key).error());
    }
  }
  return std::optional<RemoteCacheOptions>(std::move(options));
}

}  // namespace vyre::pipeline
