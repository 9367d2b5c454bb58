// The store's limit on series and the count an upsert reports (issue 10, items 13 and 14).
#include <gtest/gtest.h>

#include "goldensignals/market/bar_store.h"

namespace gs::market {
namespace {

Bar bar_at(std::int64_t t, double close) {
    return {t, close, close + 1, close - 1, close, 100};
}

const std::vector<Bar> kOneBar = {bar_at(10, 1)};

TEST(MemoryBarStoreTest, AcceptedCountsDistinctTimesOfABatch) {
    MemoryBarStore store(100);
    const std::vector<Bar> bars = {bar_at(10, 1), bar_at(20, 2), bar_at(10, 3), bar_at(10, 4)};
    auto result = store.upsert("A", Timeframe::k1d, bars);
    EXPECT_EQ(result.accepted, 2u);
    EXPECT_EQ(store.get("A", Timeframe::k1d)->bar(0).close, 4);  // the last of time 10 wins
}

TEST(MemoryBarStoreTest, RefusesANewSeriesPastTheLimitWithoutStoringIt) {
    MemoryBarStore store(100, 2);
    store.upsert("A", Timeframe::k1d, kOneBar);
    store.upsert("B", Timeframe::k1d, kOneBar);
    EXPECT_THROW(store.upsert("C", Timeframe::k1d, kOneBar), SeriesLimitError);
    // A known symbol in a new timeframe is a new series too.
    EXPECT_THROW(store.upsert("A", Timeframe::k1h, kOneBar), SeriesLimitError);
    EXPECT_EQ(store.get("C", Timeframe::k1d), nullptr);
    EXPECT_EQ(store.get("A", Timeframe::k1h), nullptr);
    EXPECT_EQ(store.series_count(), 2u);
    // Existing series still take bars.
    const std::vector<Bar> later = {bar_at(20, 2)};
    EXPECT_EQ(store.upsert("A", Timeframe::k1d, later).accepted, 1u);
    EXPECT_EQ(store.get("A", Timeframe::k1d)->size(), 2u);
}

TEST(MemoryBarStoreTest, AReservedSlotHoldsRoomUntilReleased) {
    MemoryBarStore store(100, 2);
    {
        auto slot_a = store.reserve("A", Timeframe::k1d);
        auto again_a = store.reserve("A", Timeframe::k1d);  // a second POST of the same series
        auto slot_b = store.reserve("B", Timeframe::k1d);
        EXPECT_THROW(store.reserve("C", Timeframe::k1d), SeriesLimitError);
        EXPECT_THROW(store.upsert("C", Timeframe::k1d, kOneBar), SeriesLimitError);
        // The holders' upserts go through whatever happened meanwhile.
        store.upsert("A", Timeframe::k1d, kOneBar);
        EXPECT_THROW(store.reserve("C", Timeframe::k1d), SeriesLimitError);
    }
    // B was never written (its durable write failed, say): its room is free again, A's is
    // taken by A itself.
    auto slot_c = store.reserve("C", Timeframe::k1d);
    EXPECT_THROW(store.reserve("D", Timeframe::k1d), SeriesLimitError);
    // An existing series needs no room.
    auto slot_a = store.reserve("A", Timeframe::k1d);
    store.upsert("C", Timeframe::k1d, kOneBar);
    EXPECT_EQ(store.series_count(), 2u);
}

TEST(MemoryBarStoreTest, ReplaceIsNeverRefused) {
    // A reload serves what PostgreSQL or another instance already holds.
    MemoryBarStore store(100, 1);
    store.upsert("A", Timeframe::k1d, kOneBar);
    store.replace("B", Timeframe::k1d, kOneBar);
    EXPECT_EQ(store.series_count(), 2u);
    EXPECT_THROW(store.upsert("C", Timeframe::k1d, kOneBar), SeriesLimitError);
}

TEST(MemoryBarStoreTest, MetricsShowSeriesLimitAndRefusals) {
    MemoryBarStore store(100, 1);
    store.upsert("A", Timeframe::k1d, kOneBar);
    EXPECT_THROW(store.upsert("B", Timeframe::k1d, kOneBar), SeriesLimitError);
    std::string out;
    store.render_metrics(out);
    EXPECT_NE(out.find("\ngs_bar_series 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\ngs_bar_series_limit 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\ngs_bar_series_refused_total 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("# TYPE gs_bar_series gauge\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace gs::market
