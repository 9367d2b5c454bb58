// stochastic agent: %K / %D cross under 20 BUY, over 80 SELL, on hand-made closes.
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

// 30 bars falling 1 a bar, then `up` bars rising 1: %K turns up through %D near 0.
Bars fall_then_rise(std::size_t up) {
    std::vector<double> closes = {130.0};
    extend(closes, 30, -1.0);
    extend(closes, up, 1.0);
    return Bars::from_closes(closes);
}

TEST(StochasticAgentTest, BuysOnAFreshCrossUpUnderTwenty) {
    const auto r = evaluate_on("stochastic", fall_then_rise(1));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_GT(r.value("stoch_k"), r.value("stoch_d"));
    EXPECT_LT(r.value("stoch_d"), 20.0);
    // Crossed on the latest bar: fresh = 1.
    EXPECT_NEAR(r.confidence, 0.3 + 0.4 * (20.0 - r.value("stoch_d")) / 20.0 + 0.3, 1e-9);
}

TEST(StochasticAgentTest, SellsOnAFreshCrossDownOverEighty) {
    const auto r = evaluate_on("stochastic", Bars::from_closes(mirrored(
                                                 [] {
                                                     std::vector<double> c = {130.0};
                                                     extend(c, 30, -1.0);
                                                     extend(c, 1, 1.0);
                                                     return c;
                                                 }(),
                                                 150.0)));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_LT(r.value("stoch_k"), r.value("stoch_d"));
    EXPECT_GT(r.value("stoch_d"), 80.0);
}

TEST(StochasticAgentTest, LosesConfidenceAsTheCrossAgesAndHoldsAfterThreeBars) {
    const auto fresh = evaluate_on("stochastic", fall_then_rise(1));
    const auto older = evaluate_on("stochastic", fall_then_rise(3));
    const auto stale = evaluate_on("stochastic", fall_then_rise(5));
    ASSERT_EQ(fresh.action, Action::kBuy);
    ASSERT_EQ(older.action, Action::kBuy) << older.reason;
    // Same cross bar (same %D level), two bars older: 0.3 * 2 / 3 less.
    EXPECT_NEAR(fresh.confidence - older.confidence, 0.2, 1e-9);
    EXPECT_EQ(stale.action, Action::kHold) << stale.reason;
    EXPECT_GT(stale.value("stoch_k"), stale.value("stoch_d"));  // still above, but stale
}

TEST(StochasticAgentTest, HoldsWithoutACrossInAZone) {
    const auto r = evaluate_on("stochastic", Bars::from_closes(zigzag(30, 100.0, 1.0), 2.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_NEAR(r.confidence, 1.0 - std::abs(r.value("stoch_k") - 50.0) / 30.0, 1e-12);
}

TEST(StochasticAgentTest, AbstainsWithoutAPriceRange) {
    EXPECT_EQ(evaluate_on("stochastic", Bars::flat(30, 5.0, 1000.0)).action, Action::kAbstain);
}

}  // namespace
}  // namespace gs::agents
