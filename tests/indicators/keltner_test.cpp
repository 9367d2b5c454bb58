#include "goldensignals/indicators/keltner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "indicators/flow_reference_util.h"

namespace gs::indicators {
namespace {

using flow_test::expect_matches;
using flow_test::load_ref;

// TA-Lib has no Keltner Channel; it composes from TA_EMA and TA_ATR: middle = ema_20,
// bands = ema_20 +/- 2 x atr_10 (and 1.5 x atr_20 for the squeeze's channel).
TEST(KeltnerTest, ComposesFromTaLibEmaAndAtrColumns) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = load_ref(name);
        const std::size_t n = ref.size();
        const auto& ema20 = ref.talib.column("ema_20");
        for (const auto& [atr_period, atr_column, mult] :
             {std::tuple{10, "atr_10", 2.0}, std::tuple{20, "atr_20", 1.5}}) {
            SCOPED_TRACE(atr_column);
            const auto& atr = ref.talib.column(atr_column);
            std::vector<double> up_ref(n), low_ref(n);
            for (std::size_t i = 0; i < n; ++i) {
                up_ref[i] = ema20[i] + mult * atr[i];
                low_ref[i] = ema20[i] - mult * atr[i];
            }
            std::vector<double> upper(n), middle(n), lower(n);
            keltner(ref.high, ref.low, ref.close, 20, atr_period, mult, upper, middle, lower);
            const std::size_t lookback =
                atr_period > 19 ? static_cast<std::size_t>(atr_period) : 19;
            expect_matches(upper, up_ref, lookback);
            expect_matches(lower, low_ref, lookback);
            // The middle line is the EMA itself, defined from bar 19 whatever the ATR does.
            expect_matches(middle, ema20, 19);
        }
    }
}

TEST(KeltnerTest, HandComputedChannel) {
    // EMA 2 over closes 10, 12, 11: seed (10 + 12) / 2 = 11 at bar 1, then
    // 11 + (11 - 11) * 2/3 = 11 at bar 2. True ranges (h-l when the previous close is inside):
    // bar 1: max(13, 10) - min(11, 10) = 3; bar 2: max(12, 12) - min(10, 12) = 2.
    // ATR 2 first at bar 2 = (3 + 2) / 2 = 2.5. Channel at bar 2: 11 +/- 2 x 2.5.
    const std::vector<double> high = {11, 13, 12};
    const std::vector<double> low = {9, 11, 10};
    const std::vector<double> close = {10, 12, 11};
    std::vector<double> upper(3), middle(3), lower(3);
    keltner(high, low, close, 2, 2, 2.0, upper, middle, lower);
    EXPECT_TRUE(std::isnan(upper[1]));
    EXPECT_DOUBLE_EQ(middle[1], 11.0);
    EXPECT_DOUBLE_EQ(middle[2], 11.0);
    EXPECT_DOUBLE_EQ(upper[2], 16.0);
    EXPECT_DOUBLE_EQ(lower[2], 6.0);
}

TEST(KeltnerTest, FlatPricesGiveZeroWidth) {
    const std::vector<double> flat(25, 50.0);
    std::vector<double> upper(25), middle(25), lower(25);
    keltner(flat, flat, flat, 20, 10, 2.0, upper, middle, lower);
    EXPECT_DOUBLE_EQ(upper[24], 50.0);
    EXPECT_DOUBLE_EQ(lower[24], 50.0);
}

}  // namespace
}  // namespace gs::indicators
