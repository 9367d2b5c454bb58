#include "goldensignals/indicators/ppo.h"

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

TEST(PpoTest, MatchesTaLibWithItsSignalLineOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> out(close.size());
        std::vector<double> signal(close.size());
        gs::indicators::ppo(close, 12, 26, out);
        gs::indicators::ema(out, 9, signal);
        EXPECT_EQ(warm_up(ref.column("ppo")), 25u);
        EXPECT_EQ(warm_up(ref.column("ppo_signal")), 33u);
        expect_matches(out, ref.column("ppo"));
        expect_matches(signal, ref.column("ppo_signal"));
    }
}

TEST(PpoTest, IsThePercentGapBetweenTheEmasOnAHandWorkedSeries) {
    // Fast EMA 2 (k = 2/3): seed (1 + 2) / 2 = 1.5, then 2.5, 3.5.
    // Slow EMA 3 (k = 1/2): seed (1 + 2 + 3) / 3 = 2, then 3.
    // PPO: bar 2 100 * (2.5 - 2) / 2 = 25; bar 3 100 * (3.5 - 3) / 3 = 16.67.
    const std::vector<double> close = {1.0, 2.0, 3.0, 4.0};
    std::vector<double> out(4);
    gs::indicators::ppo(close, 2, 3, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_NEAR(out[2], 25.0, 1e-12);
    EXPECT_NEAR(out[3], 50.0 / 3.0, 1e-12);
    // Periods given the wrong way round are swapped, as TA-Lib does.
    std::vector<double> swapped(4);
    gs::indicators::ppo(close, 3, 2, swapped);
    EXPECT_DOUBLE_EQ(swapped[3], out[3]);
}

TEST(PpoTest, IsZeroOnFlatPricesAndStartsAtTheFirstValue) {
    std::vector<double> close(30, 20.0);
    close[0] = gs::indicators::kNaN;
    std::vector<double> out(close.size());
    gs::indicators::ppo(close, 12, 26, out);
    EXPECT_EQ(warm_up(out), 26u);
    EXPECT_EQ(out.back(), 0.0);
}

TEST(PpoTest, HandlesEmptyAndShortInputs) {
    std::vector<double> none;
    gs::indicators::ppo(none, 12, 26, none);
    std::vector<double> few(25, 1.0);
    std::vector<double> out(25, 5.0);
    gs::indicators::ppo(few, 12, 26, out);
    EXPECT_EQ(warm_up(out), 25u);
}
