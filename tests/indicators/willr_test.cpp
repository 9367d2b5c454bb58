#include "goldensignals/indicators/willr.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "momentum_reference_util.h"
#include "support/reference_data.h"

namespace {

using gs::testing::ReferenceTable;
using namespace gs::indicators::momentum_test;

}  // namespace

TEST(WillrTest, MatchesTaLibOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> out(close.size());
        gs::indicators::willr(input.column("high"), input.column("low"), close, 14, out);
        EXPECT_EQ(warm_up(ref.column("willr_14")), 13u);
        expect_matches(out, ref.column("willr_14"));
    }
}

TEST(WillrTest, MeasuresTheCloseFromTheHighestHighOnAHandWorkedSeries) {
    // Period 3. bar 2: highest 12, lowest 8, close 10 -> -100 * (12 - 10) / 4 = -50;
    // bar 3: highest 13, lowest 9, close 12 -> -100 * (13 - 12) / 4 = -25.
    const std::vector<double> high = {10.0, 12.0, 11.0, 13.0};
    const std::vector<double> low = {8.0, 9.0, 9.0, 10.0};
    const std::vector<double> close = {9.0, 11.0, 10.0, 12.0};
    std::vector<double> out(4);
    gs::indicators::willr(high, low, close, 3, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_DOUBLE_EQ(out[2], -50.0);
    EXPECT_DOUBLE_EQ(out[3], -25.0);
}

TEST(WillrTest, GivesTaLibsZeroWhenTheRangeIsZero) {
    const std::vector<double> flat(20, 3.0);
    std::vector<double> out(flat.size());
    gs::indicators::willr(flat, flat, flat, 14, out);
    EXPECT_EQ(out.back(), 0.0);
}

TEST(WillrTest, HandlesEmptyAndShortInputs) {
    std::vector<double> none;
    gs::indicators::willr(none, none, none, 14, none);
    const std::vector<double> few = {1.0, 2.0, 3.0};
    std::vector<double> out(3, 5.0);
    gs::indicators::willr(few, few, few, 14, out);
    EXPECT_EQ(warm_up(out), 3u);
}
