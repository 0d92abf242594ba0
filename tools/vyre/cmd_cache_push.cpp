// `vyre cache push`: uploads every valid entry of the local disk cache to the shared remote cache
// (docs/SHARED_CACHE.md), signed with VYRE_REMOTE_CACHE_SIGNING_KEY, so a fleet can start warm
// from one machine's compiles. An entry the remote already holds, validly signed by a trusted
// key, is not sent again; a value readers would refuse is replaced. Local entries that fail
// validation, or are larger than VYRE_REMOTE_CACHE_MAX_ENTRY_BYTES, are skipped and reported.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cache_folder.h"
#include "command.h"
#include "source_file.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/cache_maintenance.h"
#include "vyre/pipeline/entry_format.h"
#include "vyre/pipeline/remote_maintenance.h"

namespace vyre::cli {
namespace {

using namespace vyre::pipeline;

struct PushReport {
  std::size_t local = 0;
  std::size_t pushed = 0, already_there = 0, replaced = 0;
  std::size_t invalid = 0, too_large = 0;
  std::vector<std::pair<std::string, std::string>> skipped;  // location, why
  std::optional<Diagnostic> stopped;                         // the remote failed midway
};

// The configured remote with a signing key, or the diagnostic that refuses the push.
Result<RemoteCacheOptions> pushable_remote(bool json) {
  auto configured = VYRE_TRY(RemoteCacheOptions::from_environment());
  if (!configured) {
    return Diagnostic::error(code::RemoteCacheNotConfigured,
                             "cache push: no shared cache to push to (VYRE_REMOTE_CACHE is unset)",
                             "set VYRE_REMOTE_CACHE=redis://HOST[:PORT][/DB] as the fleet has it");
  }
  if (configured->signing_key == nullptr) {
    for (const Diagnostic& problem : configured->key_problems) print_diagnostic(problem, "", json);
    return Diagnostic::error(
        code::RemoteSigningKeyMissing,
        configured->key_problems.empty()
            ? "cache push: VYRE_REMOTE_CACHE_SIGNING_KEY is unset, and readers load signed "
              "entries only"
            : "cache push: the signing key named by VYRE_REMOTE_CACHE_SIGNING_KEY is unusable",
        "set VYRE_REMOTE_CACHE_SIGNING_KEY to a key file made by `vyre cache keygen` (mode 0600)");
  }
  return std::move(*configured);
}

PushReport push_entries(DiskStore& disk, RemoteMaintenance& remote) {
  PushReport report;
  auto skip = [&](std::size_t& count, const std::string& location, std::string why) {
    ++count;
    report.skipped.emplace_back(location, std::move(why));
  };
  for_each_valid_entry(
      disk,
      [&](const StoredItem& item, std::span<const std::uint8_t> bytes) {
        ++report.local;
        if (bytes.size() > remote.options().max_entry_bytes) {
          skip(report.too_large, item.location,
               "larger than VYRE_REMOTE_CACHE_MAX_ENTRY_BYTES (" +
                   std::to_string(remote.options().max_entry_bytes) + ")");
          return true;
        }
        // Disk entries are tagged with this user's secret; shared ones carry the public tags
        // under the signature, as RedisStore writes them.
        auto outcome = remote.upload(item.key, reauthenticate_entry(bytes, public_entry_secret()));
        if (!outcome.ok()) {
          report.stopped = outcome.error();
          return false;
        }
        switch (*outcome) {
          case UploadOutcome::Pushed:
            ++report.pushed;
            break;
          case UploadOutcome::AlreadyThere:
            ++report.already_there;
            break;
          case UploadOutcome::Replaced:
            ++report.replaced;
            break;
        }
        return true;
      },
      [&](const std::string& location, std::string why) {
        ++report.local;
        skip(report.invalid, location, std::move(why));
      });
  return report;
}

void print_report(const PushReport& r, const RemoteCacheOptions& options, bool json) {
  const std::string where = options.endpoint.url() + " (" + options.key_namespace + ":)";
  if (json) {
    nlohmann::json skipped = nlohmann::json::array();
    for (const auto& [location, why] : r.skipped) {
      skipped.push_back({{"path", location}, {"reason", why}});
    }
    nlohmann::json j = {{"remote", options.endpoint.url()},
                        {"namespace", options.key_namespace},
                        {"local_entries", r.local},
                        {"pushed", r.pushed},
                        {"already_there", r.already_there},
                        {"replaced", r.replaced},
                        {"invalid", r.invalid},
                        {"too_large", r.too_large},
                        {"skipped", skipped},
                        {"complete", !r.stopped}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  for (const auto& [location, why] : r.skipped) {
    std::printf("skipped %s: %s\n", location.c_str(), why.c_str());
  }
  std::printf(
      "%s %zu, already there %zu, replaced %zu; skipped %zu invalid, %zu too large "
      "(of %zu local entr%s) to %s\n",
      r.stopped ? "stopped after pushing" : "pushed", r.pushed, r.already_there, r.replaced,
      r.invalid, r.too_large, r.local, r.local == 1 ? "y" : "ies", where.c_str());
  if (r.invalid != 0) std::printf("`vyre cache verify --fix` removes the invalid entries\n");
}

}  // namespace

int run_cache_push(const std::string& dir, bool json) {
  auto options = pushable_remote(json);
  if (!options) {
    print_diagnostic(options.error(), "", json);
    return 1;
  }
  auto disk = open_cache_folder(dir);
  if (!disk) {
    print_diagnostic(disk.error(), "", json);
    return 1;
  }
  RemoteMaintenance remote(*options);
  // Refuse before reading anything when the server does not answer.
  RemoteProbe probe = remote.probe();
  if (!probe.reachable) {
    print_diagnostic(*probe.error, "", json);
    return 1;
  }
  PushReport report = push_entries(**disk, remote);
  print_report(report, *options, json);
  if (report.stopped) {
    // After the report: in --json the report is the first document on stdout.
    print_diagnostic(*report.stopped, "", json);
    return 1;
  }
  return 0;
}

}  // namespace vyre::cli
