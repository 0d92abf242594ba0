#include "vyre/pipeline/cache_maintenance.h"

#include <algorithm>

namespace vyre::pipeline {
namespace {

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

bool InvalidationFilter::matches(const KeyFactors& factors) const {
  if (backend && factors.backend != *backend) return false;
  if (device && factors.fingerprint.device != *device) {
    std::string wanted = *device;
    std::transform(wanted.begin(), wanted.end(), wanted.begin(), ::tolower);
    if (wanted.size() < 8 || !is_hex(wanted) ||
        !to_hex(factors.device_digest()).starts_with(wanted)) {
      return false;
    }
  }
  if (program) {
    std::string wanted = *program;
    std::transform(wanted.begin(), wanted.end(), wanted.begin(), ::tolower);
    if (!to_hex(factors.program).starts_with(wanted)) return false;
  }
  return true;
}

EntrySecret secret_of(const ByteStore& store) {
  return store.entry_secret().value_or(public_entry_secret());
}

std::vector<CacheEntry> list_entries(const ByteStore& store, bool read_headers) {
  std::vector<CacheEntry> out;
  const StoreMaintenance* maintenance = store.maintenance();
  if (maintenance == nullptr) return out;
  const EntrySecret secret = secret_of(store);
  for (StoredItem& item : maintenance->scan()) {
    CacheEntry entry;
    entry.defect = item.defect;
    if (read_headers && !entry.defect) {
      StoreRead prefix = maintenance->peek(item.key, kEntryHeaderBytes + kMaxMetadataBytes);
      if (prefix.status == StoreStatus::Hit) {
        auto decoded = decode_entry_header(prefix.bytes, item.size, secret);
        if (decoded.ok() && decoded->key != item.key) {
          entry.defect = entry_defect("key echo does not match the file name");
        } else if (decoded.ok()) {
          entry.metadata = std::move(decoded->metadata);
        } else {
          entry.defect = std::move(decoded).error();
        }
      }
    }
    entry.item = std::move(item);
    out.push_back(std::move(entry));
  }
  return out;
}

VerifyReport verify_entries(ByteStore& store, bool fix) {
  VerifyReport report;
  StoreMaintenance* maintenance = store.maintenance();
  if (maintenance == nullptr) return report;
  const EntrySecret secret = secret_of(store);
  for (StoredItem& item : maintenance->scan()) {
    CacheEntry entry;
    entry.defect = item.defect;
    if (!entry.defect) {
      StoreRead whole = maintenance->peek(item.key, kMaxEntryBytes + 1);
      if (whole.status != StoreStatus::Hit) {
        entry.defect = entry_defect("cannot be read");
      } else if (whole.bytes.size() > kMaxEntryBytes) {
        entry.defect = entry_defect("larger than the read bound");
      } else {
        auto decoded = decode_entry(whole.bytes, secret, &item.key);
        if (decoded.ok()) {
          entry.metadata = std::move(decoded->metadata);
        } else {
          entry.defect = std::move(decoded).error();
        }
      }
    }
    if (entry.defect && fix) {
      if (Status st = maintenance->erase(item); st.ok()) {
        ++report.removed;
      } else {
        report.failures.push_back({item.location, st.error().message});
      }
    }
    entry.item = std::move(item);
    report.entries.push_back(std::move(entry));
  }
  return report;
}

InvalidateReport invalidate_entries(ByteStore& store, const InvalidationFilter& filter) {
  InvalidateReport report;
  StoreMaintenance* maintenance = store.maintenance();
  if (maintenance == nullptr) return report;
  for (const CacheEntry& entry : list_entries(store, true)) {
    if (!entry.metadata || !filter.matches(entry.metadata->factors)) continue;
    if (Status st = maintenance->erase(entry.item); st.ok()) {
      ++report.removed;
    } else {
      report.failures.push_back({entry.item.location, st.error().message});
    }
  }
  return report;
}

}  // namespace vyre::pipeline
