// Maintenance of a store's entries, above the store: what `vyre cache list|verify|invalidate|
// explain` and miss classification need. The store lists and deletes items (StoreMaintenance);
// decoding, authenticating and matching them against key factors happens here, so a store never
// learns the entry format.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vyre/pipeline/byte_store.h"
#include "vyre/pipeline/entry_format.h"

namespace vyre::pipeline {

// Which entries an invalidation removes; every given criterion must match.
struct InvalidationFilter {
  std::optional<std::string> backend;  // Backend::id(), exactly
  std::optional<std::string> device;   // fingerprint device string, or a device-digest hex prefix
  std::optional<std::string> program;  // program digest hex prefix (8 to 64 digits)
  bool empty() const { return !backend && !device && !program; }
  bool matches(const KeyFactors& factors) const;
};

// One item of a store, decoded.
struct CacheEntry {
  StoredItem item;
  std::optional<EntryMetadata> metadata;  // when its header was read and authenticated
  std::optional<Diagnostic> defect;       // when the store or the decoder found it bad
};

// The key entries of `store` are authenticated with (its secret, or the public pack secret).
EntrySecret secret_of(const ByteStore& store);

// Every item; with `read_headers`, each header and metadata read and authenticated (not the
// payload). Empty when the store has no maintenance interface.
std::vector<CacheEntry> list_entries(const ByteStore& store, bool read_headers);

struct VerifyReport {
  std::vector<CacheEntry> entries;      // every item, bad ones with `defect`
  std::size_t removed = 0;              // bad ones deleted (with `fix`)
  std::vector<RemoveFailure> failures;  // bad ones `fix` could not delete
};
// Every item read whole and fully validated; bad ones deleted when `fix`.
VerifyReport verify_entries(ByteStore& store, bool fix);

struct InvalidateReport {
  std::size_t removed = 0;
  std::vector<RemoveFailure> failures;
};
InvalidateReport invalidate_entries(ByteStore& store, const InvalidationFilter& filter);

}  // namespace vyre::pipeline
