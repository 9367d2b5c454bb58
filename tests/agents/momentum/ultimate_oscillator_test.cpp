// ultimate_oscillator agent: ULTOSC 7/14/28 <= 30 BUY, >= 70 SELL, on hand-made closes.
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

TEST(UltimateOscillatorAgentTest, BuysWhenClosesHugTheLows) {
    const auto r = evaluate_on("ultimate_oscillator", swing_then(10, -1.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_LE(r.value("ultosc"), 30.0);
    EXPECT_NEAR(r.confidence, 0.3 + 0.7 * std::min((30.0 - r.value("ultosc")) / 15.0, 1.0), 1e-12);
}

TEST(UltimateOscillatorAgentTest, SellsWhenClosesHugTheHighs) {
    const auto r = evaluate_on("ultimate_oscillator", swing_then(10, 1.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_GE(r.value("ultosc"), 70.0);
}

TEST(UltimateOscillatorAgentTest, HoldsInASidewaysSwing) {
    const auto r = evaluate_on("ultimate_oscillator", Bars::from_closes(zigzag(30, 100.0, 1.0)));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_GT(r.confidence, 0.7);
}

TEST(UltimateOscillatorAgentTest, AbstainsWhenTheLastSevenBarsHaveNoRange) {
    auto closes = zigzag(30, 100.0, 1.0);
    closes.resize(closes.size() + 7, closes.back());
    EXPECT_EQ(evaluate_on("ultimate_oscillator", Bars::from_closes(closes, 0.0)).action,
              Action::kAbstain);
}

}  // namespace
}  // namespace gs::agents
