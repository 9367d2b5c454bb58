#include "goldensignals/indicators/cci.h"

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

TEST(CciTest, MatchesTaLibOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> out(close.size());
        gs::indicators::cci(input.column("high"), input.column("low"), close, 20, out);
        EXPECT_EQ(warm_up(ref.column("cci_20")), 19u);
        expect_matches(out, ref.column("cci_20"));
    }
}

TEST(CciTest, UsesTheMeanAbsoluteDeviationOnAHandWorkedSeries) {
    // Period 3, high = low = close so tp = close: 1, 2, 6.
    // mean = 3; mean |tp - mean| = (2 + 1 + 3) / 3 = 2; cci = (6 - 3) / (0.015 * 2) = 100.
    // (A standard deviation, sqrt(14 / 3) = 2.16, would give 92.6.)
    const std::vector<double> tp = {1.0, 2.0, 6.0};
    std::vector<double> out(3);
    gs::indicators::cci(tp, tp, tp, 3, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_NEAR(out[2], 100.0, 1e-9);
}

TEST(CciTest, GivesTaLibsZeroOnFlatPrices) {
    const std::vector<double> flat(25, 9.5);
    std::vector<double> out(flat.size());
    gs::indicators::cci(flat, flat, flat, 20, out);
    EXPECT_EQ(warm_up(out), 19u);
    EXPECT_EQ(out.back(), 0.0);
}

TEST(CciTest, HandlesEmptyAndShortInputs) {
    std::vector<double> none;
    gs::indicators::cci(none, none, none, 20, none);
    const std::vector<double> few = {1.0, 2.0};
    std::vector<double> out(2, 5.0);
    gs::indicators::cci(few, few, few, 20, out);
    EXPECT_EQ(warm_up(out), 2u);
}
