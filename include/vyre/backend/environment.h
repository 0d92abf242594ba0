// Every environment variable vyre's core reads, declared in one place, each marked as changing
// generated code (then its value is part of the pipeline cache key) or not. A backend module
// declares the variables it reads in its own folder (ModuleEnvVar); those that change generated
// code enter the key through the backend's fingerprint. Code reads the environment only through
// env_value(); `vyre env` lists this table and the modules' (vyre/registry/module_catalogue.h).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vyre {

enum class EnvVar {
  CacheDir,              // VYRE_CACHE_DIR: disk cache root
  XdgCacheHome,          // XDG_CACHE_HOME: default cache root parent
  Home,                  // HOME: fallback cache root parent
  CacheMaxBytes,         // VYRE_CACHE_MAX_BYTES: disk tier size bound
  PipelineCacheEntries,  // VYRE_PIPELINE_CACHE_ENTRIES: memory tier entry bound
  PipelineCacheBytes,    // VYRE_PIPELINE_CACHE_BYTES: memory tier byte bound
  Jit,                   // VYRE_JIT: allow | warn | forbid
  CacheReadOnly,         // VYRE_CACHE_READONLY: serve cached pipelines, write nothing
  CacheDisable,          // VYRE_CACHE_DISABLE: no byte store at all (memory tier only)
  CachePacks,            // VYRE_CACHE_PACKS: read-only pack folders, ':'-separated

  // The shared remote tier (pipeline/remote_options.h).
  RemoteCache,                  // VYRE_REMOTE_CACHE: redis://HOST:PORT/DB of the shared tier
  RemoteCacheNamespace,         // VYRE_REMOTE_CACHE_NAMESPACE: key prefix in that database
  RemoteCacheTrustedKeys,       // VYRE_REMOTE_CACHE_TRUSTED_KEYS: public keys readers accept
  RemoteCacheSigningKey,        // VYRE_REMOTE_CACHE_SIGNING_KEY: secret key file (writers)
  RemoteCacheConnectTimeoutMs,  // VYRE_REMOTE_CACHE_CONNECT_TIMEOUT_MS
  RemoteCacheTimeoutMs,         // VYRE_REMOTE_CACHE_TIMEOUT_MS: per command
  RemoteCacheMaxEntryBytes,     // VYRE_REMOTE_CACHE_MAX_ENTRY_BYTES: value size bound
  RemoteCacheTtl,               // VYRE_REMOTE_CACHE_TTL: seconds an entry lives (0: no expiry)
  RemoteCacheWaitMs,            // VYRE_REMOTE_CACHE_WAIT_MS: fleet single-flight wait and lease
  RemoteCacheRetryMs,           // VYRE_REMOTE_CACHE_RETRY_MS: back-off after a failure
  RemoteCacheUser,              // VYRE_REMOTE_CACHE_USER: Redis ACL user
  RemoteCachePasswordFile,      // VYRE_REMOTE_CACHE_PASSWORD_FILE: its password (mode 0600)
  Log,                          // VYRE_LOG: error | warn | info | debug (diag/log.h reads it)
};

struct EnvVarInfo {
  EnvVar var;
  std::string_view name;
  // True when the value changes generated code: it is then hashed into the cache key.
  bool changes_generated_code;
  std::string_view meaning;
};

// A variable a backend module reads, declared in the module's folder (backends/<name>/).
struct ModuleEnvVar {
  std::string_view name;
  // True when the value changes generated code: the backend then puts it in its fingerprint.
  bool changes_generated_code;
  std::string_view meaning;
};

std::span<const EnvVarInfo> environment_variables();
const EnvVarInfo& env_info(EnvVar var);
// The variable's value, or nullopt when unset or empty.
std::optional<std::string> env_value(EnvVar var);
std::optional<std::string> env_value(const ModuleEnvVar& var);

}  // namespace vyre
