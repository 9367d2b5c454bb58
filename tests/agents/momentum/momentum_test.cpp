// momentum agent: MOM 10 / ATR 14 beyond +/- 1, on hand-made closes.
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

TEST(MomentumAgentRuleTest, BuysWhenTenBarsGainedMoreThanOneAtr) {
    const auto r = evaluate_on("momentum", swing_then(10, 0.3));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_NEAR(r.value("mom"), 3.0, 1e-9);  // ten steps of 0.3
}

TEST(MomentumAgentRuleTest, SellsWhenTenBarsLostMoreThanOneAtr) {
    const auto r = evaluate_on("momentum", swing_then(10, -0.3));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_NEAR(r.value("mom"), -3.0, 1e-9);
}

TEST(MomentumAgentRuleTest, HoldsWhenTheMoveIsWithinOneAtr) {
    // An even swing: the close equals the one 10 bars before, momentum 0.
    const auto flat_move = evaluate_on("momentum", Bars::from_closes(zigzag(30, 100.0, 1.0)));
    expect_valid(flat_move);
    EXPECT_EQ(flat_move.action, Action::kHold) << flat_move.reason;
    EXPECT_DOUBLE_EQ(flat_move.confidence, 1.0);
    // A small drift: 10 x 0.05 = 0.5, about a third of an ATR of this swing: leans up.
    const auto drift = evaluate_on("momentum", swing_then(10, 0.05));
    EXPECT_EQ(drift.action, Action::kHold) << drift.reason;
    EXPECT_GT(drift.score, 0.0);
    EXPECT_LT(drift.confidence, 1.0);
}

TEST(MomentumAgentRuleTest, ComparesMomentumToVolatilityNotPriceUnits) {
    // The same 3-point gain is a BUY in a calm market and a HOLD in a wild one.
    auto calm = zigzag(30, 100.0, 1.0);
    extend(calm, 10, 0.3);
    auto wild = zigzag(30, 100.0, 8.0);
    extend(wild, 10, 0.3);
    EXPECT_EQ(evaluate_on("momentum", Bars::from_closes(calm)).action, Action::kBuy);
    EXPECT_EQ(evaluate_on("momentum", Bars::from_closes(wild)).action, Action::kHold);
}

TEST(MomentumAgentRuleTest, AbstainsWithoutAnyTrueRange) {
    EXPECT_EQ(evaluate_on("momentum", Bars::flat(20, 3.0, 0.0)).action, Action::kAbstain);
}

}  // namespace
}  // namespace gs::agents
