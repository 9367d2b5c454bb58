#include "goldensignals/cache/lru_cache.h"

#include <gtest/gtest.h>

namespace gs::cache {
namespace {

using Cache = LruCache<std::string>;

std::shared_ptr<const std::string> value(std::string s) {
    return std::make_shared<const std::string>(std::move(s));
}

TEST(LruCacheTest, ReturnsWhatWasPut) {
    Cache cache({.max_bytes = 1 << 20, .max_entries = 10, .shards = 1});
    cache.put("a", value("alpha"), 5);
    ASSERT_NE(cache.get("a"), nullptr);
    EXPECT_EQ(*cache.get("a"), "alpha");
    EXPECT_EQ(cache.get("b"), nullptr);
    auto stats = cache.stats();
    EXPECT_EQ(stats.hits, 2u);
    EXPECT_EQ(stats.misses, 1u);
    EXPECT_EQ(stats.entries, 1u);
}

TEST(LruCacheTest, EvictsLeastRecentlyUsedWhenFull) {
    Cache cache({.max_bytes = 1 << 20, .max_entries = 2, .shards = 1});
    cache.put("a", value("1"), 1);
    cache.put("b", value("2"), 1);
    ASSERT_NE(cache.get("a"), nullptr);  // a is now the most recent
    cache.put("c", value("3"), 1);
    EXPECT_NE(cache.get("a"), nullptr);
    EXPECT_EQ(cache.get("b"), nullptr);
    EXPECT_NE(cache.get("c"), nullptr);
    EXPECT_EQ(cache.stats().evictions, 1u);
}

TEST(LruCacheTest, BoundedByBytes) {
    // Each entry costs its bytes + key + 96 of bookkeeping: 1000 + 1 + 96.
    Cache cache({.max_bytes = 3000, .max_entries = 100, .shards = 1});
    cache.put("a", value("x"), 1000);
    cache.put("b", value("x"), 1000);
    cache.put("c", value("x"), 1000);
    auto stats = cache.stats();
    EXPECT_EQ(stats.entries, 2u);
    EXPECT_LE(stats.bytes, 3000u);
    EXPECT_EQ(cache.get("a"), nullptr);
}

TEST(LruCacheTest, ValueLargerThanTheBudgetIsNotCached) {
    Cache cache({.max_bytes = 500, .max_entries = 100, .shards = 1});
    cache.put("big", value("x"), 10'000);
    EXPECT_EQ(cache.get("big"), nullptr);
    EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(LruCacheTest, ReplacingKeepsOneEntryAndUpdatesBytes) {
    Cache cache({.max_bytes = 1 << 20, .max_entries = 10, .shards = 1});
    cache.put("a", value("1"), 100);
    cache.put("a", value("2"), 200);
    auto stats = cache.stats();
    EXPECT_EQ(stats.entries, 1u);
    EXPECT_EQ(stats.bytes, 200u + 1 + 96);
    EXPECT_EQ(*cache.get("a"), "2");
    cache.erase("a");
    EXPECT_EQ(cache.get("a"), nullptr);
    EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(LruCacheTest, ReaderKeepsAnEvictedValueAlive) {
    Cache cache({.max_bytes = 1 << 20, .max_entries = 1, .shards = 1});
    cache.put("a", value("still here"), 10);
    auto held = cache.get("a");
    cache.put("b", value("other"), 10);
    EXPECT_EQ(cache.get("a"), nullptr);
    EXPECT_EQ(*held, "still here");
}

TEST(LruCacheTest, ShardsSplitTheLimits) {
    Cache cache({.max_bytes = 1 << 20, .max_entries = 64, .shards = 16});
    for (int i = 0; i < 1000; ++i) {
        cache.put("k" + std::to_string(i), value("v"), 1);
    }
    EXPECT_LE(cache.stats().entries, 64u);
    EXPECT_GT(cache.stats().entries, 16u);
}

}  // namespace
}  // namespace gs::cache
