#include "goldensignals/indicators/adx.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

class AdxReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AdxReferenceTest, DiAndAdxMatchTaLib) {
    const auto r = trend_test::load_ref(GetParam());
    const std::size_t n = r.close.size();
    std::vector<double> plus(n), minus(n), adx(n);
    dmi(r.high, r.low, r.close, 14, plus, minus, adx);
    trend_test::expect_matches_reference(plus, r.talib.column("plus_di_14"), 14);
    trend_test::expect_matches_reference(minus, r.talib.column("minus_di_14"), 14);
    trend_test::expect_matches_reference(adx, r.talib.column("adx_14"), 27);
}

INSTANTIATE_TEST_SUITE_P(TaLib, AdxReferenceTest, ::testing::ValuesIn(trend_test::kDataSets));

TEST(AdxTest, FlatPricesGiveZeroDiAndAdx) {
    const std::vector<double> flat(40, 3.0);
    std::vector<double> plus(40), minus(40), adx(40);
    dmi(flat, flat, flat, 14, plus, minus, adx);
    EXPECT_EQ(plus[39], 0.0);
    EXPECT_EQ(minus[39], 0.0);
    EXPECT_EQ(adx[39], 0.0);
    EXPECT_TRUE(std::isnan(adx[26]));
    EXPECT_EQ(adx[27], 0.0);
}

TEST(AdxTest, SteadyRiseHasOnlyPlusMovement) {
    // Highs and lows both rise by 1 a bar: +DM = 1, -DM = 0 every bar, so -DI = 0, DX = 100
    // on every bar and ADX = 100.
    std::vector<double> high(40), low(40), close(40);
    for (std::size_t i = 0; i < 40; ++i) {
        low[i] = 10.0 + static_cast<double>(i);
        high[i] = low[i] + 2.0;
        close[i] = low[i] + 1.0;
    }
    std::vector<double> plus(40), minus(40), adx(40);
    dmi(high, low, close, 14, plus, minus, adx);
    EXPECT_GT(plus[39], 0.0);
    EXPECT_EQ(minus[39], 0.0);
    EXPECT_DOUBLE_EQ(adx[39], 100.0);
}

TEST(AdxTest, FewBarsAreAllNaN) {
    for (std::size_t n : {0u, 1u, 14u}) {
        std::vector<double> x(n, 1.0), plus(n), minus(n), adx(n);
        dmi(x, x, x, 14, plus, minus, adx);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_TRUE(std::isnan(plus[i]) && std::isnan(minus[i]) && std::isnan(adx[i]));
        }
    }
}

}  // namespace
}  // namespace gs::indicators
