#include "goldensignals/indicators/candles.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <iostream>
#include <string>
#include <vector>

#include "support/reference_data.h"

namespace gs::indicators {
namespace {

using gs::testing::ReferenceTable;

using CdlFn = void (*)(const Candles&, std::span<double>);

struct CdlCase {
    const char* column;
    CdlFn fn;
    int lookback;
};

// The penetration parameters the reference was generated with (0.3 for the stars, 0.5 for
// the dark cloud cover), as the agents use them.
void morning_star_03(const Candles& c, std::span<double> out) {
    cdl_morning_star(c, 0.3, out);
}
void evening_star_03(const Candles& c, std::span<double> out) {
    cdl_evening_star(c, 0.3, out);
}
void dark_cloud_05(const Candles& c, std::span<double> out) {
    cdl_dark_cloud_cover(c, 0.5, out);
}

const CdlCase kCases[] = {
    {"cdl_engulfing", cdl_engulfing, kCdlEngulfingLookback},
    {"cdl_hammer", cdl_hammer, kCdlHammerLookback},
    {"cdl_hangingman", cdl_hanging_man, kCdlHangingManLookback},
    {"cdl_morningstar", morning_star_03, kCdlMorningStarLookback},
    {"cdl_eveningstar", evening_star_03, kCdlEveningStarLookback},
    {"cdl_3whitesoldiers", cdl_3_white_soldiers, kCdl3WhiteSoldiersLookback},
    {"cdl_3blackcrows", cdl_3_black_crows, kCdl3BlackCrowsLookback},
    {"cdl_harami", cdl_harami, kCdlHaramiLookback},
    {"cdl_piercing", cdl_piercing, kCdlPiercingLookback},
    {"cdl_darkcloudcover", dark_cloud_05, kCdlDarkCloudCoverLookback},
};

class CandlesReferenceTest : public ::testing::TestWithParam<std::string> {};

// Every bar of TA-Lib's own output, warm-up included, must match exactly.
TEST_P(CandlesReferenceTest, MatchesTaLibOnEveryBar) {
    const std::string name = GetParam();
    const auto bars = ReferenceTable::load(name + ".csv");
    const auto ref = ReferenceTable::load(name + "_talib.csv");
    ASSERT_EQ(bars.rows(), ref.rows());
    const Candles candles{bars.column("open"), bars.column("high"), bars.column("low"),
                          bars.column("close")};
    std::vector<double> out(bars.rows());
    for (const auto& cdl : kCases) {
        SCOPED_TRACE(cdl.column);
        const auto& expected = ref.column(cdl.column);
        cdl.fn(candles, out);
        std::size_t hits = 0;
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < out.size(); ++i) {
            if (std::isnan(expected[i])) {
                EXPECT_TRUE(std::isnan(out[i])) << "bar " << i;
                EXPECT_LT(i, static_cast<std::size_t>(cdl.lookback)) << "bar " << i;
                continue;
            }
            EXPECT_GE(i, static_cast<std::size_t>(cdl.lookback)) << "bar " << i;
            if (out[i] != expected[i]) {
                ++mismatches;
                ADD_FAILURE() << "bar " << i << ": ours " << out[i] << ", TA-Lib " << expected[i];
            }
            hits += expected[i] != 0.0 ? 1 : 0;
        }
        EXPECT_EQ(mismatches, 0u);
        std::cout << "[ candles  ] " << name << " " << cdl.column << ": " << hits
                  << " nonzero TA-Lib bars matched\n";
        RecordProperty(std::string(cdl.column) + "_hits", static_cast<int>(hits));
    }
}

INSTANTIATE_TEST_SUITE_P(ReferenceFiles, CandlesReferenceTest,
                         ::testing::Values("finance", "random_walk"));

// The reference would not catch a pattern that never fires in it: the synthetic file is
// tuned so that every one of them does.
TEST(CandlesReferenceTest, EveryPatternFiresInTheSyntheticReference) {
    const auto ref = ReferenceTable::load("random_walk_talib.csv");
    for (const auto& cdl : kCases) {
        std::size_t hits = 0;
        for (double v : ref.column(cdl.column)) {
            hits += !std::isnan(v) && v != 0.0 ? 1 : 0;
        }
        EXPECT_GE(hits, 3u) << cdl.column;
    }
}

// Fewer bars than the lookback: all NaN, and no out-of-range reads (run under ASan).
TEST(CandlesTest, ShortInputsAreAllWarmUp) {
    for (std::size_t n : {0u, 1u, 2u, 5u, 11u}) {
        std::vector<double> o(n, 10.0), h(n, 11.0), l(n, 9.0), c(n, 10.5);
        const Candles candles{o, h, l, c};
        std::vector<double> out(n, 0.0);
        for (const auto& cdl : kCases) {
            cdl.fn(candles, out);
            for (std::size_t i = 0; i < n; ++i) {
                if (i < static_cast<std::size_t>(cdl.lookback)) {
                    EXPECT_TRUE(std::isnan(out[i])) << cdl.column << " n=" << n << " i=" << i;
                } else {
                    EXPECT_FALSE(std::isnan(out[i])) << cdl.column << " n=" << n << " i=" << i;
                }
            }
        }
    }
}

// Flat prices: every candle is a zero-range doji; nothing fires and nothing is NaN after
// the warm-up.
TEST(CandlesTest, FlatPricesGiveNoPattern) {
    const std::size_t n = 40;
    std::vector<double> p(n, 50.0);
    const Candles candles{p, p, p, p};
    std::vector<double> out(n);
    for (const auto& cdl : kCases) {
        cdl.fn(candles, out);
        for (std::size_t i = static_cast<std::size_t>(cdl.lookback); i < n; ++i) {
            EXPECT_EQ(out[i], 0.0) << cdl.column << " bar " << i;
        }
    }
}

// Computing over the newest bars only equals TA-Lib started later: the pattern values at the
// end of the series do not change.
TEST(CandlesTest, TailViewGivesTheSameLatestValues) {
    const auto bars = ReferenceTable::load("random_walk.csv");
    const auto& o = bars.column("open");
    const auto& h = bars.column("high");
    const auto& l = bars.column("low");
    const auto& c = bars.column("close");
    const Candles full{o, h, l, c};
    std::vector<double> all(bars.rows());
    const std::size_t tail = 40;
    const std::size_t from = bars.rows() - tail;
    const Candles last{std::span(o).subspan(from), std::span(h).subspan(from),
                       std::span(l).subspan(from), std::span(c).subspan(from)};
    std::vector<double> part(tail);
    for (const auto& cdl : kCases) {
        cdl.fn(full, all);
        cdl.fn(last, part);
        for (std::size_t k = static_cast<std::size_t>(cdl.lookback); k < tail; ++k) {
            EXPECT_EQ(part[k], all[from + k]) << cdl.column << " bar " << from + k;
        }
    }
}

// A CandleAverage builds its sum on first use, replaying the advances made before it. Read first
// at any bar, it gives the same bits as one read on every bar since it started (the running
// sum TA-Lib keeps), for every kind of setting.
TEST(CandleAverageTest, AnAverageReadLateEqualsOneReadOnEveryBar) {
    const auto bars = ReferenceTable::load("random_walk.csv");
    const Candles candles{bars.column("open"), bars.column("high"), bars.column("low"),
                          bars.column("close")};
    namespace cs = candle_settings;
    const CandleSetting settings[] = {cs::kBodyLong,    cs::kBodyDoji,        cs::kShadowLong,
                                      cs::kShadowShort, cs::kShadowVeryShort, cs::kNear};
    const std::size_t start = 12;
    ASSERT_GT(candles.size(), start + 200);
    std::size_t compared = 0;
    for (const auto& setting : settings) {
        std::vector<double> every_bar;
        CandleAverage eager(candles, setting, start);
        for (std::size_t i = start; i < candles.size(); ++i) {
            every_bar.push_back(eager.value());
            eager.advance();
        }
        for (const std::size_t first_read : {0u, 1u, 7u, 150u}) {
            CandleAverage lazy(candles, setting, start);
            for (std::size_t k = 0; k < every_bar.size(); ++k) {
                if (k >= first_read) {
                    ASSERT_EQ(lazy.value(), every_bar[k])
                        << "range type " << static_cast<int>(setting.range_type) << ", first read "
                        << first_read << ", bar " << start + k;
                    ++compared;
                }
                lazy.advance();
            }
        }
    }
    EXPECT_GT(compared, 1000u);
}

}  // namespace
}  // namespace gs::indicators
