// The six candlestick agents: their series against TA-Lib's own CDL outputs, the evaluate()
// path against the same outputs on every bar, the BUY/SELL/HOLD rules on hand-built candles,
// and the edge cases (flat prices, few bars, gaps in time).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "agents/bars_builder.h"
#include "agents/category_lists.h"
#include "goldensignals/agents/agent.h"
#include "support/reference_data.h"

namespace gs::agents {

extern const AgentDef kCdlEngulfing;
extern const AgentDef kCdlHammer;
extern const AgentDef kCdlStar;
extern const AgentDef kCdlThreeSoldiersCrows;
extern const AgentDef kCdlHarami;
extern const AgentDef kCdlPiercingDarkCloud;

namespace {

using gs::testing::ReferenceTable;
using test_bars::BarsBuilder;
using test_bars::well_formed;

struct PatternAgent {
    const AgentDef* def;
    std::vector<std::string_view> keys;  // also the reference column names
    std::size_t min_bars;
};

std::vector<PatternAgent> all_agents() {
    return {
        {&kCdlEngulfing, {"cdl_engulfing"}, 13},
        {&kCdlHammer, {"cdl_hammer", "cdl_hangingman"}, 12},
        {&kCdlStar, {"cdl_morningstar", "cdl_eveningstar"}, 14},
        {&kCdlThreeSoldiersCrows, {"cdl_3whitesoldiers", "cdl_3blackcrows"}, 14},
        {&kCdlHarami, {"cdl_harami"}, 13},
        {&kCdlPiercingDarkCloud, {"cdl_piercing", "cdl_darkcloudcover"}, 13},
    };
}

AgentResult run(const AgentDef& def, const BarsBuilder& b) {
    Workspace ws;
    return def.evaluate(b.view(), ws);
}

// ---- the list -----------------------------------------------------------------------------

TEST(PatternAgentsTest, ListsTheSixAgentsInTableOrder) {
    const auto list = pattern_agents();
    ASSERT_EQ(list.size(), 6u);
    EXPECT_EQ(list[0]->name, "cdl_engulfing");
    EXPECT_EQ(list[1]->name, "cdl_hammer");
    EXPECT_EQ(list[2]->name, "cdl_star");
    EXPECT_EQ(list[3]->name, "cdl_three_soldiers_crows");
    EXPECT_EQ(list[4]->name, "cdl_harami");
    EXPECT_EQ(list[5]->name, "cdl_piercing_dark_cloud");
    for (const auto* def : list) {
        EXPECT_EQ(def->category, Category::kPattern) << def->name;
    }
}

TEST(PatternAgentsTest, MinBarsAreTaLibLookbackPlusTrendWindow) {
    for (const auto& a : all_agents()) {
        EXPECT_EQ(a.def->min_bars, a.min_bars) << a.def->name;
    }
}

// ---- against TA-Lib -----------------------------------------------------------------------

class PatternReferenceTest : public ::testing::TestWithParam<std::string> {};

// series() is TA-Lib's CDL output on every bar; NaN exactly where TA-Lib gives no value.
TEST_P(PatternReferenceTest, SeriesMatchTaLibOnEveryBar) {
    const auto ref = ReferenceTable::load(GetParam() + "_talib.csv");
    const auto bars = test_bars::from_table(ReferenceTable::load(GetParam() + ".csv"));
    for (const auto& a : all_agents()) {
        SeriesSet out;
        a.def->series(bars.view(), out);
        ASSERT_EQ(out.series.size(), a.keys.size()) << a.def->name;
        for (std::size_t k = 0; k < a.keys.size(); ++k) {
            EXPECT_EQ(out.series[k].first, a.keys[k]);
            const auto& ours = out.series[k].second;
            const auto& expected = ref.column(a.keys[k]);
            ASSERT_EQ(ours.size(), expected.size());
            std::size_t mismatches = 0;
            for (std::size_t i = 0; i < ours.size(); ++i) {
                const bool same =
                    std::isnan(expected[i]) ? std::isnan(ours[i]) : ours[i] == expected[i];
                mismatches += same ? 0 : 1;
            }
            EXPECT_EQ(mismatches, 0u) << a.keys[k] << " in " << GetParam();
        }
    }
}

// evaluate() reads only the newest bars; its pattern values must still be TA-Lib's at every
// bar of the synthetic series (where every pattern fires), and its action must follow them.
TEST_P(PatternReferenceTest, EvaluateAgreesWithTaLibAtEveryBar) {
    const auto ref = ReferenceTable::load(GetParam() + "_talib.csv");
    const auto all = test_bars::from_table(ReferenceTable::load(GetParam() + ".csv"));
    Workspace ws;
    for (const auto& a : all_agents()) {
        std::size_t buys = 0;
        std::size_t sells = 0;
        for (std::size_t end = a.def->min_bars; end <= all.size(); ++end) {
            ws.reset();
            const auto bars = all.view();
            const market::BarsView upto{bars.time.first(end),  bars.open.first(end),
                                        bars.high.first(end),  bars.low.first(end),
                                        bars.close.first(end), bars.volume.first(end)};
            const AgentResult r = a.def->evaluate(upto, ws);
            ASSERT_TRUE(well_formed(r)) << a.def->name << " at bar " << end - 1;
            double bull = 0.0;
            double bear = 0.0;
            for (const auto key : a.keys) {
                const double expected = ref.column(key)[end - 1];
                ASSERT_EQ(r.value(key), expected) << key << " at bar " << end - 1;
                bull = std::max(bull, expected);
                bear = std::min(bear, expected);
            }
            if (r.action == Action::kBuy) {
                ++buys;
                EXPECT_GT(bull, 0.0) << a.def->name << " BUY without a bullish pattern";
            } else if (r.action == Action::kSell) {
                ++sells;
                EXPECT_LT(bear, 0.0) << a.def->name << " SELL without a bearish pattern";
            } else {
                EXPECT_EQ(r.action, Action::kHold) << a.def->name;
            }
            // Outside the hammer's trend gate every pattern is acted on.
            if (a.def != &kCdlHammer) {
                EXPECT_EQ(r.action == Action::kBuy, bull > 0.0) << a.def->name << " " << end;
                EXPECT_EQ(r.action == Action::kSell, bear < 0.0) << a.def->name << " " << end;
            }
        }
        if (GetParam() == "random_walk") {
            EXPECT_GT(buys, 0u) << a.def->name;
            EXPECT_GT(sells, 0u) << a.def->name;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(ReferenceFiles, PatternReferenceTest,
                         ::testing::Values("finance", "random_walk"));

// ---- cdl_engulfing ------------------------------------------------------------------------

TEST(CdlEngulfingTest, BuysABullishEngulfingAfterAFall) {
    BarsBuilder b;
    b.fall(13, 120.0);                  // last: open 114, close 113.5
    b.add(113.4, 114.3, 113.3, 114.2);  // white body 0.8 engulfing 0.5
    const auto r = run(kCdlEngulfing, b);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_EQ(r.value("cdl_engulfing"), 100.0);
    // engulf = (0.8 / 0.5 - 1) / 2 = 0.3; setup = 1 (fell 5 over ranges of 0.7): 0.3 + 0.09 +
    // 0.3 + 0.1
    EXPECT_NEAR(r.confidence, 0.79, 1e-9);
    EXPECT_TRUE(well_formed(r));
}

TEST(CdlEngulfingTest, SellsABearishEngulfingAfterARise) {
    BarsBuilder b;
    b.rise(13, 100.0);  // last: open 106, close 106.5
    b.add(106.6, 106.7, 105.7, 105.8);
    const auto r = run(kCdlEngulfing, b);
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_EQ(r.value("cdl_engulfing"), -100.0);
    EXPECT_LT(r.score, 0.0);
    EXPECT_TRUE(well_formed(r));
}

TEST(CdlEngulfingTest, SharedEndScoresEightyAndLessConfidence) {
    BarsBuilder strict;
    strict.fall(13, 120.0);
    strict.add(113.4, 114.3, 113.3, 114.2);
    BarsBuilder shared;
    shared.fall(13, 120.0);
    shared.add(113.5, 114.3, 113.3, 114.2);  // opens exactly at the previous close
    const auto a = run(kCdlEngulfing, strict);
    const auto r = run(kCdlEngulfing, shared);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_EQ(r.value("cdl_engulfing"), 80.0);
    EXPECT_LT(r.confidence, a.confidence);
}

TEST(CdlEngulfingTest, PatternAgainstNoTrendIsWeaker) {
    BarsBuilder after_fall;
    after_fall.fall(13, 120.0);
    after_fall.add(113.4, 114.3, 113.3, 114.2);
    // The same two candles after a rise: no downtrend for them to reverse.
    BarsBuilder after_rise;
    after_rise.rise(11, 108.5);  // ends at 114
    after_rise.add(114.0, 114.1, 113.4, 113.5);
    after_rise.add(113.4, 114.3, 113.3, 114.2);
    const auto strong = run(kCdlEngulfing, after_fall);
    const auto weak = run(kCdlEngulfing, after_rise);
    ASSERT_EQ(weak.action, Action::kBuy);
    EXPECT_LT(weak.confidence, strong.confidence - 0.25);
}

TEST(CdlEngulfingTest, HoldsWithoutAPatternAndLeansAfterARecentOne) {
    BarsBuilder none;
    none.fall(15, 120.0);
    const auto flat = run(kCdlEngulfing, none);
    EXPECT_EQ(flat.action, Action::kHold);
    EXPECT_EQ(flat.score, 0.0);
    EXPECT_EQ(flat.value("cdl_engulfing"), 0.0);

    BarsBuilder recent;
    recent.fall(13, 120.0);
    recent.add(113.4, 114.3, 113.3, 114.2);
    recent.add(114.2, 114.4, 114.1, 114.3);  // a plain white candle after the engulfing
    const auto r = run(kCdlEngulfing, recent);
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_NEAR(r.score, 0.2, 1e-12);  // 0.25 * (1 - 1/5)
    EXPECT_LT(r.confidence, flat.confidence);
}

// ---- cdl_hammer ---------------------------------------------------------------------------

TEST(CdlHammerTest, BuysAHammerAfterAFall) {
    BarsBuilder b;
    b.fall(12, 120.0);                  // last low 113.4
    b.add(113.3, 113.5, 112.3, 113.5);  // body 0.2, lower shadow 1.0, no upper shadow
    const auto r = run(kCdlHammer, b);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_EQ(r.value("cdl_hammer"), 100.0);
    EXPECT_EQ(r.value("cdl_hangingman"), 0.0);
    // shape = (1.0 / 1.2 - 0.5) / 0.4 = 0.8333; context = 1: 0.3 + 0.2917 + 0.35
    EXPECT_NEAR(r.confidence, 0.3 + 0.35 * (1.0 / 1.2 - 0.5) / 0.4 + 0.35, 1e-9);
    EXPECT_TRUE(well_formed(r));
}

TEST(CdlHammerTest, SellsAHangingManAfterARise) {
    BarsBuilder b;
    b.rise(12, 100.0);  // last high 106.1
    b.add(106.2, 106.4, 105.2, 106.4);
    const auto r = run(kCdlHammer, b);
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_EQ(r.value("cdl_hangingman"), -100.0);
    EXPECT_EQ(r.value("cdl_hammer"), 0.0);
    EXPECT_TRUE(well_formed(r));
}

TEST(CdlHammerTest, HammerShapeWithoutAFallOnlyLeans) {
    BarsBuilder b;
    b.repeat(12, 100.0, 100.6, 99.9, 100.5);
    b.add(99.8, 100.0, 98.8, 100.0);
    const auto r = run(kCdlHammer, b);
    EXPECT_EQ(r.value("cdl_hammer"), 100.0);
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_GT(r.score, 0.0);
    EXPECT_LT(r.score, 0.2 + 1e-12);
}

TEST(CdlHammerTest, HoldsWithoutTheCandle) {
    BarsBuilder b;
    b.fall(14, 120.0);
    const auto r = run(kCdlHammer, b);
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.value("cdl_hammer"), 0.0);
    EXPECT_EQ(r.value("cdl_hangingman"), 0.0);
}

// ---- cdl_star -----------------------------------------------------------------------------

TEST(CdlStarTest, BuysAMorningStar) {
    BarsBuilder b;
    b.fall(12, 120.0);
    b.add(114.0, 114.1, 112.4, 112.5);  // long black
    b.add(112.2, 112.3, 112.0, 112.1);  // small body gapping down
    b.add(112.2, 113.6, 112.1, 113.5);  // white, closing 2/3 into the first body
    const auto r = run(kCdlStar, b);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_EQ(r.value("cdl_morningstar"), 100.0);
    // reach = (1.0 / 1.5 - 0.3) / 0.7; setup = 1
    EXPECT_NEAR(r.confidence, 0.3 + 0.35 * ((1.0 / 1.5 - 0.3) / 0.7) + 0.35, 1e-9);
}

TEST(CdlStarTest, SellsAnEveningStar) {
    BarsBuilder b;
    b.rise(12, 100.0);
    b.add(106.0, 107.6, 105.9, 107.5);
    b.add(107.8, 108.0, 107.7, 107.9);
    b.add(107.8, 107.9, 106.4, 106.5);
    const auto r = run(kCdlStar, b);
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_EQ(r.value("cdl_eveningstar"), -100.0);
    EXPECT_TRUE(well_formed(r));
}

TEST(CdlStarTest, ShallowThirdCandleGivesNoStar) {
    BarsBuilder b;
    b.fall(12, 120.0);
    b.add(114.0, 114.1, 112.4, 112.5);
    b.add(112.2, 112.3, 112.0, 112.1);
    b.add(112.2, 112.9, 112.1, 112.8);  // closes only 20 % into the first body (< 30 %)
    const auto r = run(kCdlStar, b);
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.value("cdl_morningstar"), 0.0);
}

// ---- cdl_three_soldiers_crows -------------------------------------------------------------

TEST(CdlThreeSoldiersCrowsTest, BuysThreeWhiteSoldiers) {
    BarsBuilder b;
    b.fall(12, 120.0);
    b.add(114.0, 114.81, 113.9, 114.8);
    b.add(114.5, 115.71, 114.4, 115.7);
    b.add(115.2, 116.61, 115.1, 116.6);
    const auto r = run(kCdlThreeSoldiersCrows, b);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_EQ(r.value("cdl_3whitesoldiers"), 100.0);
    const double solidity = (0.8 / 0.91 + 1.2 / 1.31 + 1.4 / 1.51) / 3.0;
    EXPECT_NEAR(r.confidence, 0.3 + 0.4 * solidity + 0.3, 1e-9);
}

TEST(CdlThreeSoldiersCrowsTest, SellsThreeBlackCrows) {
    BarsBuilder b;
    b.rise(12, 100.0);  // last white candle's high 106.1
    b.add(106.0, 106.1, 105.19, 105.2);
    b.add(105.6, 105.7, 104.39, 104.4);
    b.add(104.8, 104.9, 103.59, 103.6);
    const auto r = run(kCdlThreeSoldiersCrows, b);
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_EQ(r.value("cdl_3blackcrows"), -100.0);
    EXPECT_TRUE(well_formed(r));
}

TEST(CdlThreeSoldiersCrowsTest, HoldsOnAnOrdinaryFall) {
    BarsBuilder b;
    b.fall(16, 120.0);
    const auto r = run(kCdlThreeSoldiersCrows, b);
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.value("cdl_3blackcrows"), 0.0);
}

// ---- cdl_harami ---------------------------------------------------------------------------

TEST(CdlHaramiTest, BuysABullishHarami) {
    BarsBuilder b;
    b.fall(12, 120.0);
    b.add(114.0, 114.1, 112.4, 112.5);  // long black, body 1.5
    b.add(112.9, 113.2, 112.8, 113.1);  // small white inside it, body 0.2
    const auto r = run(kCdlHarami, b);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_EQ(r.value("cdl_harami"), 100.0);
    // inside = 1 - 0.2 / 1.5; setup = 1
    EXPECT_NEAR(r.confidence, 0.3 + 0.3 * (1.0 - 0.2 / 1.5) + 0.3 + 0.1, 1e-9);
}

TEST(CdlHaramiTest, SellsABearishHarami) {
    BarsBuilder b;
    b.rise(12, 100.0);
    b.add(106.0, 107.6, 105.9, 107.5);
    b.add(107.1, 107.2, 106.8, 106.9);
    const auto r = run(kCdlHarami, b);
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_EQ(r.value("cdl_harami"), -100.0);
}

TEST(CdlHaramiTest, HoldsWhenTheSecondBodyIsNotInside) {
    BarsBuilder b;
    b.fall(12, 120.0);
    b.add(114.0, 114.1, 112.4, 112.5);
    b.add(112.3, 112.6, 112.1, 112.5);  // small, but below the first body
    const auto r = run(kCdlHarami, b);
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.value("cdl_harami"), 0.0);
}

// ---- cdl_piercing_dark_cloud --------------------------------------------------------------

TEST(CdlPiercingDarkCloudTest, BuysAPiercingLine) {
    BarsBuilder b;
    b.fall(12, 120.0);
    b.add(114.0, 114.1, 112.4, 112.5);  // long black, low 112.4
    b.add(112.3, 113.9, 112.2, 113.5);  // opens below its low, closes 2/3 into its body
    const auto r = run(kCdlPiercingDarkCloud, b);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_EQ(r.value("cdl_piercing"), 100.0);
    EXPECT_NEAR(r.confidence, 0.3 + 0.35 * ((1.0 / 1.5 - 0.5) / 0.5) + 0.35, 1e-9);
}

TEST(CdlPiercingDarkCloudTest, SellsADarkCloudCover) {
    BarsBuilder b;
    b.rise(12, 100.0);
    b.add(106.0, 107.6, 105.9, 107.5);  // long white, high 107.6
    b.add(107.7, 107.8, 106.4, 106.5);
    const auto r = run(kCdlPiercingDarkCloud, b);
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_EQ(r.value("cdl_darkcloudcover"), -100.0);
    EXPECT_TRUE(well_formed(r));
}

TEST(CdlPiercingDarkCloudTest, HoldsWhenTheCloseStaysBelowTheMidpoint) {
    BarsBuilder b;
    b.fall(12, 120.0);
    b.add(114.0, 114.1, 112.4, 112.5);
    b.add(112.3, 113.2, 112.2, 113.1);  // 40 % into the body: not a piercing line
    const auto r = run(kCdlPiercingDarkCloud, b);
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.value("cdl_piercing"), 0.0);
}

