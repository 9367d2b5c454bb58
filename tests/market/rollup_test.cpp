// Roll-up of 1-minute bars into every longer timeframe, checked against an independent
// aggregation (tests/reference/gen_rollup.py, Python's datetime) of the same bars: streamed
// live in chunks, posted as history in one batch, corrected afterwards, resumed midway.

#include "goldensignals/market/rollup.h"

#include <algorithm>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "goldensignals/market/periods.h"
#include "support/reference_data.h"

namespace gs::market {
namespace {

using Key = std::pair<Timeframe, std::int64_t>;
using Periods = std::map<Key, Bar>;

std::vector<Bar> load_bars(const std::string& file) {
    const auto table = testing::ReferenceTable::load(file);
    std::vector<Bar> bars;
    for (std::size_t i = 0; i < table.column("time").size(); ++i) {
        bars.push_back({static_cast<std::int64_t>(table.column("time")[i]), table.column("open")[i],
                        table.column("high")[i], table.column("low")[i], table.column("close")[i],
                        table.column("volume")[i]});
    }
    return bars;
}

Periods load_expected(const std::string& file) {
    const auto table = testing::ReferenceTable::load(file);
    Periods periods;
    for (std::size_t i = 0; i < table.column("time").size(); ++i) {
        const auto timeframe = parse_timeframe(table.text_column("timeframe")[i]);
        EXPECT_TRUE(timeframe.has_value());
        const Bar bar{static_cast<std::int64_t>(table.column("time")[i]),
                      table.column("open")[i],
                      table.column("high")[i],
                      table.column("low")[i],
                      table.column("close")[i],
                      table.column("volume")[i]};
        periods[{*timeframe, bar.time}] = bar;
    }
    return periods;
}

// The base series as the caller holds it: every bar, upserted.
class BaseSeries {
  public:
    void upsert(std::span<const Bar> bars) {
        for (const Bar& bar : bars) {
            bars_[bar.time] = bar;
        }
    }
    BaseBarsInRange source() const {
        return [this](std::int64_t from, std::int64_t to) {
            std::vector<Bar> in_range;
            for (auto it = bars_.lower_bound(from); it != bars_.end() && it->first < to; ++it) {
                in_range.push_back(it->second);
            }
            return std::optional(in_range);
        };
    }
    std::int64_t newest() const { return bars_.rbegin()->first; }

