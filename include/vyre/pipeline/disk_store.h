// The disk store: one file per entry at <root>/<2 hex>/<64 hex>.bin, shared safely by many
// processes. Writes go to <root>/tmp/<key>.<pid>.<seq>.tmp and are renamed into place (atomic
// install); flush() makes the batch durable. The root is vyre's only when it holds vyre's marker
// (CACHEDIR.TAG, created by vyre); vyre never deletes or rewrites a file it did not create. The
// root and every folder below it must be the user's, not writable by group or others, and no
// symlink is followed at any level (everything is opened relative to the root's descriptor);
// otherwise the store is off, with one warning. Total size (allocated bytes) is bounded with
// least-recently-used eviction, the age being the file's mtime (refreshed at flush after hits).
// It never fails its caller: a problem turns writes off with one warning and is counted.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

#include "vyre/pipeline/byte_store.h"

namespace vyre::pipeline {

class FileOps;  // src/pipeline/file_ops.h: the system calls the disk store makes (a test seam)

inline constexpr std::uint64_t kDefaultDiskBytes = 2ull << 30;
// The largest file a disk store reads back (a 64 MiB payload and its header and metadata).
inline constexpr std::uint64_t kMaxStoredItemBytes = (64ull << 20) + (64u << 10) + 4096;
inline constexpr std::string_view kCacheMarkerName = "CACHEDIR.TAG";
inline constexpr std::string_view kSecretFileName = "secret.key";

// Stack space obtain() gives a store's get() for a hit: 8 KiB holds a small kernel's entry
// (saxpy's CUDA entry is 4.7 KB); larger entries go to the heap.
inline constexpr std::size_t kHitScratchBytes = 8192;

struct DiskStoreOptions {
  std::filesystem::path root;
  std::string name = "disk";  // "pack", "pack.1", ... for read-only packs
  std::uint64_t max_bytes = kDefaultDiskBytes;
  std::chrono::seconds orphan_age{3600};
  std::chrono::seconds touch_granularity{60};
  bool read_only = false;  // a pack, or VYRE_CACHE_READONLY: never writes, never warns of it
  bool create = true;      // create the root (0700) and its marker if missing
  bool keyed = true;       // entries authenticated with the root's per-user secret (not packs)
  // The user the root, its folders and its secret must belong to; -1: the effective user. (Tests
  // set another to see a folder of someone else's refused.)
  long trusted_owner = -1;
  bool allow_root_owner = false;  // packs installed by the system may belong to root too
  // The largest item get() reads; anything bigger is unreadable (bounded reads).
  std::uint64_t max_item_bytes = kMaxStoredItemBytes;
  std::shared_ptr<FileOps> file_ops;  // null: the real system calls
};

class DiskStore final : public ByteStore, public StoreMaintenance {
 public:
  // Never fails: an untrusted, foreign or unwritable root makes the store off or read-only,
  // reported once through context.warning_sink. Removes vyre's orphaned temp files.
  DiskStore(DiskStoreOptions options, StoreContext context);
  ~DiskStore() override;
  DiskStore(const DiskStore&) = delete;
  DiskStore& operator=(const DiskStore&) = delete;

  // The row of PipelineCacheOptions::stores that opens a disk store with these options.
  static StoreOptions row(DiskStoreOptions options);

  std::string_view name() const override { return options_.name; }
  std::string location() const override { return options_.root.string(); }
  bool writable() const override;
  StoreRead get(const Digest& key, std::span<std::uint8_t> scratch = {},
                bool refresh = true) override;
  bool put(const Digest& key, std::span<const std::uint8_t> bytes) override;
  void write_skipped() override;
  bool remove(const Digest& key) override;
  bool discard(const Digest& key, const StoreRead& read) override;
  Status flush() override;
  StoreCounters counters() const override;
  std::optional<std::array<std::uint8_t, 32>> entry_secret() const override;
  StoreMaintenance* maintenance() override { return usable() ? this : nullptr; }

  // StoreMaintenance
  std::vector<StoredItem> scan() const override;
  StoreRead peek(const Digest& key, std::size_t max_bytes) const override;
  Status erase(const StoredItem& item) override;
  GcReport gc() override;
  ClearReport clear() override;
  std::uint64_t max_bytes() const override { return options_.max_bytes; }

  const std::filesystem::path& root() const { return options_.root; }
  std::filesystem::path entry_path(const Digest& key) const;
  // Whether the root passed the trust checks and is vyre's (reads are allowed).
  bool usable() const;
  // Whether the cache may keep its stats file in this root (vyre's, trusted, not read-only).
  bool keeps_stats() const;
  // Why the store is off, when it is (the warning it gave); for `vyre cache` to refuse with.
  std::optional<Diagnostic> refusal() const;
  std::uint64_t total_bytes() const;  // allocated bytes of every entry, from a scan
  std::size_t clean_orphans();

 private:
  struct State;
  bool load_secret(bool may_create);
  void warn_once(std::atomic<bool>& flag, const Diagnostic& diagnostic) const;
  void apply_touches();
  // Reports a failed put (counted) and turns writes off when the folder cannot take any.
  bool fail_put(std::string_view what, int error_number, bool broken_folder);
  std::size_t evict_until(std::uint64_t target_bytes, std::uint64_t* total_after,
                          std::vector<RemoveFailure>* failures);
  int open_shard(const std::string& shard, bool create);
  bool unlink_entry(const Digest& key, std::uint64_t version);
  Status erase_unbudgeted(const StoredItem& item);  // erase() without resetting the size budget  //
                                                    // 0: whatever is there
  DiskStoreOptions options_;
  StoreContext context_;
  std::unique_ptr<State> state_;
};

}  // namespace vyre::pipeline
