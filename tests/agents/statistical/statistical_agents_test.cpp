// The four statistical agents: indicator values against TA-Lib compositions (zscore,
// high_low_52w) or hand-worked levels (pivots, Fibonacci), the BUY/SELL/HOLD rules on
// hand-built bars, and the edge cases (flat prices, few bars, gaps in time).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "agents/bars_builder.h"
#include "agents/category_lists.h"
#include "goldensignals/agents/agent.h"
#include "support/reference_data.h"

namespace gs::agents {

extern const AgentDef kZscoreReversion;
extern const AgentDef kPivotPoints;
extern const AgentDef kFibonacci;
extern const AgentDef kHighLow52w;

namespace {

using gs::testing::ReferenceTable;
using test_bars::BarsBuilder;
using test_bars::well_formed;

struct StatAgent {
    const AgentDef* def;
    std::vector<std::string_view> keys;
    std::size_t min_bars;
};

std::vector<StatAgent> all_agents() {
    return {
        {&kZscoreReversion, {"zscore"}, 20},
        {&kPivotPoints, {"pivot", "r1", "s1", "r2", "s2"}, 2},
        {&kFibonacci, {"fib_382", "fib_500", "fib_618"}, 51},
        {&kHighLow52w, {"high_52w", "low_52w"}, 253},
    };
}

AgentResult run(const AgentDef& def, const BarsBuilder& b) {
    Workspace ws;
    return def.evaluate(b.view(), ws);
}

market::BarsView first_bars(const BarsBuilder& b, std::size_t end) {
    const auto v = b.view();
    return {v.time.first(end), v.open.first(end),  v.high.first(end),
            v.low.first(end),  v.close.first(end), v.volume.first(end)};
}

bool close_enough(double ours, double expected) {
    return std::abs(ours - expected) <= 1e-6 * std::max(1.0, std::abs(expected));
}

TEST(StatisticalAgentsTest, ListsTheFourAgentsInTableOrder) {
    const auto list = statistical_agents();
    ASSERT_EQ(list.size(), 4u);
    EXPECT_EQ(list[0]->name, "zscore_reversion");
    EXPECT_EQ(list[1]->name, "pivot_points");
    EXPECT_EQ(list[2]->name, "fibonacci");
    EXPECT_EQ(list[3]->name, "high_low_52w");
    for (const auto& a : all_agents()) {
        EXPECT_EQ(a.def->category, Category::kStatistical);
        EXPECT_EQ(a.def->min_bars, a.min_bars) << a.def->name;
    }
}

// ---- against TA-Lib -----------------------------------------------------------------------

class StatisticalReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StatisticalReferenceTest, ZscoreIsCloseMinusSmaOverStddev) {
    const auto ref = ReferenceTable::load(GetParam() + "_talib.csv");
    const auto bars = test_bars::from_table(ReferenceTable::load(GetParam() + ".csv"));
    const auto& sma = ref.column("sma_20");
    const auto& sd = ref.column("stddev_20");
    SeriesSet out;
    kZscoreReversion.series(bars.view(), out);
    ASSERT_EQ(out.series.size(), 1u);
    const auto& z = out.series[0].second;
    Workspace ws;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        if (std::isnan(sma[i])) {
            EXPECT_TRUE(std::isnan(z[i])) << i;
            continue;
        }
        const double expected = (bars.close[i] - sma[i]) / sd[i];
        EXPECT_TRUE(close_enough(z[i], expected)) << i << ": " << z[i] << " vs " << expected;
        ws.reset();
        const auto r = kZscoreReversion.evaluate(first_bars(bars, i + 1), ws);
        ASSERT_TRUE(well_formed(r));
        EXPECT_TRUE(close_enough(r.value("zscore"), expected)) << i;
        const Action want = expected <= -2.0  ? Action::kBuy
                            : expected >= 2.0 ? Action::kSell
                                              : Action::kHold;
        // Within rounding of the thresholds either side is right.
        if (std::abs(std::abs(expected) - 2.0) > 1e-6) {
            EXPECT_EQ(r.action, want) << i << " z " << expected;
        }
    }
    EXPECT_EQ(std::count_if(z.begin(), z.end(), [](double v) { return std::isnan(v); }), 19);
}

