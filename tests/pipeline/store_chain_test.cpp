// The chain of byte stores: a new store is one class plus one row in the cache options. A
// test-only in-memory store chained after the disk store shows it: its hits are promoted into
// the disk store and the memory tier, and corrupt bytes in it are never served.
#include <gtest/gtest.h>

#include <map>

#include "pipeline/fake_backend.h"
#include "vyre/pipeline/cache_maintenance.h"

namespace vyre::pipeline {
namespace {

using namespace testing;

const std::string& tag_of(const std::shared_ptr<const CompiledPipeline>& p) {
  return static_cast<const FakePipeline&>(*p).tag();
}

// The bytes an in-memory store holds; shared by every cache that opens a row over it.
struct Shelf {
  std::mutex mutex;
  std::map<Digest, std::vector<std::uint8_t>> items;
  int discards = 0;
};

// The one class a new store needs.
class ShelfStore final : public ByteStore {
 public:
  explicit ShelfStore(std::shared_ptr<Shelf> shelf) : shelf_(std::move(shelf)) {}
  std::string_view name() const override { return "shelf"; }
  std::string location() const override { return "memory"; }
  bool writable() const override { return true; }
  StoreRead get(const Digest& key, std::span<std::uint8_t>, bool) override {
    std::lock_guard lock(shelf_->mutex);
    StoreRead out;
    auto it = shelf_->items.find(key);
    if (it == shelf_->items.end()) {
      counters_.add(StoreCounter::Misses);
      return out;
    }
    counters_.add(StoreCounter::Hits);
    out.status = StoreStatus::Hit;
    out.owned = it->second;
    out.bytes = out.owned;
    return out;
  }
  bool put(const Digest& key, std::span<const std::uint8_t> bytes) override {
    std::lock_guard lock(shelf_->mutex);
    shelf_->items[key].assign(bytes.begin(), bytes.end());
    counters_.add(StoreCounter::Writes);
    return true;
  }
  bool remove(const Digest& key) override {
    std::lock_guard lock(shelf_->mutex);
    return shelf_->items.erase(key) != 0;
  }
  bool discard(const Digest& key, const StoreRead& read) override {
    if (!ByteStore::discard(key, read)) return false;
    std::lock_guard lock(shelf_->mutex);
    ++shelf_->discards;
    counters_.add(StoreCounter::CorruptRemoved);
    return true;
  }
  Status flush() override { return Ok{}; }
  StoreCounters counters() const override { return counters_.snapshot(); }
  // Its own secret, unlike the disk store's: promotion re-signs what it copies.
  std::optional<std::array<std::uint8_t, 32>> entry_secret() const override {
    std::array<std::uint8_t, 32> secret{};
    secret.fill(0x5a);
    return secret;
  }

