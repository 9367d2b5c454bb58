#include "goldensignals/indicators/linreg.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

class LinregReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LinregReferenceTest, SlopeMatchesTaLib) {
    const auto r = trend_test::load_ref(GetParam());
    std::vector<double> out(r.close.size());
    linreg_slope(r.close, 20, out);
    trend_test::expect_matches_reference(out, r.talib.column("linreg_slope_20"), 19);
}

INSTANTIATE_TEST_SUITE_P(TaLib, LinregReferenceTest, ::testing::ValuesIn(trend_test::kDataSets));

TEST(LinregTest, HandWorkedSlopes) {
    // 1, 3, 2 with period 3: x = 0 1 2, mean x 1, mean y 2; slope = sum((x-1)(y-2)) / 2
    // = ((-1)(-1) + 0 + (1)(0)) / 2 = 0.5. Then 3, 2, 6: (-1)(-0.667) + (1)(2.667) over 2 = 1.5.
    const std::vector<double> in = {1, 3, 2, 6};
    std::vector<double> out(4);
    linreg_slope(in, 3, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_NEAR(out[2], 0.5, 1e-12);
    EXPECT_NEAR(out[3], 1.5, 1e-12);
}

TEST(LinregTest, FlatAndShortInputs) {
    const std::vector<double> flat(30, 9.0);
    std::vector<double> out(30);
    linreg_slope(flat, 20, out);
    EXPECT_NEAR(out[29], 0.0, 1e-12);
    for (std::size_t n : {0u, 1u, 19u}) {
        std::vector<double> x(n, 1.0), o(n);
        linreg_slope(x, 20, o);
        for (double v : o) {
            EXPECT_TRUE(std::isnan(v));
        }
    }
}

}  // namespace
}  // namespace gs::indicators
