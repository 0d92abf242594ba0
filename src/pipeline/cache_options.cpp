#include "vyre/pipeline/cache_options.h"

#include <cctype>

#include "vyre/backend/environment.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/redis_store.h"

namespace vyre::pipeline {
namespace {

Diagnostic bad_size(std::string_view variable, std::string_view text, std::string why) {
  return Diagnostic::error(code::BadCacheSetting,
                           std::string(variable) + "=\"" + std::string(text) + "\" " + why,
                           "set " + std::string(variable) +
                               " to a positive decimal number with an optional K, M, G or T "
                               "suffix (e.g. 512M), or unset it to use the default");
}

// "1", "true", "yes", "on" or "0", "false", "no", "off" (any case).
Result<bool> parse_switch(EnvVar var, std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  const std::string name(env_info(var).name);
  return Diagnostic::error(code::BadCacheSetting, name + "=\"" + text + "\" is not a switch",
                           "set " + name + " to 1 or 0 (true/false, yes/no, on/off), or unset it");
}

}  // namespace

std::vector<StoreOptions> pack_rows(std::string_view folders) {
  std::vector<StoreOptions> rows;
  std::size_t start = 0;
  while (start <= folders.size()) {
    std::size_t end = folders.find(':', start);
    if (end == std::string_view::npos) end = folders.size();
    std::string_view folder = folders.substr(start, end - start);
    if (!folder.empty()) {
      DiskStoreOptions pack;
      pack.root = std::filesystem::path(folder);
      pack.name = rows.empty() ? "pack" : "pack." + std::to_string(rows.size());
      pack.read_only = true;
      pack.create = false;
      pack.keyed = false;
      pack.allow_root_owner = true;
      rows.push_back(DiskStore::row(std::move(pack)));
    }
    start = end + 1;
  }
  return rows;
}

Result<std::uint64_t> parse_size_setting(std::string_view variable, std::string_view text) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
    if (value > (UINT64_MAX - digit) / 10) return bad_size(variable, text, "is too large");
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return bad_size(variable, text, "is not a number");
  std::string_view suffix = text.substr(i);
  unsigned shift = 0;
  if (!suffix.empty()) {
    switch (std::toupper(static_cast<unsigned char>(suffix[0]))) {
      case 'K':
        shift = 10;
        break;
      case 'M':
        shift = 20;
        break;
      case 'G':
        shift = 30;
        break;
      case 'T':
        shift = 40;
        break;
      case 'B':
        shift = 0;
        break;
      default:
        return bad_size(variable, text, "has an unknown suffix");
    }
    std::string rest(suffix.substr(1));
    for (char& c : rest) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    bool unit_ok = suffix[0] == 'B' || suffix[0] == 'b'
                       ? rest.empty()
                       : (rest.empty() || rest == "B" || rest == "IB");
    if (!unit_ok) return bad_size(variable, text, "has an unknown suffix");
  }
  if (shift != 0 && value > (UINT64_MAX >> shift)) return bad_size(variable, text, "is too large");
  value <<= shift;
  if (value == 0) return bad_size(variable, text, "must be greater than zero");
  return value;
}

std::filesystem::path default_cache_root() {
  if (auto dir = env_value(EnvVar::CacheDir)) return std::filesystem::path(*dir);
  if (auto xdg = env_value(EnvVar::XdgCacheHome)) {
    return std::filesystem::path(*xdg) / "vyre" / "pipelines";
  }
  if (auto home = env_value(EnvVar::Home)) {
    return std::filesystem::path(*home) / ".cache" / "vyre" / "pipelines";
  }
  return {};
}

Result<PipelineCacheOptions> PipelineCacheOptions::from_environment() {
  PipelineCacheOptions options;
  options.root = default_cache_root();
  auto size_of = [](EnvVar var) -> Result<std::optional<std::uint64_t>> {
    auto text = env_value(var);
    if (!text) return std::optional<std::uint64_t>();
    std::uint64_t value = VYRE_TRY(parse_size_setting(env_info(var).name, *text));
    return std::optional<std::uint64_t>(value);
  };
  if (auto v = VYRE_TRY(size_of(EnvVar::PipelineCacheEntries))) {
    options.memory_max_entries = static_cast<std::size_t>(*v);
  }
  if (auto v = VYRE_TRY(size_of(EnvVar::PipelineCacheBytes))) options.memory_max_bytes = *v;
  if (auto v = VYRE_TRY(size_of(EnvVar::CacheMaxBytes))) options.disk_max_bytes = *v;
  if (auto v = env_value(EnvVar::CacheReadOnly)) {
    options.read_only = VYRE_TRY(parse_switch(EnvVar::CacheReadOnly, *v));
  }
  if (auto v = env_value(EnvVar::CacheDisable)) {
    options.disabled = VYRE_TRY(parse_switch(EnvVar::CacheDisable, *v));
  }
  if (auto packs = env_value(EnvVar::CachePacks)) options.stores = pack_rows(*packs);
  if (auto remote = VYRE_TRY(RemoteCacheOptions::from_environment())) {
    options.stores.push_back(RedisStore::row(std::move(*remote)));  // after disk and packs
  }
  if (auto jit = env_value(EnvVar::Jit)) {
    options.jit = VYRE_TRY(parse_jit_policy(*jit, env_info(EnvVar::Jit).name));
  }
  return options;
}

}  // namespace vyre::pipeline
