#include "goldensignals/indicators/ichimoku.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

class IchimokuReferenceTest : public ::testing::TestWithParam<std::string> {};

// TA-Lib has no Ichimoku, but every line is a TA_MIDPRICE or composed from them.
TEST_P(IchimokuReferenceTest, LinesAreTaLibMidprices) {
    const auto r = trend_test::load_ref(GetParam());
    const std::size_t n = r.close.size();
    std::vector<double> tenkan(n), kijun(n), span_a(n), span_b(n);
    ichimoku(r.high, r.low, 9, 26, 52, tenkan, kijun, span_a, span_b);
    const auto& mid9 = r.talib.column("midprice_9");
    const auto& mid26 = r.talib.column("midprice_26");
    trend_test::expect_matches_reference(tenkan, mid9, 8, 1e-12);
    trend_test::expect_matches_reference(kijun, mid26, 25, 1e-12);
    trend_test::expect_matches_reference(span_b, r.talib.column("midprice_52"), 51, 1e-12);
    std::vector<double> expected_a(n);
    for (std::size_t i = 0; i < n; ++i) {
        expected_a[i] = (mid9[i] + mid26[i]) / 2.0;
    }
    trend_test::expect_matches_reference(span_a, expected_a, 25, 1e-12);

    std::vector<double> mid(n);
    midprice(r.high, r.low, 26, mid);
    trend_test::expect_matches_reference(mid, mid26, 25, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(TaLib, IchimokuReferenceTest, ::testing::ValuesIn(trend_test::kDataSets));

TEST(IchimokuTest, HandWorkedMidprice) {
    // Period 3: bars 2..4 highs {4, 9, 2}, lows {1, 3, 0} -> (9 + 0) / 2 = 4.5.
    const std::vector<double> high = {5, 6, 4, 9, 2};
    const std::vector<double> low = {2, 3, 1, 3, 0};
    std::vector<double> out(5);
    midprice(high, low, 3, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_DOUBLE_EQ(out[2], (6.0 + 1.0) / 2.0);
    EXPECT_DOUBLE_EQ(out[3], (9.0 + 1.0) / 2.0);
    EXPECT_DOUBLE_EQ(out[4], 4.5);
}

TEST(IchimokuTest, ShortInputsAreNaN) {
    for (std::size_t n : {0u, 1u, 20u}) {
        std::vector<double> x(n, 1.0), a(n), b(n), c(n), d(n);
        ichimoku(x, x, 9, 26, 52, a, b, c, d);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_TRUE(std::isnan(b[i]) && std::isnan(c[i]) && std::isnan(d[i]));
        }
    }
}

}  // namespace
}  // namespace gs::indicators
