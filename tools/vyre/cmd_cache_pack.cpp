// `vyre cache pack OUT`: writes every valid entry of the local disk cache into OUT as a pack, a
// read-only layer an application ships (VYRE_CACHE_PACKS=OUT, docs/ARCHITECTURE.md). Local
// entries are authenticated with this user's secret, which no other user has; a pack's entries
// carry the public tags instead (as the shared tier's do), so any user's vyre reads them, and
// every read still checks the entry's digest and its key.
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cache_folder.h"
#include "command.h"
#include "source_file.h"
#include "vyre/diag/codes.h"
#include "vyre/pipeline/cache_maintenance.h"
#include "vyre/pipeline/entry_format.h"

namespace vyre::cli {
namespace {

using namespace vyre::pipeline;

struct PackReport {
  std::size_t local = 0, packed = 0, invalid = 0;
  std::vector<std::pair<std::string, std::string>> skipped;  // location, why
};

Result<PackReport> pack_entries(DiskStore& from, DiskStore& into) {
  PackReport report;
  std::optional<Diagnostic> failed;
  for_each_valid_entry(
      from,
      [&](const StoredItem& item, std::span<const std::uint8_t> bytes) {
        ++report.local;
        if (!into.put(item.key, reauthenticate_entry(bytes, public_entry_secret()))) {
          failed = Diagnostic::error(code::CacheWriteFailed,
                                     "cache pack: writing entry " + item.location + " failed",
                                     "check that the pack folder's disk has room and is writable");
          return false;
        }
        ++report.packed;
        return true;
      },
      [&](const std::string& location, std::string why) {
        ++report.local;
        ++report.invalid;
        report.skipped.emplace_back(location, std::move(why));
      });
  if (failed) return *failed;
  VYRE_TRY(into.flush());
  return report;
}

// A pack is read by other users (and usually installed as root): folders 0755, files 0644,
// never writable by group or others (the pack store refuses those).
void make_readable_by_all(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::permissions(root, fs::perms(0755), ec);
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const bool folder = it->is_directory(ec) && !it->is_symlink(ec);
    fs::permissions(it->path(), folder ? fs::perms(0755) : fs::perms(0644), ec);
  }
}

}  // namespace

int run_cache_pack(const std::string& dir, const std::string& out, bool json) {
  auto from = open_cache_folder(dir);
  if (!from) {
    print_diagnostic(from.error(), "", json);
    return 1;
  }
  DiskStoreOptions pack;
  pack.root = out;
  pack.name = "pack";
  pack.keyed = false;  // readable by every user: public tags, like the shared tier's
  pack.max_bytes = UINT64_MAX;
  StoreContext context;
  DiskStore into(std::move(pack), std::move(context));
  if (auto refusal = into.refusal()) {
    Diagnostic error = *refusal;
    error.severity = Severity::Error;
    print_diagnostic(error, "", json);
    return 1;
  }
  auto report = pack_entries(**from, into);
  if (!report) {
    print_diagnostic(report.error(), "", json);
    return 1;
  }
  make_readable_by_all(out);
  if (json) {
    nlohmann::json skipped = nlohmann::json::array();
    for (const auto& [location, why] : report->skipped) {
      skipped.push_back({{"path", location}, {"reason", why}});
    }
    nlohmann::json j = {{"pack", out},
                        {"local_entries", report->local},
                        {"packed", report->packed},
                        {"invalid", report->invalid},
                        {"skipped", skipped}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  for (const auto& [location, why] : report->skipped) {
    std::printf("skipped %s: %s\n", location.c_str(), why.c_str());
  }
  std::printf("packed %zu of %zu local entr%s into %s; ship it and set VYRE_CACHE_PACKS=%s\n",
              report->packed, report->local, report->local == 1 ? "y" : "ies", out.c_str(),
              out.c_str());
  return 0;
}

}  // namespace vyre::cli
