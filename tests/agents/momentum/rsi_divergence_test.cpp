// rsi_divergence agent: price lower low with RSI higher low BUY, the mirror SELL, on
// hand-made closes.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "agents/momentum/momentum_test_bars.h"
#include "goldensignals/indicators/rsi.h"

namespace gs::agents {
namespace {

using momentum_test::Bars;
using momentum_test::evaluate_on;
using momentum_test::expect_valid;
using momentum_test::extend;
using momentum_test::mirrored;
using momentum_test::zigzag;

// 44 closes. A sideways swing, a sharp 3-bar drop to 93.5 (bar 32, inside the earlier part
// of the 20-bar window), a bounce, then a slow grind with small rallies to a lower low of
// 92.2 (bar 42, inside the last 5 bars): the slow fall leaves RSI higher than at the drop.
std::vector<double> lower_low_with_weaker_selling() {
    auto closes = zigzag(30, 100.0, 1.0);
    extend(closes, 3, -2.5);
    extend(closes, 3, 1.0);
    for (int i = 0; i < 3; ++i) {
        extend(closes, 1, -1.5);
        extend(closes, 1, 0.6);
    }
    extend(closes, 1, -1.6);
    extend(closes, 1, 0.5);
    return closes;
}

TEST(RsiDivergenceAgentTest, BuysOnALowerLowWithAHigherRsiLow) {
    const auto closes = lower_low_with_weaker_selling();
    ASSERT_EQ(closes.size(), 44u);
    ASSERT_DOUBLE_EQ(closes[32], 93.5);
    ASSERT_NEAR(closes[42], 92.2, 1e-9);
    std::vector<double> rsi(closes.size());
    indicators::rsi(closes, 14, rsi);
    ASSERT_GT(rsi[42], rsi[32]);  // the divergence itself
    const auto r = evaluate_on("rsi_divergence", Bars::from_closes(closes));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    const double expected = 0.3 + 0.4 * std::min((rsi[42] - rsi[32]) / 10.0, 1.0) +
                            0.3 * std::min((93.5 - closes[42]) / 93.5 / 0.02, 1.0);
    EXPECT_NEAR(r.confidence, expected, 1e-9);
}

TEST(RsiDivergenceAgentTest, SellsOnAHigherHighWithALowerRsiHigh) {
    const auto r = evaluate_on("rsi_divergence",
                               Bars::from_closes(mirrored(lower_low_with_weaker_selling(), 100.0)));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
}

TEST(RsiDivergenceAgentTest, HoldsWhenRsiConfirmsTheNewLow) {
    // A steady fall: each low is lower and so is RSI. No divergence.
    auto closes = zigzag(30, 100.0, 1.0);
    extend(closes, 20, -0.5);
    const auto r = evaluate_on("rsi_divergence", Bars::from_closes(closes));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_GT(r.score, 0.0);  // RSI below 50 leans a little to buy
}

TEST(RsiDivergenceAgentTest, HoldsInASidewaysSwingWithoutNewExtremes) {
    const auto r = evaluate_on("rsi_divergence", Bars::from_closes(zigzag(40, 100.0, 1.0)));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_GT(r.confidence, 0.9);
}

TEST(RsiDivergenceAgentTest, AbstainsWhenTheCloseIsFlatOverTheWindow) {
    auto closes = zigzag(30, 100.0, 1.0);
    closes.resize(closes.size() + 20, closes.back());
    EXPECT_EQ(evaluate_on("rsi_divergence", Bars::from_closes(closes)).action, Action::kAbstain);
}

}  // namespace
}  // namespace gs::agents
