#include "cache_folder.h"

#include <cstdio>

#include "vyre/diag/codes.h"
#include "vyre/pipeline/cache_maintenance.h"
#include "vyre/pipeline/entry_format.h"

namespace vyre::cli {

using namespace vyre::pipeline;

Result<PipelineCacheOptions> cache_options_for(const std::string& dir) {
  PipelineCacheOptions options = VYRE_TRY(PipelineCacheOptions::from_environment());
  if (!dir.empty()) options.root = dir;
  if (options.root.empty()) {
    return Diagnostic::error(
        code::BadCacheQuery,
        "no pipeline cache folder: VYRE_CACHE_DIR, XDG_CACHE_HOME and HOME are unset",
        "pass --dir or set VYRE_CACHE_DIR");
  }
  return options;
}

Result<std::unique_ptr<DiskStore>> open_cache_folder(const std::string& dir) {
  PipelineCacheOptions options = VYRE_TRY(cache_options_for(dir));
  DiskStoreOptions disk;
  disk.root = options.root;
  disk.max_bytes = options.disk_max_bytes;
  disk.orphan_age = options.orphan_age;
  StoreContext context;
  context.create = false;
  auto store = std::make_unique<DiskStore>(std::move(disk), std::move(context));
  if (auto refusal = store->refusal()) {
    Diagnostic error = *refusal;
    error.severity = Severity::Error;
    return error;
  }
  return store;
}

void for_each_valid_entry(
    DiskStore& disk,
    const std::function<bool(const StoredItem&, std::span<const std::uint8_t>)>& use,
    const std::function<void(const std::string& location, std::string why)>& skip) {
  const EntrySecret secret = secret_of(disk);
  for (const StoredItem& item : disk.scan()) {
    if (item.defect) {
      skip(item.location, item.defect->message);
      continue;
    }
    StoreRead read = disk.peek(item.key, kMaxEntryBytes);
    if (read.status != StoreStatus::Hit) {
      skip(item.location, read.defect ? read.defect->message : "unreadable");
      continue;
    }
    if (auto decoded = decode_entry(read.bytes, secret, &item.key); !decoded.ok()) {
      skip(item.location, decoded.error().message);
      continue;
    }
    if (!use(item, read.bytes)) return;
  }
}

std::string human_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

}  // namespace vyre::cli
