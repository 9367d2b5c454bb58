#include "goldensignals/indicators/cmo.h"

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

TEST(CmoTest, MatchesTaLibOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> out(close.size());
        gs::indicators::cmo(close, 14, out);
        EXPECT_EQ(warm_up(ref.column("cmo_14")), 14u);
        expect_matches(out, ref.column("cmo_14"));
    }
}

TEST(CmoTest, UsesWilderSmoothedGainsAndLossesOnAHandWorkedSeries) {
    // Period 2, changes +1, -0.5, +1 (the averages of the RSI test):
    // bar 2: gain 0.5, loss 0.25 -> 100 * 0.25 / 0.75 = 33.33;
    // bar 3: gain 0.75, loss 0.125 -> 100 * 0.625 / 0.875 = 71.43.
    const std::vector<double> close = {1.0, 2.0, 1.5, 2.5};
    std::vector<double> out(close.size());
    gs::indicators::cmo(close, 2, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_NEAR(out[2], 100.0 / 3.0, 1e-12);
    EXPECT_NEAR(out[3], 500.0 / 7.0, 1e-12);
}

TEST(CmoTest, SpansMinusOneHundredToOneHundred) {
    std::vector<double> up(30);
    std::vector<double> down(30);
    for (std::size_t i = 0; i < up.size(); ++i) {
        up[i] = 10.0 + static_cast<double>(i);
        down[i] = 50.0 - static_cast<double>(i);
    }
    std::vector<double> out_up(up.size());
    std::vector<double> out_down(down.size());
    gs::indicators::cmo(up, 14, out_up);
    gs::indicators::cmo(down, 14, out_down);
    EXPECT_DOUBLE_EQ(out_up.back(), 100.0);
    EXPECT_DOUBLE_EQ(out_down.back(), -100.0);
}

TEST(CmoTest, GivesTaLibsZeroOnFlatPrices) {
    const std::vector<double> close(20, 42.0);
    std::vector<double> out(close.size());
    gs::indicators::cmo(close, 14, out);
    EXPECT_EQ(warm_up(out), 14u);
    EXPECT_EQ(out.back(), 0.0);
}

TEST(CmoTest, HandlesEmptyAndShortInputs) {
    std::vector<double> none;
    gs::indicators::cmo(none, 14, none);
    const std::vector<double> close(14, 1.0);
    std::vector<double> out(close.size(), 123.0);
    gs::indicators::cmo(close, 14, out);
    EXPECT_EQ(warm_up(out), out.size());
}
