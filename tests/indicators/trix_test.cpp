#include "goldensignals/indicators/trix.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

class TrixReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TrixReferenceTest, MatchesTaLib) {
    const auto r = trend_test::load_ref(GetParam());
    std::vector<double> out(r.close.size());
    trix(r.close, 15, out);
    trend_test::expect_matches_reference(out, r.talib.column("trix_15"), 43);
}

INSTANTIATE_TEST_SUITE_P(TaLib, TrixReferenceTest, ::testing::ValuesIn(trend_test::kDataSets));

TEST(TrixTest, InPlaceAndFlatAndShort) {
    std::vector<double> flat(60, 8.0);
    trix(flat, 15, flat);
    EXPECT_TRUE(std::isnan(flat[42]));
    EXPECT_EQ(flat[43], 0.0);
    EXPECT_EQ(flat[59], 0.0);
    for (std::size_t n : {0u, 1u, 43u}) {
        std::vector<double> x(n, 1.0), out(n);
        trix(x, 15, out);
        for (double v : out) {
            EXPECT_TRUE(std::isnan(v));
        }
    }
}

TEST(TrixTest, RisingPricesGivePositiveTrix) {
    std::vector<double> close(80), out(80);
    for (std::size_t i = 0; i < close.size(); ++i) {
        close[i] = 50.0 * std::pow(1.01, static_cast<double>(i));
    }
    trix(close, 15, out);
    // A steady 1 % a bar growth: the triple EMA grows ~1 % a bar too.
    EXPECT_NEAR(out[79], 1.0, 0.01);
}

}  // namespace
}  // namespace gs::indicators
