#include "goldensignals/indicators/stoch.h"

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

TEST(StochTest, SlowStochasticMatchesTaLibOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> k(close.size());
        std::vector<double> d(close.size());
        gs::indicators::stoch(input.column("high"), input.column("low"), close, 14, 3, 3, k, d);
        EXPECT_EQ(warm_up(ref.column("stoch_k")), 17u);  // 13 + 2 + 2, %K aligned with %D
        expect_matches(k, ref.column("stoch_k"));
        expect_matches(d, ref.column("stoch_d"));
    }
}

TEST(StochTest, StochRsiMatchesTaLibOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> rsi(close.size());
        std::vector<double> k(close.size());
        std::vector<double> d(close.size());
        gs::indicators::stoch_rsi(close, 14, 14, 3, rsi, k, d);
        EXPECT_EQ(warm_up(ref.column("stochrsi_k")), 29u);  // 14 + 13 + 2
        expect_matches(rsi, ref.column("rsi_14"));
        expect_matches(k, ref.column("stochrsi_k"));
        expect_matches(d, ref.column("stochrsi_d"));
    }
}

TEST(StochTest, FastStochasticOnAHandWorkedSeries) {
    // %K over 3 bars, %D over 2.
    // bar 2: highest 12, lowest 8  -> 100 * (10 - 8) / 4 = 50
    // bar 3: highest 13, lowest 9  -> 100 * (12 - 9) / 4 = 75; %D = (50 + 75) / 2 = 62.5
    const std::vector<double> high = {10.0, 12.0, 11.0, 13.0};
    const std::vector<double> low = {8.0, 9.0, 9.0, 10.0};
    const std::vector<double> close = {9.0, 11.0, 10.0, 12.0};
    std::vector<double> k(4);
    std::vector<double> d(4);
    gs::indicators::stochf(high, low, close, 3, 2, k, d);
    EXPECT_TRUE(std::isnan(k[2]));  // TA-Lib starts %K with %D
    EXPECT_TRUE(std::isnan(d[2]));
    EXPECT_DOUBLE_EQ(k[3], 75.0);
    EXPECT_DOUBLE_EQ(d[3], 62.5);
}

TEST(StochTest, GivesTaLibsZeroWhenTheRangeIsZero) {
    const std::vector<double> flat(25, 7.0);
    std::vector<double> k(flat.size());
    std::vector<double> d(flat.size());
    gs::indicators::stoch(flat, flat, flat, 14, 3, 3, k, d);
    EXPECT_EQ(warm_up(k), 17u);
    EXPECT_EQ(k.back(), 0.0);
    EXPECT_EQ(d.back(), 0.0);
}

TEST(StochTest, HandlesEmptyAndShortInputs) {
    std::vector<double> none;
    gs::indicators::stoch(none, none, none, 14, 3, 3, none, none);
    gs::indicators::stoch_rsi(none, 14, 14, 3, none, none, none);
    const std::vector<double> one = {1.0};
    std::vector<double> k(1, 5.0);
    std::vector<double> d(1, 5.0);
    std::vector<double> r(1, 5.0);
    gs::indicators::stoch(one, one, one, 14, 3, 3, k, d);
    EXPECT_TRUE(std::isnan(k[0]));
    EXPECT_TRUE(std::isnan(d[0]));
    gs::indicators::stoch_rsi(one, 14, 14, 3, r, k, d);
    EXPECT_TRUE(std::isnan(r[0]));
    EXPECT_TRUE(std::isnan(k[0]));
    std::vector<double> close(29);
    for (std::size_t i = 0; i < close.size(); ++i) {
        close[i] = 10.0 + static_cast<double>(i % 4);
    }
    std::vector<double> rsi(29);
    std::vector<double> fk(29);
    std::vector<double> fd(29);
    gs::indicators::stoch_rsi(close, 14, 14, 3, rsi, fk, fd);
    EXPECT_EQ(warm_up(fk), 29u);  // one bar short
    EXPECT_EQ(warm_up(rsi), 14u);
}
