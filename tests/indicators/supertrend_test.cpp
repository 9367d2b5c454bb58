#include "goldensignals/indicators/supertrend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

// TA-Lib has no SuperTrend; this series is worked by hand with ATR 2, multiplier 1.
//   bar  high  low  close  TR    ATR(2)  hl2   basic up/low     final up/low   dir  line
//   0    11    9    10     -     -       -
//   1    12    10   11     2     -       -
//   2    13    11   12     2     2       12    14 / 10          14 / 10        +1   10
//   3    12    10   10.5   2     2       11    13 / 9           13 / 10 (a)    +1   10
//   4    10    8    8.5    2.5   2.25    9     11.25 / 6.75     11.25 / 10     -1 (b) 11.25
//   5    9     7    7.5    2     2.125   8     10.125 / 5.875   10.125 / 5.875 (c) -1 10.125
//   6    13    11   12.5   5.5   3.8125  12    15.8125 / 8.1875 10.125 / 8.1875 +1 (d) 8.1875
// (a) 9 < 10 and close[2] = 12 >= 10: the lower band keeps 10.
// (b) close 8.5 < previous lower 10: the trend turns down.
// (c) close[4] = 8.5 < previous lower 10: the lower band resets to its basic value.
// (d) close 12.5 > previous upper 10.125: the trend turns up.
const std::vector<double> kHigh = {11, 12, 13, 12, 10, 9, 13};
const std::vector<double> kLow = {9, 10, 11, 10, 8, 7, 11};
const std::vector<double> kClose = {10, 11, 12, 10.5, 8.5, 7.5, 12.5};

TEST(SupertrendTest, MatchesHandWorkedSeries) {
    std::vector<double> line(7), dir(7);
    supertrend(kHigh, kLow, kClose, 2, 1.0, line, dir);
    const double expected_line[] = {kNaN, kNaN, 10, 10, 11.25, 10.125, 8.1875};
    const double expected_dir[] = {kNaN, kNaN, 1, 1, -1, -1, 1};
    for (std::size_t i = 0; i < 7; ++i) {
        SCOPED_TRACE(i);
        if (std::isnan(expected_line[i])) {
            EXPECT_TRUE(std::isnan(line[i]));
            EXPECT_TRUE(std::isnan(dir[i]));
        } else {
            EXPECT_DOUBLE_EQ(line[i], expected_line[i]);
            EXPECT_EQ(dir[i], expected_dir[i]);
        }
    }
}

TEST(SupertrendTest, UsesTaLibAtrOnTheReferenceData) {
    // The ATR feeding the bands is TA_ATR 10; check that and the band arithmetic on real data.
    const auto r = trend_test::load_ref("finance");
    const std::size_t n = r.close.size();
    std::vector<double> line(n), dir(n);
    supertrend(r.high, r.low, r.close, 10, 3.0, line, dir);
    const auto& atr10 = r.talib.column("atr_10");
    EXPECT_EQ(trend_test::leading_nans(line), trend_test::leading_nans(atr10));
    for (std::size_t i = 10; i < n; ++i) {
        const double mid = (r.high[i] + r.low[i]) / 2.0;
        // The line is never further from hl2 than the basic band, and on the trend's side.
        if (dir[i] > 0) {
            EXPECT_GE(line[i], mid - 3.0 * atr10[i] - 1e-9 * mid) << i;
        } else {
            EXPECT_LE(line[i], mid + 3.0 * atr10[i] + 1e-9 * mid) << i;
        }
    }
    // The same with a precomputed ATR.
    std::vector<double> line2(n), dir2(n);
    supertrend(r.high, r.low, r.close, atr10, 3.0, line2, dir2);
    for (std::size_t i = 10; i < n; ++i) {
        EXPECT_NEAR(line2[i], line[i], 1e-9 * line[i]);
        EXPECT_EQ(dir2[i], dir[i]);
    }
}

TEST(SupertrendTest, FlatAndShortInputs) {
    const std::vector<double> flat(20, 5.0);
    std::vector<double> line(20), dir(20);
    supertrend(flat, flat, flat, 10, 3.0, line, dir);
    EXPECT_DOUBLE_EQ(line[19], 5.0);
    EXPECT_EQ(dir[19], 1.0);
    for (std::size_t n : {0u, 1u, 10u}) {
        std::vector<double> x(n, 1.0), l(n), d(n);
        supertrend(x, x, x, 10, 3.0, l, d);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_TRUE(std::isnan(l[i]) && std::isnan(d[i]));
        }
    }
}

}  // namespace
}  // namespace gs::indicators