 private:
  std::shared_ptr<Shelf> shelf_;
  AtomicStoreCounters counters_;
};

// ... and its one row.
StoreOptions shelf_row(std::shared_ptr<Shelf> shelf) {
  return StoreOptions{"shelf", [shelf](const StoreContext&) {
                        return std::unique_ptr<ByteStore>(new ShelfStore(shelf));
                      }};
}

PipelineCacheOptions disk_then_shelf(const std::filesystem::path& root,
                                     std::shared_ptr<Shelf> shelf, WarningLog* log = nullptr) {
  PipelineCacheOptions options = options_at(root, log);
  options.stores.push_back(shelf_row(std::move(shelf)));
  return options;
}

TEST(StoreChain, TheChainIsDiskThenTheRowsInOrder) {
  TempDir dir;
  auto cache = open_cache(disk_then_shelf(dir.path(), std::make_shared<Shelf>()));
  ASSERT_EQ(cache->stores().size(), 2u);
  EXPECT_EQ(cache->stores()[0]->name(), "disk");
  EXPECT_EQ(cache->stores()[1]->name(), "shelf");
  EXPECT_NE(cache->disk(), nullptr);
  EXPECT_EQ(cache->store("shelf"), cache->stores()[1].get());
  EXPECT_EQ(cache->store("redis"), nullptr);
}

TEST(StoreChain, AHitInALaterStoreIsPromotedIntoDiskAndMemory) {
  TempDir first, second;
  FakeBackend backend;
  auto shelf = std::make_shared<Shelf>();
  const ir::Program program = make_program(4);
  {  // compiled once: stored in the disk store and the shelf
    auto cache = open_cache(disk_then_shelf(first.path(), shelf));
    ASSERT_TRUE(cache->obtain(backend, program, {}).ok());
    EXPECT_EQ(cache->snapshot().store("shelf")->counters[StoreCounter::Writes], 1u);
  }
  ASSERT_EQ(shelf->items.size(), 1u);
  ASSERT_EQ(backend.compiles, 1);

  // A second machine's empty disk: the shelf serves it, and it is promoted.
  auto cache = open_cache(disk_then_shelf(second.path(), shelf));
  CacheOutcome o;
  auto got = cache->obtain(backend, program, {}, &o);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(tag_of(*got), backend.expected_bytes(program, {}));
  EXPECT_EQ(o.tier, CacheTier::Disk);
  EXPECT_EQ(o.store, "shelf");
  EXPECT_EQ(backend.compiles, 1) << "a hit in the shelf compiled again";
  Telemetry t = cache->snapshot();
  EXPECT_EQ(t.store("shelf")->served, 1u);
  EXPECT_EQ(t.store("disk")->promoted, 1u);
  EXPECT_EQ(t.store("disk")->counters[StoreCounter::Writes], 1u);
  EXPECT_NE(t.to_json().find("\"shelf\""), std::string::npos);

  // In memory now,
  ASSERT_TRUE(cache->obtain(backend, program, {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Memory);
  // and on disk, signed with the disk store's own secret: a disk-only cache hits it.
  const Digest key = cache->key_factors(backend, program, {})->key();
  auto stored = read_file(cache->disk()->entry_path(key));
  EXPECT_TRUE(decode_entry(stored, *cache->disk()->entry_secret(), &key).ok());
  cache.reset();
  auto disk_only = open_cache(options_at(second.path()));
  ASSERT_TRUE(disk_only->obtain(backend, program, {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Disk);
  EXPECT_EQ(o.store, "disk");
  EXPECT_EQ(backend.compiles, 1);
}

TEST(StoreChain, CorruptBytesInALaterStoreAreNeverServed) {
  TempDir first, second;
  FakeBackend backend;
  auto shelf = std::make_shared<Shelf>();
  const ir::Program program = make_program(5);
  ASSERT_TRUE(open_cache(disk_then_shelf(first.path(), shelf))->obtain(backend, program, {}).ok());
  ASSERT_EQ(shelf->items.size(), 1u);
  const std::vector<std::uint8_t> good = shelf->items.begin()->second;

  // Every byte flipped in turn (and a truncation): never loaded, counted, removed, recompiled.
  std::vector<std::vector<std::uint8_t>> damaged;
  for (std::size_t i = 0; i < good.size(); i += 7) {
    damaged.push_back(good);
    damaged.back()[i] ^= 0x10;
  }
  damaged.emplace_back(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2));
  int compiles = backend.compiles;
  for (std::size_t n = 0; n < damaged.size(); ++n) {
    TempDir empty;
    shelf->items.begin()->second = damaged[n];
    const int discards = shelf->discards;
    auto cache = open_cache(disk_then_shelf(empty.path(), shelf));
    CacheOutcome o;
    auto got = cache->obtain(backend, program, {}, &o);
    ASSERT_TRUE(got.ok()) << n;
    EXPECT_EQ(tag_of(*got), backend.expected_bytes(program, {})) << n;
    EXPECT_EQ(o.tier, CacheTier::Compiled) << n;
    EXPECT_EQ(o.miss, MissReason::CorruptEntry) << n;
    EXPECT_EQ(backend.compiles, ++compiles) << n;
    EXPECT_EQ(shelf->discards, discards + 1) << "the bad bytes were not removed (" << n << ")";
    Telemetry t = cache->snapshot();
    EXPECT_EQ(t.misses_for(MissReason::CorruptEntry), 1u);
    EXPECT_EQ(t.corrupt_entries_removed, 1u);
    EXPECT_EQ(t.store("shelf")->counters[StoreCounter::CorruptRemoved], 1u);
    // The recompiled entry is stored back, valid (its compile time may differ from `good`'s).
    std::array<std::uint8_t, 32> shelf_secret{};
    shelf_secret.fill(0x5a);
    const Digest key = cache->key_factors(backend, program, {})->key();
    EXPECT_TRUE(decode_entry(shelf->items.begin()->second, shelf_secret, &key).ok()) << n;
  }
  EXPECT_EQ(backend.load_rejects, 0) << "damaged bytes reached Backend::load";
}

TEST(StoreChain, RowsNeedTheirOwnNames) {
  PipelineCacheOptions options;
  auto shelf = std::make_shared<Shelf>();
  options.stores = {shelf_row(shelf), shelf_row(shelf)};
  auto refused = PipelineCache::open(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, code::DuplicateStoreName);
}

TEST(StoreChain, DisabledMeansNoStoreAtAll) {
  TempDir dir;
  FakeBackend backend;
  auto options = disk_then_shelf(dir / "cache", std::make_shared<Shelf>());
  options.disabled = true;
  auto cache = open_cache(options);
  EXPECT_TRUE(cache->stores().empty());
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}).ok());
  CacheOutcome o;
  ASSERT_TRUE(cache->obtain(backend, make_program(1), {}, &o).ok());
  EXPECT_EQ(o.tier, CacheTier::Memory);
  EXPECT_FALSE(std::filesystem::exists(dir / "cache"));
}

}  // namespace
}  // namespace vyre::pipeline