// ---- edge cases, every agent --------------------------------------------------------------

TEST(PatternAgentsTest, FlatPricesHoldWithoutNaN) {
    BarsBuilder b;
    b.repeat(60, 50.0, 50.0, 50.0, 50.0, 0.0);
    for (const auto& a : all_agents()) {
        const auto r = run(*a.def, b);
        EXPECT_EQ(r.action, Action::kHold) << a.def->name;
        EXPECT_TRUE(well_formed(r)) << a.def->name;
        EXPECT_FALSE(std::isnan(r.confidence)) << a.def->name;
        for (const auto key : a.keys) {
            EXPECT_EQ(r.value(key), 0.0) << key;
        }
    }
}

TEST(PatternAgentsTest, SeriesHandleZeroOneAndFewBars) {
    for (std::size_t n : {0u, 1u, 3u, 12u}) {
        BarsBuilder b;
        b.fall(n, 100.0);
        for (const auto& a : all_agents()) {
            SeriesSet out;
            a.def->series(b.view(), out);
            ASSERT_EQ(out.series.size(), a.keys.size());
            for (const auto& [key, values] : out.series) {
                ASSERT_EQ(values.size(), n) << key;
                if (n > 0) {
                    EXPECT_TRUE(std::isnan(values.front())) << key << " is warm-up at bar 0";
                }
            }
        }
    }
}

TEST(PatternAgentsTest, EvaluateWorksAtExactlyMinBars) {
    for (const auto& a : all_agents()) {
        BarsBuilder cut;
        cut.fall(a.min_bars, 120.0);
        const auto r = run(*a.def, cut);
        EXPECT_TRUE(well_formed(r)) << a.def->name;
        for (const auto key : a.keys) {
            EXPECT_FALSE(std::isnan(r.value(key))) << key;
        }
    }
}

TEST(PatternAgentsTest, GapsInTimeChangeNothing) {
    const auto all = test_bars::from_table(ReferenceTable::load("random_walk.csv"));
    const auto gapped = test_bars::with_gapped_times(all);
    ASSERT_NE(gapped.time.back(), all.time.back());
    for (const auto& a : all_agents()) {
        const auto r1 = run(*a.def, all);
        const auto r2 = run(*a.def, gapped);
        EXPECT_EQ(r1.action, r2.action) << a.def->name;
        EXPECT_EQ(r1.confidence, r2.confidence) << a.def->name;
        EXPECT_EQ(r1.score, r2.score) << a.def->name;
        EXPECT_EQ(r1.reason, r2.reason) << a.def->name;
    }
}

}  // namespace
}  // namespace gs::agents
