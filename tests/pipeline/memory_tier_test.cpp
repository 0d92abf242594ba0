#include "vyre/pipeline/memory_tier.h"

#include <gtest/gtest.h>

#include <thread>

#include "pipeline/fake_backend.h"

namespace vyre::pipeline {
namespace {

Digest key(std::uint8_t n) {
  Digest d{};
  d[0] = n;
  d[31] = n;
  return d;
}

MemoryEntry entry(std::uint64_t bytes) {
  MemoryEntry e;
  e.bytes = bytes;
  e.factors = std::make_shared<const KeyFactors>();
  return e;
}

TEST(MemoryTier, EvictsLeastRecentlyUsedByCount) {
  MemoryTier tier(3, 1 << 20);
  for (std::uint8_t i = 0; i < 3; ++i) tier.insert(key(i), entry(10));
  MemoryEntry out;
  ASSERT_TRUE(tier.find(key(0), &out));  // 0 becomes most recent; 1 is now the oldest
  EXPECT_EQ(tier.insert(key(3), entry(10)), 1u);
  EXPECT_FALSE(tier.find(key(1), &out));
  EXPECT_TRUE(tier.find(key(0), &out));
  EXPECT_TRUE(tier.find(key(2), &out));
  EXPECT_TRUE(tier.find(key(3), &out));
  EXPECT_EQ(tier.size(), 3u);
}

TEST(MemoryTier, BoundedByBytes) {
  MemoryTier tier(100, 1000);
  for (std::uint8_t i = 0; i < 10; ++i) tier.insert(key(i), entry(300));
  EXPECT_LE(tier.bytes(), 1000u);
  EXPECT_EQ(tier.size(), 3u);
  tier.insert(key(50), entry(5000));  // larger than the bound by itself: not kept
  MemoryEntry out;
  EXPECT_FALSE(tier.find(key(50), &out));
  EXPECT_EQ(tier.size(), 3u);
  tier.insert(key(9), entry(100));  // replacing re-charges
  EXPECT_EQ(tier.bytes(), 700u);
}

TEST(MemoryTier, ZeroEntriesKeepsNothing) {
  MemoryTier tier(0, 1000);
  tier.insert(key(1), entry(1));
  MemoryEntry out;
  EXPECT_FALSE(tier.find(key(1), &out));
}

TEST(MemoryTier, CorrectUnderManyThreads) {
  MemoryTier tier(16, 1 << 20);
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        std::uint8_t k = static_cast<std::uint8_t>((i * 31 + t) % 40);
        MemoryEntry out;
        if (tier.find(key(k), &out)) {
          if (out.bytes != k + 1u) bad.fetch_add(1);
        } else {
          tier.insert(key(k), entry(k + 1u));
        }
        if (tier.size() > 16) bad.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad, 0);
  EXPECT_LE(tier.size(), 16u);
  std::uint64_t sum = 0;
  for (std::uint8_t k = 0; k < 40; ++k) {
    MemoryEntry out;
    if (tier.find(key(k), &out)) sum += out.bytes;
  }
  EXPECT_EQ(sum, tier.bytes());
}

}  // namespace
}  // namespace vyre::pipeline
