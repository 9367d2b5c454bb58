#include "goldensignals/indicators/aroon.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

class AroonReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AroonReferenceTest, UpAndDownMatchTaLib) {
    const auto r = trend_test::load_ref(GetParam());
    const std::size_t n = r.close.size();
    std::vector<double> up(n), down(n);
    aroon(r.high, r.low, 25, up, down);
    trend_test::expect_matches_reference(up, r.talib.column("aroon_up_25"), 25);
    trend_test::expect_matches_reference(down, r.talib.column("aroon_down_25"), 25);
}

INSTANTIATE_TEST_SUITE_P(TaLib, AroonReferenceTest, ::testing::ValuesIn(trend_test::kDataSets));

TEST(AroonTest, HandWorkedWindow) {
    // Period 4, 5-bar window. Highs 1 5 3 2 4: highest (5) is 3 bars old -> up = 100*(4-3)/4
    // = 25. Lows 3 2 2 1 1: the most recent of the tied lowest lows is today -> down = 100.
    const std::vector<double> high = {1, 5, 3, 2, 4};
    const std::vector<double> low = {3, 2, 2, 1, 1};
    std::vector<double> up(5), down(5);
    aroon(high, low, 4, up, down);
    EXPECT_TRUE(std::isnan(up[3]));
    EXPECT_DOUBLE_EQ(up[4], 25.0);
    EXPECT_DOUBLE_EQ(down[4], 100.0);
}

TEST(AroonTest, FlatAndShortInputs) {
    const std::vector<double> flat(30, 2.0);
    std::vector<double> up(30), down(30);
    aroon(flat, flat, 25, up, down);
    // Ties go to the newest bar, so both are 100 on flat prices.
    EXPECT_EQ(up[29], 100.0);
    EXPECT_EQ(down[29], 100.0);
    std::vector<double> none;
    aroon(none, none, 25, none, none);
    std::vector<double> one = {1.0}, u1(1), d1(1);
    aroon(one, one, 25, u1, d1);
    EXPECT_TRUE(std::isnan(u1[0]));
}

}  // namespace
}  // namespace gs::indicators
