// cci agent: CCI 20 <= -100 BUY, >= 100 SELL, on hand-made closes.
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

Bars swing_then(std::size_t steps, double step) {
    auto closes = zigzag(30, 100.0, 1.0);
    extend(closes, steps, step);
    return Bars::from_closes(closes);
}

TEST(CciAgentTest, BuysOnASharpDropBelowMinusOneHundred) {
    const auto r = evaluate_on("cci", swing_then(3, -1.5));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_LE(r.value("cci"), -100.0);
}

TEST(CciAgentTest, SellsOnASharpRiseAboveOneHundred) {
    const auto r = evaluate_on("cci", swing_then(3, 1.5));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_GE(r.value("cci"), 100.0);
}

TEST(CciAgentTest, HoldsInsideTheBand) {
    // A two-value swing: tp sits half a swing from its mean, which is also the mean
    // deviation, so CCI = (d / 2) / (0.015 * d / 2) = 66.7 on the up bar.
    const auto r = evaluate_on("cci", Bars::from_closes(zigzag(30, 100.0, 1.0)));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_NEAR(r.value("cci"), 200.0 / 3.0, 1e-6);
    EXPECT_NEAR(r.confidence, 1.0 - 2.0 / 3.0, 1e-6);
    EXPECT_LT(r.score, 0.0);  // above zero leans to sell
}

TEST(CciAgentTest, AbstainsWhenTheTypicalPriceIsFlat) {
    EXPECT_EQ(evaluate_on("cci", Bars::flat(25, 10.0, 0.0)).action, Action::kAbstain);
}

}  // namespace
}  // namespace gs::agents
