// cmo agent: CMO 14 <= -50 BUY, >= 50 SELL, on hand-made closes.
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

TEST(CmoAgentTest, BuysAtMinusFiftyOrBelow) {
    const auto r = evaluate_on("cmo", swing_then(15, -1.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_LE(r.value("cmo"), -50.0);
    EXPECT_NEAR(r.confidence, 0.3 + 0.7 * std::min((-50.0 - r.value("cmo")) / 30.0, 1.0), 1e-12);
}

TEST(CmoAgentTest, SellsAtFiftyOrAbove) {
    const auto r = evaluate_on("cmo", swing_then(15, 1.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_GE(r.value("cmo"), 50.0);
}

TEST(CmoAgentTest, HoldsNearZeroAndLeansAgainstTheReading) {
    const auto neutral = evaluate_on("cmo", Bars::from_closes(zigzag(30, 100.0, 1.0)));
    expect_valid(neutral);
    EXPECT_EQ(neutral.action, Action::kHold) << neutral.reason;
    EXPECT_GT(neutral.confidence, 0.8);
    // Ten falling bars bring CMO to about -50, short of the threshold: a buy lean.
    const auto leaning = evaluate_on("cmo", swing_then(10, -1.0));
    EXPECT_EQ(leaning.action, Action::kHold) << leaning.reason;
    EXPECT_GT(leaning.score, 0.4);
    EXPECT_LT(leaning.confidence, 0.1);
}

TEST(CmoAgentTest, AbstainsWhenTheCloseHasNotMovedFor15Bars) {
    auto closes = zigzag(30, 100.0, 1.0);
    closes.resize(closes.size() + 15, closes.back());
    EXPECT_EQ(evaluate_on("cmo", Bars::from_closes(closes)).action, Action::kAbstain);
}

}  // namespace
}  // namespace gs::agents
