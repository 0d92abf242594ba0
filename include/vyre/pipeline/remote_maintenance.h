// The shared remote tier as `vyre cache stats|push|explain` see it: one synchronous connection
// on which every failure is a VY5207 error, not a silent back-off as in RedisStore, because a
// person is waiting for the answer. Commands get at least a second each (more when the
// configured timeouts are longer). The dispatch path never uses this; RedisStore is the chain's
// store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "vyre/diag/result.h"
#include "vyre/ir/hash.h"
#include "vyre/pipeline/remote_options.h"

namespace vyre::pipeline {

// What the server says about itself now. Fleet-wide figures, unlike the per-process counters.
struct RemoteProbe {
  bool reachable = false;
  std::optional<Diagnostic> error;           // VY5207: why it is not reachable
  double ping_ms = 0;                        // one PING's round trip
  std::string server_version;                // INFO's redis_version; empty when INFO is refused
  std::optional<std::uint64_t> used_memory;  // INFO's used_memory (nullopt: refused)
  std::optional<std::uint64_t> max_memory;   // INFO's maxmemory, 0: no limit
  // Keys "<namespace>:e:*" (SCAN; nullopt when refused, e.g. by an ACL without +scan).
  std::optional<std::uint64_t> entries;
  bool entries_partial = false;  // the count stopped at its bound (a very large database)
};

enum class RemoteHolding : std::uint8_t {
  Present,    // a value signed by a trusted key for this key, holding a valid entry
  Absent,     // no value
  Untrusted,  // a value this process would refuse as untrusted_entry
  Corrupt,    // a value it would refuse as corrupt_entry
};
std::string_view remote_holding_name(RemoteHolding holding);  // "present", "untrusted_entry", ...

struct RemoteLookup {
  RemoteHolding holding = RemoteHolding::Absent;
  std::optional<Diagnostic> defect;  // why a value that is there would be refused
};

enum class UploadOutcome : std::uint8_t {
  Pushed,        // there was no value; now there is this entry, signed
  AlreadyThere,  // a valid value signed by a trusted key was there: nothing sent
  Replaced,      // a value readers would refuse was there; now this entry is
};

class RemoteMaintenance {
 public:
  explicit RemoteMaintenance(RemoteCacheOptions options);  // connects on first use
  ~RemoteMaintenance();
  RemoteMaintenance(const RemoteMaintenance&) = delete;
  RemoteMaintenance& operator=(const RemoteMaintenance&) = delete;

  // PING, then INFO and a bounded SCAN of the namespace's entries (either may be refused).
  // Never fails: an unreachable server is `reachable == false` with the error.
  RemoteProbe probe();
  // Reads the value for `key` and checks it as the store's get() would (bounded, signed by a
  // trusted key for this key, a valid entry inside).
  Result<RemoteLookup> lookup(const Digest& key);
  // Signs `entry` (a valid entry whose tags are under public_entry_secret()) with the signing key
  // and sets it (with the TTL), unless lookup() finds it Present. Needs a signing key (VY5206).
  Result<UploadOutcome> upload(const Digest& key, std::span<const std::uint8_t> entry);

  const RemoteCacheOptions& options() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace vyre::pipeline
