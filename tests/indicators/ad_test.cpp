#include "goldensignals/indicators/ad.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "indicators/flow_reference_util.h"

namespace gs::indicators {
namespace {

using flow_test::expect_matches;
using flow_test::load_ref;

TEST(AdTest, MatchesTaLibAd) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = load_ref(name);
        std::vector<double> out(ref.size());
        ad(ref.high, ref.low, ref.close, ref.volume, out);
        expect_matches(out, ref.talib.column("ad"), 0, 1e-6, 1.0);
    }
}

// The per-bar money-flow volume (also the numerator of CMF) is exactly TA_AD's increment.
TEST(AdTest, MoneyFlowVolumeIsTheIncrementOfTaLibsAdLine) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = load_ref(name);
        const auto& line = ref.talib.column("ad");
        for (std::size_t i = 0; i < ref.size(); ++i) {
            const double before = i == 0 ? 0.0 : line[i - 1];
            // The CSV keeps 10 significant digits of each A/D value.
            const double tol = 1e-9 * (std::abs(line[i]) + std::abs(before)) + 1e-6;
            EXPECT_NEAR(money_flow_volume(ref.high[i], ref.low[i], ref.close[i], ref.volume[i]),
                        line[i] - before, tol)
                << "row " << i;
        }
    }
}

TEST(AdTest, MatchesTaLibAdosc3And10) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = load_ref(name);
        std::vector<double> out(ref.size());
        adosc(ref.high, ref.low, ref.close, ref.volume, 3, 10, out);
        expect_matches(out, ref.talib.column("adosc"), 9, 1e-6, 1.0);
    }
}

TEST(AdTest, HandComputedMoneyFlowVolume) {
    // Close at the high: +volume; at the low: -volume; at mid-range: 0;
    // close 11 in 10..14: ((1) - (3)) / 4 = -0.5 of the volume; no range: nothing.
    EXPECT_DOUBLE_EQ(money_flow_volume(12, 10, 12, 100), 100.0);
    EXPECT_DOUBLE_EQ(money_flow_volume(12, 10, 10, 100), -100.0);
    EXPECT_DOUBLE_EQ(money_flow_volume(12, 10, 11, 100), 0.0);
    EXPECT_DOUBLE_EQ(money_flow_volume(14, 10, 11, 100), -50.0);
    EXPECT_DOUBLE_EQ(money_flow_volume(10, 10, 10, 100), 0.0);
}

TEST(AdTest, AdoscSeedsBothEmasWithTheFirstAdValue) {
    // A/D: bar 0 +100, bar 1 +100 (200), bar 2 -50 (150). EMA 2 (k = 2/3) and EMA 3 (k = 1/2),
    // both seeded with 100 at bar 0:
    //   bar 1: fast 100 + (200 - 100) * 2/3 = 166.67, slow 100 + (200 - 100) / 2 = 150
    //   bar 2: fast 166.67 + (150 - 166.67) * 2/3 = 155.56, slow 150 + 0 = 150
    // lookback 2: only bar 2 is reported, 155.56 - 150 = 5.56 (= 50/9).
    const std::vector<double> high = {12, 12, 14};
    const std::vector<double> low = {10, 10, 10};
    const std::vector<double> close = {12, 12, 11};
    const std::vector<double> volume = {100, 100, 100};
    std::vector<double> out(3);
    adosc(high, low, close, volume, 2, 3, out);
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_NEAR(out[2], 50.0 / 9.0, 1e-12);
}

}  // namespace
}  // namespace gs::indicators
