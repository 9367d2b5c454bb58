#include "goldensignals/indicators/t3.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

class T3ReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(T3ReferenceTest, MatchesTaLib) {
    const auto r = trend_test::load_ref(GetParam());
    std::vector<double> out(r.close.size());
    t3(r.close, 5, 0.7, out);
    trend_test::expect_matches_reference(out, r.talib.column("t3_5"), 24);
}

INSTANTIATE_TEST_SUITE_P(TaLib, T3ReferenceTest, ::testing::ValuesIn(trend_test::kDataSets));

TEST(T3Test, VfactorZeroIsTheTripleEma) {
    // With a = 0 the coefficients are 0, 0, 0, 1: T3 is e3, the third chained EMA.
    std::vector<double> close(40);
    for (std::size_t i = 0; i < close.size(); ++i) {
        close[i] = 20.0 + std::sin(static_cast<double>(i));
    }
    std::vector<double> out(40), e(40);
    t3(close, 5, 0.0, out);
    ema(close, 5, e);
    ema(e, 5, e);
    ema(e, 5, e);
    for (std::size_t i = 24; i < 40; ++i) {
        EXPECT_NEAR(out[i], e[i], 1e-12);
    }
}

TEST(T3Test, FlatAndShortInputs) {
    const std::vector<double> flat(30, 2.5);
    std::vector<double> out(30);
    t3(flat, 5, 0.7, out);
    EXPECT_NEAR(out[29], 2.5, 1e-12);
    for (std::size_t n : {0u, 1u, 24u}) {
        std::vector<double> x(n, 1.0), o(n);
        t3(x, 5, 0.7, o);
        for (double v : o) {
            EXPECT_TRUE(std::isnan(v));
        }
    }
}

}  // namespace
}  // namespace gs::indicators
