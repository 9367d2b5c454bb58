#include "goldensignals/indicators/kama.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

class KamaReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KamaReferenceTest, MatchesTaLib) {
    const auto r = trend_test::load_ref(GetParam());
    std::vector<double> out(r.close.size());
    kama(r.close, 10, out);
    trend_test::expect_matches_reference(out, r.talib.column("kama_10"), 10);
}

INSTANTIATE_TEST_SUITE_P(TaLib, KamaReferenceTest, ::testing::ValuesIn(trend_test::kDataSets));

TEST(KamaTest, HandWorkedFirstValue) {
    // Period 2 on 1, 2, 3: the move is fully efficient (er = 1): sc = (2/3)^2 = 4/9 and the
    // first KAMA (bar 2) = 2 + 4/9 * (3 - 2) = 2.444...
    const std::vector<double> in = {1, 2, 3};
    std::vector<double> out(3);
    kama(in, 2, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_DOUBLE_EQ(out[2], 2.0 + 4.0 / 9.0);
}

TEST(KamaTest, FlatAndShortInputs) {
    const std::vector<double> flat(20, 3.0);
    std::vector<double> out(20);
    kama(flat, 10, out);
    EXPECT_DOUBLE_EQ(out[19], 3.0);
    for (std::size_t n : {0u, 1u, 10u}) {
        std::vector<double> x(n, 1.0), o(n);
        kama(x, 10, o);
        for (double v : o) {
            EXPECT_TRUE(std::isnan(v));
        }
    }
}

}  // namespace
}  // namespace gs::indicators
