// The shared remote tier in `vyre cache stats` and `vyre cache explain`. Two kinds of figures,
// kept apart on purpose: what the server says now (reachable, entries under the namespace, its
// memory: fleet-wide), and what the processes that used this cache folder counted while they ran
// (hits, misses by reason, errors, GET latency: the stats file's remote rows, this machine only).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "vyre/pipeline/remote_maintenance.h"
#include "vyre/pipeline/stats_file.h"

namespace vyre::cli {

struct RemoteStatus {
  std::optional<pipeline::RemoteCacheOptions> options;  // nullopt: VYRE_REMOTE_CACHE unset
  std::optional<pipeline::RemoteProbe> probe;           // when configured
};

// Probes the configured server; an unreachable one is a VY5207 warning on stderr (never an
// error: the local figures still stand).
RemoteStatus remote_status(std::optional<pipeline::RemoteCacheOptions> options);

// The "remote" object of `vyre cache stats --json`.
nlohmann::json remote_stats_json(const RemoteStatus& status, const pipeline::PersistedStats& s);
// The remote lines of `vyre cache stats`.
void print_remote_stats(const RemoteStatus& status, const pipeline::PersistedStats& s);

// What the remote holds for one key, for `vyre cache explain`.
struct RemoteAnswer {
  std::string state;   // "present", "absent", "untrusted_entry", "corrupt_entry", "unreachable",
                       // "not_configured"
  std::string detail;  // why a value is refused, why the server did not answer; a location
  bool present() const { return state == "present"; }
};
// Looks the key up (an unreachable server is a VY5207 warning on stderr).
RemoteAnswer remote_answer(const std::optional<pipeline::RemoteCacheOptions>& options,
                           const Digest& key);
// One line: "shared cache redis://…: holds the entry, signed by a trusted key", ...
std::string describe_remote_answer(const RemoteAnswer& answer);

}  // namespace vyre::cli
