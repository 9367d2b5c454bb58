// williams_r agent: %R 14 <= -80 BUY, >= -20 SELL, on hand-made bars.
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

Bars swing_then(std::size_t steps, double step, double wick = 0.2) {
    auto closes = zigzag(20, 100.0, 1.0);
    extend(closes, steps, step);
    return Bars::from_closes(closes, wick);
}

TEST(WilliamsRAgentTest, BuysWhenTheCloseSitsAtTheBottomOfTheRange) {
    const auto r = evaluate_on("williams_r", swing_then(5, -1.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_LE(r.value("willr"), -80.0);
    EXPECT_NEAR(r.confidence, 0.3 + 0.7 * (-80.0 - r.value("willr")) / 20.0, 1e-12);
}

TEST(WilliamsRAgentTest, SellsWhenTheCloseSitsAtTheTopOfTheRange) {
    const auto r = evaluate_on("williams_r", swing_then(5, 1.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_GE(r.value("willr"), -20.0);
}

TEST(WilliamsRAgentTest, HoldsInTheMiddleOfTheRange) {
    // Wide wicks: highest 103, lowest 98, last close 101 -> %R = -100 * 2 / 5 = -40.
    const auto r = evaluate_on("williams_r", Bars::from_closes(zigzag(20, 100.0, 1.0), 2.0));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_NEAR(r.value("willr"), -40.0, 1e-9);
    EXPECT_NEAR(r.confidence, 1.0 - 10.0 / 30.0, 1e-12);
}

TEST(WilliamsRAgentTest, AbstainsWithoutAPriceRange) {
    const auto r = evaluate_on("williams_r", Bars::flat(20, 10.0, 1000.0));
    EXPECT_EQ(r.action, Action::kAbstain);
    EXPECT_NE(r.reason.str().find("range"), std::string::npos);
}

}  // namespace
}  // namespace gs::agents
