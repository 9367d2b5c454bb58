#include "goldensignals/indicators/rsi.h"

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

TEST(RsiTest, MatchesTaLibOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> out(close.size());
        gs::indicators::rsi(close, 14, out);
        EXPECT_EQ(warm_up(ref.column("rsi_14")), 14u);  // TA-Lib: RSI 14 needs 15 prices
        expect_matches(out, ref.column("rsi_14"));
    }
}

TEST(RsiTest, FollowsWildersSmoothingOnAHandWorkedSeries) {
    // Period 2, changes +1, -0.5, +1.
    // Seed at bar 2: gain = 1 / 2 = 0.5, loss = 0.5 / 2 = 0.25 -> 100 * 0.5 / 0.75 = 66.67.
    // Bar 3: gain = (0.5 * 1 + 1) / 2 = 0.75, loss = (0.25 * 1 + 0) / 2 = 0.125
    //        -> 100 * 0.75 / 0.875 = 85.71.
    const std::vector<double> close = {1.0, 2.0, 1.5, 2.5};
    std::vector<double> out(close.size());
    gs::indicators::rsi(close, 2, out);
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_NEAR(out[2], 200.0 / 3.0, 1e-12);
    EXPECT_NEAR(out[3], 600.0 / 7.0, 1e-12);
}

TEST(RsiTest, IsOneHundredWhenEveryChangeIsAGainAndZeroWhenEveryChangeIsALoss) {
    std::vector<double> up(30);
    std::vector<double> down(30);
    for (std::size_t i = 0; i < up.size(); ++i) {
        up[i] = 10.0 + static_cast<double>(i);
        down[i] = 50.0 - static_cast<double>(i);
    }
    std::vector<double> out_up(up.size());
    std::vector<double> out_down(down.size());
    gs::indicators::rsi(up, 14, out_up);
    gs::indicators::rsi(down, 14, out_down);
    EXPECT_DOUBLE_EQ(out_up.back(), 100.0);
    EXPECT_DOUBLE_EQ(out_down.back(), 0.0);
}

TEST(RsiTest, GivesTaLibsZeroOnFlatPrices) {
    const std::vector<double> close(20, 42.0);
    std::vector<double> out(close.size());
    gs::indicators::rsi(close, 14, out);
    EXPECT_EQ(warm_up(out), 14u);
    for (std::size_t i = 14; i < out.size(); ++i) {
        EXPECT_EQ(out[i], 0.0);
    }
}

TEST(RsiTest, HandlesEmptyAndShortInputs) {
    std::vector<double> none;
    gs::indicators::rsi(none, 14, none);
    const std::vector<double> one = {5.0};
    std::vector<double> out1(1, 123.0);
    gs::indicators::rsi(one, 14, out1);
    EXPECT_TRUE(std::isnan(out1[0]));
    std::vector<double> close(14);
    for (std::size_t i = 0; i < close.size(); ++i) {
        close[i] = 1.0 + static_cast<double>(i % 3);
    }
    std::vector<double> out(close.size(), 123.0);
    gs::indicators::rsi(close, 14, out);
    EXPECT_EQ(warm_up(out), out.size());  // 14 prices are one short of the first value
}

TEST(RsiTest, StartsAtTheFirstValueOfANanPrefixedInput) {
    const auto input = load_input("finance_talib.csv");
    const auto& close = input.column("close");
    std::vector<double> plain(close.size());
    gs::indicators::rsi(close, 14, plain);
    std::vector<double> prefixed(3, gs::indicators::kNaN);
    prefixed.insert(prefixed.end(), close.begin(), close.end());
    std::vector<double> out(prefixed.size());
    gs::indicators::rsi(prefixed, 14, out);
    EXPECT_EQ(warm_up(out), 3u + 14u);
    for (std::size_t i = 0; i < close.size(); ++i) {
        if (!std::isnan(plain[i])) {
            EXPECT_EQ(out[i + 3], plain[i]) << "row " << i;
        }
    }
}
