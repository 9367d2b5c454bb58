// ppo agent: PPO 12/26 signal-line cross confirmed by its sign, on hand-made closes.
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

// 40 flat bars, then `count` bars moving `step`.
Bars flat_then(std::size_t count, double step) {
    std::vector<double> closes(40, 100.0);
    extend(closes, count, step);
    return Bars::from_closes(closes);
}

// 60 bars falling 1 a bar from 200, then `count` flat bars: PPO turns up below zero.
Bars fall_then_flat(std::size_t count) {
    std::vector<double> closes = {200.0};
    extend(closes, 60, -1.0);
    closes.resize(closes.size() + count, closes.back());
    return Bars::from_closes(closes);
}

TEST(PpoAgentTest, BuysAbovePositiveSignalAfterARiseStarts) {
    const auto r = evaluate_on("ppo", flat_then(10, 0.5));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_GT(r.value("ppo"), r.value("ppo_signal"));
    EXPECT_GT(r.value("ppo"), 0.0);
}

TEST(PpoAgentTest, SellsBelowNegativeSignalAfterAFallStarts) {
    const auto r = evaluate_on("ppo", flat_then(10, -0.5));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_LT(r.value("ppo"), r.value("ppo_signal"));
    EXPECT_LT(r.value("ppo"), 0.0);
}

TEST(PpoAgentTest, TakesAFreshCrossBelowZeroButNotAStaleOne) {
    const auto fresh = evaluate_on("ppo", fall_then_flat(3));
    expect_valid(fresh);
    EXPECT_EQ(fresh.action, Action::kBuy) << fresh.reason;
    EXPECT_LT(fresh.value("ppo"), 0.0);
    EXPECT_NE(fresh.reason.str().find("crossed 0 bars ago"), std::string::npos) << fresh.reason;
    const auto stale = evaluate_on("ppo", fall_then_flat(10));
    expect_valid(stale);
    EXPECT_EQ(stale.action, Action::kHold) << stale.reason;
    EXPECT_GT(stale.value("ppo"), stale.value("ppo_signal"));
    EXPECT_LT(stale.value("ppo"), 0.0);
    EXPECT_GT(stale.score, 0.0);  // still leans the way of the cross
}

TEST(PpoAgentTest, HoldsOnItsSignalLineOnFlatPrices) {
    const auto r = evaluate_on("ppo", Bars::flat(60, 50.0, 0.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_NEAR(r.value("ppo"), 0.0, 1e-9);
}

}  // namespace
}  // namespace gs::agents
