#include "goldensignals/market/bar_series.h"

#include <gtest/gtest.h>

#include "goldensignals/market/bar_store.h"

namespace gs::market {
namespace {

Bar bar_at(std::int64_t t, double close) {
    return {t, close, close + 1, close - 1, close, 100};
}

std::vector<std::int64_t> times_of(const BarSeries& s) {
    auto v = s.view().time;
    return {v.begin(), v.end()};
}

TEST(BarSeriesTest, SortsBarsGivenInAnyOrder) {
    std::vector<Bar> bars = {bar_at(30, 3), bar_at(10, 1), bar_at(20, 2)};
    auto s = BarSeries(100).merged(bars);
    EXPECT_EQ(times_of(s), (std::vector<std::int64_t>{10, 20, 30}));
    EXPECT_EQ(s.view().close[0], 1);
    EXPECT_EQ(s.last_time(), 30);
}

TEST(BarSeriesTest, LaterPostOfTheSameTimeCorrectsIt) {
    std::vector<Bar> first = {bar_at(10, 1), bar_at(20, 2)};
    std::vector<Bar> correction = {bar_at(20, 5)};
    auto s = BarSeries(100).merged(first).merged(correction);
    EXPECT_EQ(times_of(s), (std::vector<std::int64_t>{10, 20}));
    EXPECT_EQ(s.view().close[1], 5);
}

TEST(BarSeriesTest, LastDuplicateWithinOnePostWins) {
    std::vector<Bar> bars = {bar_at(10, 1), bar_at(10, 7), bar_at(5, 2)};
    auto s = BarSeries(100).merged(bars);
    EXPECT_EQ(times_of(s), (std::vector<std::int64_t>{5, 10}));
    EXPECT_EQ(s.view().close[1], 7);
}

TEST(BarSeriesTest, InterleavesWithStoredBars) {
    std::vector<Bar> stored = {bar_at(10, 1), bar_at(30, 3)};
    std::vector<Bar> more = {bar_at(20, 2), bar_at(40, 4), bar_at(0, 0.5)};
    auto s = BarSeries(100).merged(stored).merged(more);
    EXPECT_EQ(times_of(s), (std::vector<std::int64_t>{0, 10, 20, 30, 40}));
}

TEST(BarSeriesTest, KeepsOnlyTheNewestCapacityBars) {
    std::vector<Bar> bars;
    for (int i = 0; i < 10; ++i) {
        bars.push_back(bar_at(i, i + 1));
    }
    auto s = BarSeries(4).merged(bars);
    EXPECT_EQ(times_of(s), (std::vector<std::int64_t>{6, 7, 8, 9}));
    EXPECT_EQ(s.view().close.size(), 4u);
    EXPECT_EQ(s.view().volume.size(), 4u);
}

TEST(BarSeriesTest, MergeLeavesTheOriginalUntouched) {
    std::vector<Bar> first = {bar_at(10, 1)};
    std::vector<Bar> second = {bar_at(10, 9), bar_at(20, 2)};
    const auto a = BarSeries(100).merged(first);
    const auto b = a.merged(second);
    EXPECT_EQ(a.size(), 1u);
    EXPECT_EQ(a.view().close[0], 1);
    EXPECT_EQ(b.size(), 2u);
}

TEST(BarsViewTest, LastTakesTheNewestBars) {
    std::vector<Bar> bars = {bar_at(1, 1), bar_at(2, 2), bar_at(3, 3)};
    auto s = BarSeries(10).merged(bars);
    auto v = s.view().last(2);
    EXPECT_EQ(v.size(), 2u);
    EXPECT_EQ(v.time[0], 2);
    EXPECT_EQ(s.view().last(10).size(), 3u);
}

TEST(MemoryBarStoreTest, SnapshotsStayUnchangedAfterUpserts) {
    MemoryBarStore store(100);
    std::vector<Bar> first = {bar_at(10, 1)};
    store.upsert("AAPL", Timeframe::k1d, first);
    auto snapshot = store.get("AAPL", Timeframe::k1d);
    std::vector<Bar> second = {bar_at(20, 2)};
    auto result = store.upsert("AAPL", Timeframe::k1d, second);
    EXPECT_EQ(snapshot->size(), 1u);
    EXPECT_EQ(store.get("AAPL", Timeframe::k1d)->size(), 2u);
    EXPECT_EQ(result.accepted, 1u);
    EXPECT_EQ(result.last_time, 20);
}

TEST(MemoryBarStoreTest, KeepsTimeframesApartAndListsSymbols) {
    MemoryBarStore store(100);
    std::vector<Bar> bars = {bar_at(10, 1)};
    store.upsert("MSFT", Timeframe::k1d, bars);
    store.upsert("AAPL", Timeframe::k1d, bars);
    store.upsert("AAPL", Timeframe::k1h, bars);
    EXPECT_EQ(store.symbols(Timeframe::k1d), (std::vector<std::string>{"AAPL", "MSFT"}));
    EXPECT_EQ(store.symbols(Timeframe::k1h), (std::vector<std::string>{"AAPL"}));
    EXPECT_EQ(store.get("MSFT", Timeframe::k1h), nullptr);
}

}  // namespace
}  // namespace gs::market

