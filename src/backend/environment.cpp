#include "vyre/backend/environment.h"

#include <array>
#include <cstdlib>

namespace vyre {
namespace {

constexpr std::array kVariables = {
    EnvVarInfo{EnvVar::CacheDir, "VYRE_CACHE_DIR", false, "root folder of the disk pipeline cache"},
    EnvVarInfo{EnvVar::XdgCacheHome, "XDG_CACHE_HOME", false,
               "cache root parent when VYRE_CACHE_DIR is unset ($XDG_CACHE_HOME/vyre/pipelines)"},
    EnvVarInfo{EnvVar::Home, "HOME", false, "cache root parent fallback (~/.cache/vyre/pipelines)"},
    EnvVarInfo{EnvVar::CacheMaxBytes, "VYRE_CACHE_MAX_BYTES", false,
               "upper bound on the disk cache's total bytes (least recently used evicted)"},
    EnvVarInfo{EnvVar::PipelineCacheEntries, "VYRE_PIPELINE_CACHE_ENTRIES", false,
               "memory tier bound on entries"},
    EnvVarInfo{EnvVar::PipelineCacheBytes, "VYRE_PIPELINE_CACHE_BYTES", false,
               "memory tier bound on bytes"},
    EnvVarInfo{
        EnvVar::Jit, "VYRE_JIT", false,
        "JIT policy: allow (default), warn (report each compile), forbid (a miss is an error)"},
    EnvVarInfo{EnvVar::CacheReadOnly, "VYRE_CACHE_READONLY", false,
               "1: use the disk cache read-only (hits served silently, nothing written)"},
    EnvVarInfo{EnvVar::CacheDisable, "VYRE_CACHE_DISABLE", false,
               "1: no disk cache or packs at all (the memory tier only)"},
    EnvVarInfo{
        EnvVar::CachePacks, "VYRE_CACHE_PACKS", false,
        "read-only pipeline cache packs (folders, ':'-separated) asked after the disk cache"},
    EnvVarInfo{EnvVar::RemoteCache, "VYRE_REMOTE_CACHE", false,
               "shared remote cache tier after memory and disk: redis://HOST[:PORT][/DB]"},
    EnvVarInfo{EnvVar::RemoteCacheNamespace, "VYRE_REMOTE_CACHE_NAMESPACE", false,
               "prefix of every key vyre uses in the shared cache's database (default vyre)"},
    EnvVarInfo{EnvVar::RemoteCacheTrustedKeys, "VYRE_REMOTE_CACHE_TRUSTED_KEYS", false,
               "public keys (64 hex digits, or files of them; comma separated) whose signed "
               "entries readers accept"},
    EnvVarInfo{EnvVar::RemoteCacheSigningKey, "VYRE_REMOTE_CACHE_SIGNING_KEY", false,
               "secret key file (mode 0600) that signs what this process writes to the shared "
               "cache; unset: read-only"},
    EnvVarInfo{EnvVar::RemoteCacheConnectTimeoutMs, "VYRE_REMOTE_CACHE_CONNECT_TIMEOUT_MS", false,
               "shared cache connect timeout in milliseconds (default 50)"},
    EnvVarInfo{EnvVar::RemoteCacheTimeoutMs, "VYRE_REMOTE_CACHE_TIMEOUT_MS", false,
               "shared cache command timeout in milliseconds (default 50)"},
    EnvVarInfo{EnvVar::RemoteCacheMaxEntryBytes, "VYRE_REMOTE_CACHE_MAX_ENTRY_BYTES", false,
               "largest value read from or written to the shared cache (default 16M)"},
    EnvVarInfo{EnvVar::RemoteCacheTtl, "VYRE_REMOTE_CACHE_TTL", false,
               "seconds a shared cache entry lives (default 0: until Redis evicts it)"},
    EnvVarInfo{EnvVar::RemoteCacheWaitMs, "VYRE_REMOTE_CACHE_WAIT_MS", false,
               "how long a process waits for another's compile of the same key (default 20000)"},
    EnvVarInfo{EnvVar::RemoteCacheRetryMs, "VYRE_REMOTE_CACHE_RETRY_MS", false,
               "back-off before the shared cache is tried again after a failure (default 2000)"},
    EnvVarInfo{EnvVar::RemoteCacheUser, "VYRE_REMOTE_CACHE_USER", false,
               "Redis ACL user the shared cache authenticates as (with the password file)"},
    EnvVarInfo{EnvVar::RemoteCachePasswordFile, "VYRE_REMOTE_CACHE_PASSWORD_FILE", false,
               "file (mode 0600) holding the shared cache's Redis password"},
    EnvVarInfo{EnvVar::Log, "VYRE_LOG", false,
               "log level: error, warn (default), info (routing and cache decisions, compiles, "
               "stores written) or debug (each store asked), to stderr or an embedder's sink"},
};

}  // namespace

std::span<const EnvVarInfo> environment_variables() {
  return kVariables;
}

const EnvVarInfo& env_info(EnvVar var) {
  for (const EnvVarInfo& info : kVariables) {
    if (info.var == var) return info;
  }
  return kVariables[0];  // unreachable: every EnvVar has a row
}

namespace {
std::optional<std::string> read_variable(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}
}  // namespace

std::optional<std::string> env_value(EnvVar var) {
  return read_variable(env_info(var).name);
}

std::optional<std::string> env_value(const ModuleEnvVar& var) {
  return read_variable(var.name);
}

}  // namespace vyre
