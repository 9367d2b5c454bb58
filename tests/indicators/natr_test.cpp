#include "goldensignals/indicators/natr.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "indicators/flow_reference_util.h"

namespace gs::indicators {
namespace {

using flow_test::expect_matches;
using flow_test::load_ref;

TEST(NatrTest, MatchesTaLibNatr14) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = load_ref(name);
        std::vector<double> out(ref.size());
        natr(ref.high, ref.low, ref.close, 14, out);
        expect_matches(out, ref.talib.column("natr_14"), 14);
    }
}

TEST(NatrTest, HandComputedAndZeroCloseGivesZero) {
    // ATR 2: true ranges 3 (bar 1) and 2 (bar 2) -> 2.5 at bar 2; NATR = 100 x 2.5 / 11.
    const std::vector<double> high = {11, 13, 12, 1};
    const std::vector<double> low = {9, 11, 10, 0};
    const std::vector<double> close = {10, 12, 11, 0};
    std::vector<double> out(4);
    natr(high, low, close, 2, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_DOUBLE_EQ(out[2], 250.0 / 11.0);
    EXPECT_DOUBLE_EQ(out[3], 0.0);  // TA-Lib writes 0 rather than dividing by a zero close
}

}  // namespace
}  // namespace gs::indicators