TEST_P(StatisticalReferenceTest, HighLow52wAreTaLibMaxMinOfThePrior252Bars) {
    const auto ref = ReferenceTable::load(GetParam() + "_talib.csv");
    const auto bars = test_bars::from_table(ReferenceTable::load(GetParam() + ".csv"));
    const auto& max_ref = ref.column("max_high_252");
    const auto& min_ref = ref.column("min_low_252");
    SeriesSet out;
    kHighLow52w.series(bars.view(), out);
    ASSERT_EQ(out.series.size(), 2u);
    const auto& hi = out.series[0].second;
    const auto& lo = out.series[1].second;
    std::size_t compared = 0;
    Workspace ws;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        if (i == 0 || std::isnan(max_ref[i - 1])) {
            EXPECT_TRUE(std::isnan(hi[i]) && std::isnan(lo[i])) << i;
            continue;
        }
        EXPECT_EQ(hi[i], max_ref[i - 1]) << i;
        EXPECT_EQ(lo[i], min_ref[i - 1]) << i;
        ws.reset();
        const auto r = kHighLow52w.evaluate(first_bars(bars, i + 1), ws);
        ASSERT_TRUE(well_formed(r));
        EXPECT_EQ(r.value("high_52w"), max_ref[i - 1]) << i;
        EXPECT_EQ(r.value("low_52w"), min_ref[i - 1]) << i;
        if (r.action == Action::kBuy) {
            EXPECT_GT(bars.close[i], max_ref[i - 1]);
        } else if (r.action == Action::kSell) {
            EXPECT_LT(bars.close[i], min_ref[i - 1]);
        }
        ++compared;
    }
    // finance.csv has 253 bars: only its last bar has 252 bars before it.
    EXPECT_EQ(compared, bars.size() > 252 ? bars.size() - 252 : 0u);
}

