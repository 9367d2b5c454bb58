#include "goldensignals/indicators/emv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "goldensignals/indicators/core.h"

namespace gs::indicators {
namespace {

// TA-Lib has no EMV: the reference is the arithmetic below, worked by hand.
TEST(EmvTest, HandComputedBarsAndAverage) {
    // Bar 1: midpoint 9 -> 11, distance 2; box = (2e8 / 1e8) / (12 - 10) = 1; EMV 2.
    // Bar 2: same midpoint 11, distance 0; EMV 0.
    // Bar 3: midpoint 13, distance 2; box = (2e8 / 1e8) / (15 - 11) = 0.5; EMV 4.
    // SMA 2: bar 2 (2 + 0) / 2 = 1, bar 3 (0 + 4) / 2 = 2.
    const std::vector<double> high = {10, 12, 12, 15};
    const std::vector<double> low = {8, 10, 10, 11};
    const std::vector<double> volume = {1e8, 2e8, 1e8, 2e8};
    EXPECT_DOUBLE_EQ(emv_bar(12, 10, 10, 8, 2e8), 2.0);
    EXPECT_DOUBLE_EQ(emv_bar(15, 11, 12, 10, 2e8), 4.0);
    std::vector<double> out(4);
    emv(high, low, volume, 2, out);
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_DOUBLE_EQ(out[2], 1.0);
    EXPECT_DOUBLE_EQ(out[3], 2.0);
}

TEST(EmvTest, DownMoveIsNegativeAndDegenerateBarsAreZero) {
    // Midpoint 11 -> 9 on range 2 and volume 1e8: -2 x 2 / 1 = -4.
    EXPECT_DOUBLE_EQ(emv_bar(10, 8, 12, 10, 1e8), -4.0);
    EXPECT_DOUBLE_EQ(emv_bar(10, 10, 12, 10, 1e8), 0.0);  // no range
    EXPECT_DOUBLE_EQ(emv_bar(12, 10, 10, 8, 0.0), 0.0);   // no volume
}

TEST(EmvTest, LongSeriesMatchesANaiveAverage) {
    std::vector<double> high, low, volume;
    for (int i = 0; i < 60; ++i) {
        const double mid = 100.0 + 5.0 * std::sin(i * 0.3);
        high.push_back(mid + 1.0 + 0.1 * (i % 3));
        low.push_back(mid - 1.0);
        volume.push_back(1e6 * (1 + i % 4));
    }
    std::vector<double> out(60);
    emv(high, low, volume, 14, out);
    for (std::size_t i = 0; i < 60; ++i) {
        if (i < 14) {
            EXPECT_TRUE(std::isnan(out[i])) << i;
            continue;
        }
        double sum = 0.0;
        for (std::size_t j = i - 13; j <= i; ++j) {
            sum += emv_bar(high[j], low[j], high[j - 1], low[j - 1], volume[j]);
        }
        EXPECT_NEAR(out[i], sum / 14.0, 1e-9 * std::max(std::abs(sum), 1.0)) << i;
    }
}

}  // namespace
}  // namespace gs::indicators
