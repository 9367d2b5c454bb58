#include "goldensignals/indicators/sar.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

class SarReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SarReferenceTest, MatchesTaLib) {
    const auto r = trend_test::load_ref(GetParam());
    std::vector<double> out(r.close.size());
    sar(r.high, r.low, 0.02, 0.2, out);
    trend_test::expect_matches_reference(out, r.talib.column("sar"), 1);
}

INSTANTIATE_TEST_SUITE_P(TaLib, SarReferenceTest, ::testing::ValuesIn(trend_test::kDataSets));

TEST(SarTest, HandWorkedLongRun) {
    // Bar 1 rises (no -DM) -> long; SAR[1] = low[0] = 9, ep = high[1] = 12.
    // Bar 2: no new high over ep? high 13 > 12 -> ep 13, af 0.04 after SAR[2] is output.
    //   SAR[2] = 9 + 0.02 * (12 - 9) = 9.06 (capped by lows 10 and 11: stays 9.06).
    // Bar 3: SAR[3] = 9.06 + 0.04 * (13 - 9.06) = 9.2176.
    const std::vector<double> high = {10, 12, 13, 14};
    const std::vector<double> low = {9, 10, 11, 12};
    std::vector<double> out(4);
    sar(high, low, 0.02, 0.2, out);
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_DOUBLE_EQ(out[1], 9.0);
    EXPECT_DOUBLE_EQ(out[2], 9.06);
    EXPECT_DOUBLE_EQ(out[3], 9.2176);
}

TEST(SarTest, FlatAndShortInputs) {
    const std::vector<double> flat(10, 4.0);
    std::vector<double> out(10);
    sar(flat, flat, 0.02, 0.2, out);
    for (std::size_t i = 1; i < 10; ++i) {
        EXPECT_TRUE(std::isfinite(out[i]));
        EXPECT_DOUBLE_EQ(out[i], 4.0);
    }
    std::vector<double> none;
    sar(none, none, 0.02, 0.2, none);
    std::vector<double> one = {1.0}, o1(1);
    sar(one, one, 0.02, 0.2, o1);
    EXPECT_TRUE(std::isnan(o1[0]));
}

}  // namespace
}  // namespace gs::indicators