namespace gs::market {
namespace {

TEST(BarSeriesHashTest, SameBarsSameHashAnyCorrectionChangesIt) {
    std::vector<Bar> bars = {bar_at(10, 1), bar_at(20, 2), bar_at(30, 3)};
    std::vector<Bar> shuffled = {bar_at(30, 3), bar_at(10, 1), bar_at(20, 2)};
    auto a = BarSeries(100).merged(bars);
    auto b = BarSeries(100).merged(shuffled);
    EXPECT_EQ(a.content_hash(), b.content_hash());
    std::vector<Bar> fix = {{10, 1, 2, 0.5, 1, 101}};  // only the first bar's volume differs
    auto c = a.merged(fix);
    EXPECT_EQ(c.last_time(), a.last_time());
    EXPECT_NE(c.content_hash(), a.content_hash());
}

TEST(MemoryBarStoreTest, ReplaceSwapsTheWholeSeries) {
    MemoryBarStore store(100);
    std::vector<Bar> first = {bar_at(10, 1), bar_at(20, 2)};
    store.upsert("X", Timeframe::k1d, first);
    std::vector<Bar> reloaded = {bar_at(30, 3)};
    auto series = store.replace("X", Timeframe::k1d, reloaded);
    EXPECT_EQ(series->size(), 1u);
    EXPECT_EQ(store.get("X", Timeframe::k1d)->last_time(), 30);
}

}  // namespace
}  // namespace gs::market

namespace gs::market {
namespace {

std::vector<Bar> rising(std::int64_t from, std::size_t n) {
    std::vector<Bar> out;
    for (std::size_t i = 0; i < n; ++i) {
        const auto t = from + static_cast<std::int64_t>(i) * 60;
        out.push_back(bar_at(t, 100.0 + static_cast<double>(t % 997)));
    }
    return out;
}

// The streaming engine's lineage (issue 12): appends keep the epoch and count bars; anything
// else starts a new one.
TEST(BarSeriesLineageTest, AppendsKeepTheEpochAndCountBarsOtherChangesStartANewOne) {
    auto a = BarSeries(100).merged(rising(0, 10));
    EXPECT_EQ(a.serial(), 10u);
    auto b = a.merged(rising(600, 3));
    EXPECT_EQ(b.epoch(), a.epoch());
    EXPECT_EQ(b.serial(), 13u);
    auto corrected = b.merged(std::vector<Bar>{bar_at(60, 42)});
    EXPECT_NE(corrected.epoch(), b.epoch());
    EXPECT_EQ(corrected.serial(), corrected.size());
    auto late = corrected.merged(std::vector<Bar>{bar_at(30, 7)});  // older than the newest
    EXPECT_NE(late.epoch(), corrected.epoch());
}

// An older version stays as it was while newer ones append past it (they share columns).
TEST(BarSeriesLineageTest, AnOlderVersionIsUnchangedByLaterAppends) {
    const auto a = BarSeries(100).merged(rising(0, 10));
    const auto b = a.merged(rising(600, 5));
    EXPECT_EQ(a.size(), 10u);
    EXPECT_EQ(a.last_time(), 540);
    EXPECT_EQ(b.size(), 15u);
    EXPECT_EQ(b.last_time(), 840);
    EXPECT_EQ(times_of(b).front(), 0);
}

// Two versions made from the same one never share the slots past it: the second copies.
TEST(BarSeriesLineageTest, TwoVersionsFromTheSameOneEachKeepTheirOwnBars) {
    const auto base = BarSeries(100).merged(rising(0, 10));
    const auto first = base.merged(std::vector<Bar>{bar_at(600, 1)});
    const auto second = base.merged(std::vector<Bar>{bar_at(600, 2)});
    EXPECT_EQ(first.view().close.back(), 1);
    EXPECT_EQ(second.view().close.back(), 2);
    EXPECT_NE(first.content_hash(), second.content_hash());
}

// The fingerprint is a function of the bars held, however the series got them: appended one
// by one through many column moves, or built at once (a reload on another instance).
TEST(BarSeriesLineageTest, TheFingerprintDependsOnlyOnTheBarsHeld) {
    const auto bars = rising(0, 1'000);
    BarSeries grown(150);
    for (const Bar& bar : bars) {
        grown = grown.merged(std::span<const Bar>(&bar, 1));
    }
    const auto built = BarSeries(150).merged(std::span<const Bar>(bars).last(150));
    EXPECT_EQ(grown.size(), 150u);
    EXPECT_EQ(times_of(grown), times_of(built));
    EXPECT_EQ(grown.content_hash(), built.content_hash());
    EXPECT_EQ(grown.serial(), 1'000u);  // one epoch throughout: appends only
    const auto other = BarSeries(150).merged(std::span<const Bar>(bars).subspan(849, 150));
    EXPECT_NE(other.content_hash(), built.content_hash());
}

}  // namespace
}  // namespace gs::market