// Every bar of both files: results well formed, and the pivots and Fibonacci levels that
// evaluate() reports equal the series' values at that bar.
TEST_P(StatisticalReferenceTest, EvaluateIsWellFormedAndMatchesTheSeriesEverywhere) {
    const auto bars = test_bars::from_table(ReferenceTable::load(GetParam() + ".csv"));
    Workspace ws;
    for (const auto& a : all_agents()) {
        SeriesSet out;
        a.def->series(bars.view(), out);
        std::size_t buys = 0;
        std::size_t sells = 0;
        for (std::size_t end = a.min_bars; end <= bars.size(); ++end) {
            ws.reset();
            const auto r = a.def->evaluate(first_bars(bars, end), ws);
            ASSERT_TRUE(well_formed(r)) << a.def->name << " at " << end;
            for (std::size_t k = 0; k < a.keys.size(); ++k) {
                ASSERT_TRUE(close_enough(r.value(a.keys[k]), out.series[k].second[end - 1]))
                    << a.keys[k] << " at " << end;
            }
            buys += r.action == Action::kBuy ? 1 : 0;
            sells += r.action == Action::kSell ? 1 : 0;
        }
        if (GetParam() == "random_walk") {
            EXPECT_GT(buys, 0u) << a.def->name;
            EXPECT_GT(sells, 0u) << a.def->name;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(ReferenceFiles, StatisticalReferenceTest,
                         ::testing::Values("finance", "random_walk"));

// ---- zscore_reversion ---------------------------------------------------------------------

TEST(ZscoreReversionTest, BuysFarBelowTheMean) {
    BarsBuilder b;
    b.repeat(19, 100.0, 100.0, 100.0, 100.0);
    b.add(90.0, 90.0, 90.0, 90.0);
    // One outlier among 20: z = -sqrt(19) (mean 99.5, variance 4.75, (90 - 99.5) / 2.179).
    const auto r = run(kZscoreReversion, b);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_NEAR(r.value("zscore"), -std::sqrt(19.0), 1e-9);
    EXPECT_DOUBLE_EQ(r.confidence, 1.0);
}

TEST(ZscoreReversionTest, SellsFarAboveTheMean) {
    BarsBuilder b;
    b.repeat(19, 100.0, 100.0, 100.0, 100.0);
    b.add(110.0, 110.0, 110.0, 110.0);
    const auto r = run(kZscoreReversion, b);
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_NEAR(r.value("zscore"), std::sqrt(19.0), 1e-9);
    EXPECT_LT(r.score, 0.0);
}

TEST(ZscoreReversionTest, ConfidenceGrowsPastTheThreshold) {
    // 10 x 99 and 9 x 101 then x: mean (1899 + x) / 20; z(x) solved numerically is not needed,
    // only that a lower x gives a larger |z| and, past 2, a larger confidence.
    auto run_with = [](double x) {
        BarsBuilder b;
        for (int k = 0; k < 19; ++k) {
            const double p = k % 2 == 0 ? 99.0 : 101.0;
            b.add(p, p, p, p);
        }
        b.add(x, x, x, x);
        return run(kZscoreReversion, b);
    };
    const auto mild = run_with(96.0);
    const auto deep = run_with(94.0);
    ASSERT_EQ(mild.action, Action::kBuy) << mild.value("zscore");
    ASSERT_EQ(deep.action, Action::kBuy);
    EXPECT_LT(mild.confidence, deep.confidence);
    EXPECT_LT(mild.confidence, 1.0);
}

TEST(ZscoreReversionTest, HoldsNearTheMeanLeaningBack) {
    BarsBuilder b;
    for (int k = 0; k < 20; ++k) {
        const double p = k % 2 == 0 ? 99.0 : 101.0;
        b.add(p, p, p, p);
    }
    // Mean 100, population sd 1, last close 101: z = 1, lean -1/4, confidence 1 - 1/2.
    const auto r = run(kZscoreReversion, b);
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_NEAR(r.value("zscore"), 1.0, 1e-9);
    EXPECT_NEAR(r.score, -0.25, 1e-9);
    EXPECT_NEAR(r.confidence, 0.5, 1e-9);
}

// ---- pivot_points -------------------------------------------------------------------------
// Previous bar H 110, L 100, C 105: pivot 105, r1 110, s1 100, r2 115, s2 95.

BarsBuilder pivot_bars(double h, double l, double c) {
    BarsBuilder b;
    b.add(104.0, 110.0, 100.0, 105.0);
    b.add((h + l) / 2.0, h, l, c);
    return b;
}

TEST(PivotPointsTest, ReportsTheLevelsOfThePreviousBar) {
    const auto r = run(kPivotPoints, pivot_bars(107.0, 104.0, 106.0));
    EXPECT_DOUBLE_EQ(r.value("pivot"), 105.0);
    EXPECT_DOUBLE_EQ(r.value("r1"), 110.0);
    EXPECT_DOUBLE_EQ(r.value("s1"), 100.0);
    EXPECT_DOUBLE_EQ(r.value("r2"), 115.0);
    EXPECT_DOUBLE_EQ(r.value("s2"), 95.0);
}

TEST(PivotPointsTest, BuysABounceOffS1) {
    // Low 99 <= s1 100 < close 102.5: recovery (102.5 - 100) / (103 - 99) = 0.625.
    const auto r = run(kPivotPoints, pivot_bars(103.0, 99.0, 102.5));
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_NEAR(r.confidence, 0.3 + 0.5 * 0.625, 1e-12);
}

TEST(PivotPointsTest, BounceOffS2IsStronger) {
    // Low 94 <= s2 95 < close 96: recovery 1 / 3, plus 0.2 for the deeper level.
    const auto r = run(kPivotPoints, pivot_bars(97.0, 94.0, 96.0));
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_NEAR(r.confidence, 0.3 + 0.5 / 3.0 + 0.2, 1e-12);
}

TEST(PivotPointsTest, SellsARejectionAtR1) {
    // High 111 >= r1 110 > close 108: recovery 2 / 4.
    const auto r = run(kPivotPoints, pivot_bars(111.0, 107.0, 108.0));
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_NEAR(r.confidence, 0.55, 1e-12);
}

TEST(PivotPointsTest, HoldsOnABarSpanningSupportAndResistance) {
    const auto r = run(kPivotPoints, pivot_bars(111.0, 99.0, 105.0));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.score, 0.0);
    EXPECT_DOUBLE_EQ(r.confidence, 0.3);
}

TEST(PivotPointsTest, HoldsBetweenLevelsLeaningBySideOfPivot) {
    // Close 106: x = (106 - 105) / (110 - 105) = 0.2: lean 0.06, confidence 0.9.
    const auto r = run(kPivotPoints, pivot_bars(107.0, 104.0, 106.0));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_NEAR(r.score, 0.06, 1e-12);
    EXPECT_NEAR(r.confidence, 0.9, 1e-12);
}

TEST(PivotPointsTest, ClosingThroughSupportIsNoBounce) {
    const auto r = run(kPivotPoints, pivot_bars(96.0, 94.0, 94.5));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_NEAR(r.score, -0.3, 1e-12);
}

// ---- fibonacci ----------------------------------------------------------------------------
// 50 bars around p = 100 + k (up) or 149 - k (down), high p + 0.5, low p - 0.5: a swing from
// 99.5 to 149.5 (range 50). Up-swing levels: 149.5 - 19.1 = 130.4, 124.5, 149.5 - 30.9 = 118.6.
// Down-swing levels: 99.5 + 19.1 = 118.6, 124.5, 130.4.

BarsBuilder swing_bars(bool up) {
    BarsBuilder b;
    for (int k = 0; k < 50; ++k) {
        const double p = up ? 100.0 + k : 149.0 - k;
        b.add(p, p + 0.5, p - 0.5, p);
    }
    return b;
}

TEST(FibonacciAgentTest, BuysAnUpSwingHoldingTheFiftyPercentLevel) {
    auto b = swing_bars(true);
    b.add(125.0, 128.0, 124.0, 127.0);  // dips to 124 (< 124.5, > 118.6), closes 127
    const auto r = run(kFibonacci, b);
    EXPECT_NEAR(r.value("fib_382"), 130.4, 1e-9);
    EXPECT_NEAR(r.value("fib_500"), 124.5, 1e-9);
    EXPECT_NEAR(r.value("fib_618"), 118.6, 1e-9);
    EXPECT_EQ(r.action, Action::kBuy);
    // firmness (127 - 124.5) / (128 - 124) = 0.625
    EXPECT_NEAR(r.confidence, 0.3 + 0.7 * 0.625, 1e-9);
    EXPECT_NE(r.reason.str().find("50%"), std::string::npos) << r.reason;
}

TEST(FibonacciAgentTest, SellsADownSwingRejectedAtTheFiftyPercentLevel) {
    auto b = swing_bars(false);
    b.add(122.0, 125.0, 121.0, 122.0);
    const auto r = run(kFibonacci, b);
    EXPECT_NEAR(r.value("fib_382"), 118.6, 1e-9);
    EXPECT_NEAR(r.value("fib_618"), 130.4, 1e-9);
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_NEAR(r.confidence, 0.3 + 0.7 * 0.625, 1e-9);
}

TEST(FibonacciAgentTest, HoldsAtTheSwingHighLeaningWithTheTrend) {
    auto b = swing_bars(true);
    b.add(149.0, 150.0, 148.0, 149.5);  // retraced 0: x = 1, lean 0.3, confidence 0.5
    const auto r = run(kFibonacci, b);
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_NEAR(r.score, 0.3, 1e-9);
    EXPECT_NEAR(r.confidence, 0.5, 1e-9);
}

TEST(FibonacciAgentTest, ClosingBelowEveryLevelIsNoHold) {
    auto b = swing_bars(true);
    b.add(113.0, 114.0, 110.0, 112.0);  // retraced 37.5 / 50 = 0.75: x = -0.5, lean -0.15
    const auto r = run(kFibonacci, b);
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_NEAR(r.score, -0.15, 1e-9);
}

// ---- high_low_52w -------------------------------------------------------------------------
// 252 bars high 101, low 99, close 100, volume 1000, then the bar under test.

BarsBuilder range_bars(double h, double l, double c, double v) {
    BarsBuilder b;
    b.repeat(252, 100.0, 101.0, 99.0, 100.0, 1000.0);
    b.add(c, h, l, c, v);
    return b;
}

TEST(HighLow52wTest, BuysANewHighOnHeavyVolume) {
    const auto r = run(kHighLow52w, range_bars(102.5, 100.0, 102.0, 2000.0));
    EXPECT_EQ(r.value("high_52w"), 101.0);
    EXPECT_EQ(r.value("low_52w"), 99.0);
    ASSERT_EQ(r.action, Action::kBuy);
    // breakout (1 / 101) / 0.03; volume average (19 * 1000 + 2000) / 20 = 1050
    EXPECT_NEAR(r.confidence, 0.3 + 0.4 * (1.0 / 101.0 / 0.03) + 0.3 * (2000.0 / 1050.0 - 1.0),
                1e-9);
}

TEST(HighLow52wTest, SellsANewLowOnHeavyVolume) {
    const auto r = run(kHighLow52w, range_bars(100.0, 97.5, 98.0, 2000.0));
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_LT(r.score, 0.0);
}

TEST(HighLow52wTest, NewHighOnLightVolumeOnlyLeans) {
    const auto r = run(kHighLow52w, range_bars(102.5, 100.0, 102.0, 500.0));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_GT(r.score, 0.0);
    EXPECT_LT(r.score, 0.3);
}

TEST(HighLow52wTest, HoldsInsideTheRangeLeaningByPosition) {
    // Close 100.5 at 75 % of 99 - 101: x = 0.5, lean 0.15, confidence 0.75.
    const auto r = run(kHighLow52w, range_bars(100.8, 100.2, 100.5, 1000.0));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_NEAR(r.score, 0.15, 1e-9);
    EXPECT_NEAR(r.confidence, 0.75, 1e-9);
}

TEST(HighLow52wTest, ANewHighOnAZeroVolumeStretchIsNotConfirmed) {
    // No volume over the last 20 bars (a halt, an illiquid stretch): avg is 0 and v >= avg
    // held for v = 0, so the close above the range read as a confirmed breakout (BUY).
    BarsBuilder b;
    b.repeat(252, 100.0, 101.0, 99.0, 100.0, 0.0);
    b.add(102.0, 102.5, 100.0, 102.0, 0.0);
    const auto r = run(kHighLow52w, b);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_EQ(r.score, 0.0);
    BarsBuilder low;
    low.repeat(252, 100.0, 101.0, 99.0, 100.0, 0.0);
    low.add(98.0, 100.0, 97.5, 98.0, 0.0);
    EXPECT_EQ(run(kHighLow52w, low).action, Action::kHold);
}

TEST(HighLow52wTest, OnlyThePrior252BarsCount) {
    // A spike 253 bars back is outside the window: 102 is a new high.
    BarsBuilder b;
    b.add(100.0, 150.0, 99.0, 100.0, 1000.0);
    b.repeat(252, 100.0, 101.0, 99.0, 100.0, 1000.0);
    b.add(102.0, 102.5, 100.0, 102.0, 2000.0);
    const auto r = run(kHighLow52w, b);
    EXPECT_EQ(r.value("high_52w"), 101.0);
    EXPECT_EQ(r.action, Action::kBuy);
}

// ---- edge cases, every agent --------------------------------------------------------------

TEST(StatisticalAgentsTest, FlatPricesAndNoVolumeHoldWithoutNaN) {
    BarsBuilder b;
    b.repeat(300, 50.0, 50.0, 50.0, 50.0, 0.0);
    for (const auto& a : all_agents()) {
        const auto r = run(*a.def, b);
        EXPECT_EQ(r.action, Action::kHold) << a.def->name;
        EXPECT_DOUBLE_EQ(r.confidence, 1.0) << a.def->name;
        EXPECT_EQ(r.score, 0.0) << a.def->name;
        EXPECT_TRUE(well_formed(r)) << a.def->name;
        for (const auto key : a.keys) {
            EXPECT_FALSE(std::isnan(r.value(key))) << key;
        }
    }
}

TEST(StatisticalAgentsTest, SeriesHandleZeroOneAndFewBars) {
    for (std::size_t n : {0u, 1u, 3u, 25u}) {
        BarsBuilder b;
        b.rise(n, 100.0);
        for (const auto& a : all_agents()) {
            SeriesSet out;
            a.def->series(b.view(), out);
            ASSERT_EQ(out.series.size(), a.keys.size()) << a.def->name;
            for (std::size_t k = 0; k < a.keys.size(); ++k) {
                EXPECT_EQ(out.series[k].first, a.keys[k]);
                ASSERT_EQ(out.series[k].second.size(), n);
                if (n > 0) {
                    EXPECT_TRUE(std::isnan(out.series[k].second[0])) << a.keys[k];
                }
            }
        }
    }
}

TEST(StatisticalAgentsTest, EvaluateWorksAtExactlyMinBars) {
    for (const auto& a : all_agents()) {
        BarsBuilder b;
        b.rise(a.min_bars, 100.0);
        const auto r = run(*a.def, b);
        EXPECT_TRUE(well_formed(r)) << a.def->name;
        for (const auto key : a.keys) {
            EXPECT_FALSE(std::isnan(r.value(key))) << key;
        }
    }
}

TEST(StatisticalAgentsTest, GapsInTimeChangeNothing) {
    const auto all = test_bars::from_table(ReferenceTable::load("random_walk.csv"));
    const auto gapped = test_bars::with_gapped_times(all);
    ASSERT_NE(gapped.time.back(), all.time.back());
    Workspace ws;
    for (const auto& a : all_agents()) {
        for (std::size_t end = all.size() - 30; end <= all.size(); ++end) {
            ws.reset();
            const auto r1 = a.def->evaluate(first_bars(all, end), ws);
            ws.reset();
            const auto r2 = a.def->evaluate(first_bars(gapped, end), ws);
            EXPECT_EQ(r1.action, r2.action) << a.def->name;
            EXPECT_EQ(r1.confidence, r2.confidence) << a.def->name;
            EXPECT_EQ(r1.score, r2.score) << a.def->name;
            EXPECT_EQ(r1.reason, r2.reason) << a.def->name;
        }
    }
}

}  // namespace
}  // namespace gs::agents
