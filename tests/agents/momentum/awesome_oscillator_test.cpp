// awesome_oscillator agent: sign of SMA 5 - SMA 34 of the median price, fresher zero
// crosses stronger, on hand-made closes.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "agents/momentum/momentum_test_bars.h"

namespace gs::agents {
namespace {

using momentum_test::Bars;
using momentum_test::evaluate_on;
using momentum_test::expect_valid;
using momentum_test::extend;
using momentum_test::mirrored;
using momentum_test::zigzag;

// 40 bars falling 0.5 a bar from 130, then `up` bars rising 1.
Bars fall_then_rise(std::size_t up) {
    std::vector<double> closes = {130.0};
    extend(closes, 40, -0.5);
    extend(closes, up, 1.0);
    return Bars::from_closes(closes);
}

TEST(AwesomeOscillatorAgentTest, BuysAboveZeroAndSellsBelow) {
    std::vector<double> up = {100.0};
    extend(up, 60, 0.5);
    const auto buy = evaluate_on("awesome_oscillator", Bars::from_closes(up));
    expect_valid(buy);
    EXPECT_EQ(buy.action, Action::kBuy) << buy.reason;
    // A straight line: SMA 5 - SMA 34 = slope * (34 - 5) / 2 = 0.5 * 14.5.
    EXPECT_NEAR(buy.value("ao"), 7.25, 1e-9);
    const auto sell = evaluate_on("awesome_oscillator", Bars::from_closes(mirrored(up, 100.0)));
    expect_valid(sell);
    EXPECT_EQ(sell.action, Action::kSell) << sell.reason;
    EXPECT_NEAR(sell.value("ao"), -7.25, 1e-9);
}

TEST(AwesomeOscillatorAgentTest, IsMoreConfidentNearAFreshZeroCross) {
    const auto fresh = evaluate_on("awesome_oscillator", fall_then_rise(12));
    const auto stale = evaluate_on("awesome_oscillator", fall_then_rise(40));
    ASSERT_EQ(fresh.action, Action::kBuy) << fresh.reason;
    ASSERT_EQ(stale.action, Action::kBuy) << stale.reason;
    EXPECT_NE(fresh.reason.str().find("crossed zero"), std::string::npos) << fresh.reason;
    EXPECT_LT(fresh.value("ao"), stale.value("ao"));
    EXPECT_GT(fresh.confidence, stale.confidence);
}

TEST(AwesomeOscillatorAgentTest, HoldsOnTheZeroLine) {
    const auto r = evaluate_on("awesome_oscillator", Bars::flat(50, 20.0, 0.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_NEAR(r.value("ao"), 0.0, 1e-9);
}

}  // namespace
}  // namespace gs::agents