  private:
    std::map<std::int64_t, Bar> bars_;
};

void expect_same_bar(const Bar& got, const Bar& want, const Key& key) {
    SCOPED_TRACE(std::string(to_string(key.first)) + " @ " + std::to_string(key.second));
    EXPECT_EQ(got.time, want.time);
    EXPECT_EQ(got.open, want.open);
    EXPECT_EQ(got.high, want.high);
    EXPECT_EQ(got.low, want.low);
    EXPECT_EQ(got.close, want.close);
    EXPECT_EQ(got.volume, want.volume);
}

void expect_periods(const Periods& got, const Periods& want) {
    EXPECT_EQ(got.size(), want.size());
    for (const auto& [key, bar] : want) {
        const auto it = got.find(key);
        ASSERT_NE(it, got.end()) << to_string(key.first) << " @ " << key.second << " missing";
        expect_same_bar(it->second, bar, key);
    }
}

// Records the final bars a roll-up reports, and how often each period was finalised.
struct FinalBars {
    Periods bars;
    std::map<Key, int> times_final;
    void take(const std::vector<DerivedBar>& changes) {
        for (const auto& change : changes) {
            if (change.final) {
                bars[{change.timeframe, change.bar.time}] = change.bar;
                ++times_final[{change.timeframe, change.bar.time}];
            }
        }
    }
};

// Streams `bars` as a live feed would: chunks of 1-40 bars, the clock just past the newest.
void stream(Rollup& rollup, BaseSeries& base, std::span<const Bar> bars, FinalBars& finals,
            std::mt19937& random) {
    std::size_t at = 0;
    while (at < bars.size()) {
        const std::size_t n =
            std::min<std::size_t>(bars.size() - at, std::uniform_int_distribution(1, 40)(random));
        const auto chunk = bars.subspan(at, n);
        base.upsert(chunk);
        finals.take(rollup.apply(chunk, chunk.back().time + 61, base.source()));
        at += n;
    }
}

constexpr std::int64_t kFarFuture = 4'102'444'800;  // 2100-01-01

TEST(PeriodsTest, WeeksBeginOnMondayAndEveryPeriodNestsInTheLongerOnes) {
    // Wednesday 2024-03-06 12:34:56 UTC.
    const std::int64_t wednesday = 1'709'728'496;
    EXPECT_EQ(period_start(Timeframe::k1w, wednesday), 1'709'510'400);  // Monday 2024-03-04
    EXPECT_EQ(period_start(Timeframe::k1d, wednesday), 1'709'683'200);
    EXPECT_EQ(period_start(Timeframe::k4h, wednesday), 1'709'726'400);   // 12:00
    EXPECT_EQ(period_start(Timeframe::k15m, wednesday), 1'709'728'200);  // 12:30
    EXPECT_EQ(period_end(Timeframe::k1h, wednesday), 1'709'730'000);     // 13:00
    // A Monday 00:00 begins its own week; the Sunday before belongs to the previous one.
    EXPECT_EQ(period_start(Timeframe::k1w, 1'709'510'400), 1'709'510'400);
    EXPECT_EQ(period_start(Timeframe::k1w, 1'709'510'399), 1'709'510'400 - 604'800);
    // The epoch was a Thursday: its week began Monday 1969-12-29.
    EXPECT_EQ(period_start(Timeframe::k1w, 0), -3 * 86'400);
    EXPECT_EQ(period_start(Timeframe::k1h, -1), -3'600);

    for (const Timeframe shorter : kAllTimeframes) {
        for (const Timeframe longer : longer_timeframes(shorter)) {
            for (std::int64_t t = 1'709'510'400 - 86'400; t < 1'709'510'400 + 8 * 86'400;
                 t += 3'541) {
                const std::int64_t inner = period_start(shorter, t);
                EXPECT_EQ(period_start(longer, inner), period_start(longer, t));
                EXPECT_LE(period_end(shorter, t), period_end(longer, t));
            }
        }
    }
    EXPECT_EQ(longer_timeframes(Timeframe::k1m).size(), 7u);
    EXPECT_EQ(longer_timeframes(Timeframe::k1d), std::vector<Timeframe>{Timeframe::k1w});
    EXPECT_TRUE(longer_timeframes(Timeframe::k1w).empty());
}

TEST(RollupTest, HistoryPostedInOneBatchEqualsTheIndependentAggregation) {
    const auto bars = load_bars("rollup_1m.csv");
    BaseSeries base;
    base.upsert(bars);
    Rollup rollup(Timeframe::k1m, 60);
    FinalBars finals;
    finals.take(rollup.apply(bars, kFarFuture, base.source()));
    expect_periods(finals.bars, load_expected("rollup_expected.csv"));
}

TEST(RollupTest, ALiveFeedInChunksClosesEachPeriodOnceWithTheIndependentBars) {
    const auto bars = load_bars("rollup_1m.csv");
    std::mt19937 random(7);
    BaseSeries base;
    Rollup rollup(Timeframe::k1m, 60);
    FinalBars finals;
    stream(rollup, base, bars, finals, random);
    finals.take(rollup.close_due(kFarFuture));
    expect_periods(finals.bars, load_expected("rollup_expected.csv"));
    for (const auto& [key, count] : finals.times_final) {
        EXPECT_EQ(count, 1) << to_string(key.first) << " @ " << key.second;
    }
}

TEST(RollupTest, CorrectionsAndALateBarReDeriveThePeriodsTheyTouch) {
    const auto bars = load_bars("rollup_1m.csv");
    auto corrections = load_bars("rollup_1m_corrections.csv");
    std::mt19937 random(11);
    std::shuffle(corrections.begin(), corrections.end(), random);
    BaseSeries base;
    Rollup rollup(Timeframe::k1m, 60);
    FinalBars finals;
    stream(rollup, base, bars, finals, random);
    finals.take(rollup.close_due(kFarFuture));

    base.upsert(corrections);
    const auto changes = rollup.apply(corrections, kFarFuture, base.source());
    finals.take(changes);
    expect_periods(finals.bars, load_expected("rollup_expected_corrected.csv"));
    EXPECT_EQ(rollup.unresolved(), 0u);
    // Only touched periods are reported: at most one per correction and timeframe.
    EXPECT_LE(changes.size(), corrections.size() * 7);
    for (const auto& change : changes) {
        EXPECT_TRUE(change.final);
    }
}

TEST(RollupTest, TheFormingPeriodIsReportedAsProvisionalUntilItCloses) {
    BaseSeries base;
    Rollup rollup(Timeframe::k1m, 30);
    const std::int64_t hour = 1'709'726'400;  // 12:00 UTC
    const std::vector<Bar> first = {{hour, 10, 11, 9, 10.5, 100},
                                    {hour + 60, 10.5, 12, 10, 11, 50}};
    base.upsert(first);
    auto changes = rollup.apply(first, hour + 121, base.source());
    ASSERT_EQ(changes.size(), 7u);  // one forming bar per longer timeframe
    for (const auto& change : changes) {
        EXPECT_FALSE(change.final);
        expect_same_bar(change.bar, {period_start(change.timeframe, hour), 10, 12, 9, 11, 150},
                        {change.timeframe, hour});
    }

    // The feed stops at 12:02; at 12:05:29 the 5m period is not yet closed (grace 30 s)...
    EXPECT_TRUE(rollup.close_due(hour + 329).empty());
    // ...at 12:05:30 it is, with the bars it had.
    changes = rollup.close_due(hour + 330);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].timeframe, Timeframe::k5m);
    EXPECT_TRUE(changes[0].final);
    EXPECT_EQ(rollup.newest(Timeframe::k5m)->final, true);
    EXPECT_EQ(rollup.newest(Timeframe::k15m)->final, false);

    // The 12:04 bar arrives after the clock closed its period: folded in, still final.
    const std::vector<Bar> straggler = {{hour + 240, 11, 13, 10.5, 12.5, 25}};
    base.upsert(straggler);
    changes = rollup.apply(straggler, hour + 331, base.source());
    ASSERT_FALSE(changes.empty());
    EXPECT_EQ(changes[0].timeframe, Timeframe::k5m);
    EXPECT_TRUE(changes[0].final);
    expect_same_bar(changes[0].bar, {hour, 10, 13, 9, 12.5, 175}, {Timeframe::k5m, hour});

    // The bar ending at 12:15 closes the 5m and 15m periods it ends, by the bars alone.
    const std::vector<Bar> last = {{hour + 840, 12.5, 12.6, 12.4, 12.45, 5}};
    base.upsert(last);
    changes = rollup.apply(last, hour + 841, base.source());
    EXPECT_TRUE(rollup.newest(Timeframe::k5m)->final);
    EXPECT_TRUE(rollup.newest(Timeframe::k15m)->final);
    EXPECT_FALSE(rollup.newest(Timeframe::k30m)->final);
    expect_same_bar(rollup.newest(Timeframe::k15m)->bar, {hour, 10, 13, 9, 12.45, 180},
                    {Timeframe::k15m, hour});
}

TEST(RollupTest, ACorrectionWhoseBaseBarsAreGoneIsCountedAndChangesNothing) {
    BaseSeries base;
    Rollup rollup(Timeframe::k1m, 0);
    const std::int64_t hour = 1'709'726'400;
    const std::vector<Bar> bars = {{hour, 10, 11, 9, 10.5, 100}, {hour + 60, 10.5, 12, 10, 11, 50}};
    base.upsert(bars);
    rollup.apply(bars, hour + 120, base.source());
    const BaseBarsInRange unknown = [](std::int64_t, std::int64_t) {
        return std::optional<std::vector<Bar>>{};
    };
    const std::vector<Bar> correction = {{hour, 10, 20, 9, 10.5, 100}};
    EXPECT_TRUE(rollup.apply(correction, hour + 120, unknown).empty());
    EXPECT_EQ(rollup.unresolved(), 7u);
    EXPECT_EQ(rollup.newest(Timeframe::k1h)->bar.high, 12);
}

TEST(RollupTest, ResumingMidwayFromTheBaseBarsGivesTheSamePeriods) {
    const auto bars = load_bars("rollup_1m.csv");
    const std::size_t half = bars.size() / 2 + 17;
    std::mt19937 random(3);
    BaseSeries base;
    FinalBars finals;
    {
        Rollup before(Timeframe::k1m, 60);
        stream(before, base, std::span(bars).first(half), finals, random);
    }
    Rollup after(Timeframe::k1m, 60);
    after.resume(base.newest(), base.newest() + 61, base.source());
    stream(after, base, std::span(bars).subspan(half), finals, random);
    finals.take(after.close_due(kFarFuture));
    expect_periods(finals.bars, load_expected("rollup_expected.csv"));
}

TEST(RollupTest, AResumeWithoutTheBaseBarsSkipsThePeriodItCannotKnow) {
    Rollup rollup(Timeframe::k1m, 0);
    const std::int64_t hour = 1'709'726'400;
    rollup.resume(hour + 600, hour + 660,
                  [](std::int64_t, std::int64_t) { return std::optional<std::vector<Bar>>{}; });
    EXPECT_EQ(rollup.unresolved(), 7u);
    BaseSeries base;
    // 12:11 falls in the unknown 5m period [12:10, 12:15): no 5m bar for it; 12:15 opens one.
    const std::vector<Bar> bars = {{hour + 660, 1, 2, 0.5, 1.5, 1}, {hour + 900, 2, 3, 1, 2.5, 1}};
    base.upsert(bars);
    const auto changes = rollup.apply(bars, hour + 960, base.source());
    for (const auto& change : changes) {
        if (change.timeframe == Timeframe::k5m) {
            EXPECT_EQ(change.bar.time, hour + 900);
        }
    }
    EXPECT_FALSE(rollup.newest(Timeframe::k1h).has_value());  // 12:00-13:00 stays unknown
}

}  // namespace
}  // namespace gs::market
