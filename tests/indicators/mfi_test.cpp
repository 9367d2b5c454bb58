#include "goldensignals/indicators/mfi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "indicators/flow_reference_util.h"

namespace gs::indicators {
namespace {

using flow_test::expect_matches;
using flow_test::load_ref;

TEST(MfiTest, MatchesTaLibMfi14) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = load_ref(name);
        std::vector<double> out(ref.size());
        mfi(ref.high, ref.low, ref.close, ref.volume, 14, out);
        expect_matches(out, ref.talib.column("mfi_14"), 14);
    }
}

TEST(MfiTest, HandComputedPeriodTwo) {
    // Typical prices 10, 11, 10.5, 12 (h = l = c), volumes 0, 100, 200, 100.
    // Flows: bar 1 up 11 x 100 = 1100, bar 2 down 10.5 x 200 = 2100, bar 3 up 12 x 100 = 1200.
    // Bar 2: 100 x 1100 / (1100 + 2100) = 34.375; bar 3: 100 x 1200 / (2100 + 1200) = 36.36.
    const std::vector<double> tp = {10, 11, 10.5, 12};
    const std::vector<double> volume = {0, 100, 200, 100};
    std::vector<double> out(4);
    mfi(tp, tp, tp, volume, 2, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_DOUBLE_EQ(out[2], 34.375);
    EXPECT_NEAR(out[3], 100.0 * 1200.0 / 3300.0, 1e-12);
}

TEST(MfiTest, NoMoneyFlowGivesZeroAsTaLib) {
    const std::vector<double> flat(20, 10.0);
    const std::vector<double> volume(20, 1000.0);
    std::vector<double> out(20);
    mfi(flat, flat, flat, volume, 14, out);
    EXPECT_DOUBLE_EQ(out[19], 0.0);
}

}  // namespace
}  // namespace gs::indicators

namespace gs::indicators {
namespace {

TEST(MfiTest, SingleBarFormAgreesWithTheFullSeries) {
    const auto ref = flow_test::load_ref("random_walk");
    const std::size_t n = ref.size();
    std::vector<double> out(n);
    mfi(ref.high, ref.low, ref.close, ref.volume, 14, out);
    for (std::size_t i = 0; i <= n; ++i) {
        const double one = mfi_at(ref.high, ref.low, ref.close, ref.volume, 14, i);
        if (i < 14 || i == n) {
            EXPECT_TRUE(std::isnan(one)) << i;
        } else {
            EXPECT_NEAR(one, out[i], 1e-9) << i;
        }
    }
}

}  // namespace
}  // namespace gs::indicators
