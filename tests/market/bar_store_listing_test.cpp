// MemoryBarStore's listing of every series and the removal of one (the universe routes).
#include <algorithm>

#include <gtest/gtest.h>

#include "goldensignals/market/bar_store.h"

namespace gs::market {
namespace {

std::vector<Bar> bars(std::size_t n) {
    std::vector<Bar> out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back({static_cast<std::int64_t>(i) * 86400, 10, 11, 9, 10, 100});
    }
    return out;
}

TEST(BarStoreListingTest, ListsEverySeriesOrThoseOfOneTimeframe) {
    MemoryBarStore store(100);
    store.upsert("AAA", Timeframe::k1d, bars(3));
    store.upsert("AAA", Timeframe::k1h, bars(2));
    store.upsert("BBB", Timeframe::k1d, bars(1));
    auto all = store.list_series(std::nullopt);
    ASSERT_EQ(all.size(), 3u);
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        return std::tie(a.symbol, a.timeframe) < std::tie(b.symbol, b.timeframe);
    });
    EXPECT_EQ(all[0].symbol, "AAA");
    EXPECT_EQ(all[0].timeframe, Timeframe::k1h);
    EXPECT_EQ(all[0].series->size(), 2u);
    EXPECT_EQ(all[1].timeframe, Timeframe::k1d);
    EXPECT_EQ(all[2].symbol, "BBB");
    const auto daily = store.list_series(Timeframe::k1d);
    EXPECT_EQ(daily.size(), 2u);
    EXPECT_TRUE(store.list_series(Timeframe::k1w).empty());
}

TEST(BarStoreListingTest, EraseRemovesOneSeriesAndFreesItsRoom) {
    MemoryBarStore store(100, 2);
    store.upsert("AAA", Timeframe::k1d, bars(3));
    store.upsert("AAA", Timeframe::k1h, bars(2));
    auto removed = store.erase("AAA", Timeframe::k1d);
    ASSERT_NE(removed, nullptr);
    EXPECT_EQ(removed->size(), 3u);
    EXPECT_EQ(store.get("AAA", Timeframe::k1d), nullptr);
    EXPECT_NE(store.get("AAA", Timeframe::k1h), nullptr);
    EXPECT_EQ(store.erase("AAA", Timeframe::k1d), nullptr);
    // The limit counts what is held: a new series fits again.
    EXPECT_NO_THROW(store.upsert("CCC", Timeframe::k1d, bars(1)));
    EXPECT_EQ(store.series_count(), 2u);
}

}  // namespace
}  // namespace gs::market
