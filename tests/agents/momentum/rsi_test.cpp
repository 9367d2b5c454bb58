// rsi agent: RSI 14 <= 30 BUY, >= 70 SELL, on hand-made closes.
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

// 30 bars swinging 100 / 101, then `steps` closes moving `step` each.
Bars swing_then(std::size_t steps, double step) {
    auto closes = zigzag(30, 100.0, 1.0);
    extend(closes, steps, step);
    return Bars::from_closes(closes);
}

TEST(RsiAgentTest, BuysWhenRsiFallsToThirtyOrBelow) {
    const auto r = evaluate_on("rsi", swing_then(10, -1.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_LE(r.value("rsi"), 30.0);
    EXPECT_NEAR(r.confidence, 0.3 + 0.7 * (30.0 - r.value("rsi")) / 20.0, 1e-12);
}

TEST(RsiAgentTest, SellsWhenRsiRisesToSeventyOrAbove) {
    const auto r = evaluate_on("rsi", swing_then(10, 1.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_GE(r.value("rsi"), 70.0);
}

TEST(RsiAgentTest, HoldsNearFiftyWithHighConfidence) {
    const auto r = evaluate_on("rsi", Bars::from_closes(zigzag(30, 100.0, 1.0)));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_GT(r.value("rsi"), 45.0);
    EXPECT_LT(r.value("rsi"), 55.0);
    EXPECT_GT(r.confidence, 0.7);
}

TEST(RsiAgentTest, IsMoreConfidentTheDeeperTheOversoldReading) {
    const auto mild = evaluate_on("rsi", swing_then(10, -1.0));
    const auto deep = evaluate_on("rsi", swing_then(20, -1.0));
    ASSERT_EQ(mild.action, Action::kBuy);
    ASSERT_EQ(deep.action, Action::kBuy);
    EXPECT_LT(deep.value("rsi"), mild.value("rsi"));
    EXPECT_GT(deep.confidence, mild.confidence);
}

TEST(RsiAgentTest, AbstainsWhenTheCloseHasNotMovedFor15Bars) {
    auto closes = zigzag(30, 100.0, 1.0);
    closes.resize(closes.size() + 15, closes.back());
    const auto r = evaluate_on("rsi", Bars::from_closes(closes));
    EXPECT_EQ(r.action, Action::kAbstain);
    EXPECT_NE(r.reason.str().find("unchanged"), std::string::npos);
}

}  // namespace
}  // namespace gs::agents
