// stoch_rsi agent: StochRSI %K <= 20 BUY, >= 80 SELL, on hand-made closes.
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

// A 30-bar sine wave of amplitude 5 around 100, `count` bars long.
std::vector<double> sine(std::size_t count) {
    std::vector<double> closes(count);
    for (std::size_t i = 0; i < count; ++i) {
        closes[i] = 100.0 + 5.0 * std::sin(2.0 * M_PI * static_cast<double>(i) / 30.0);
    }
    return closes;
}

TEST(StochRsiAgentTest, BuysWhenRsiIsAtTheBottomOfItsRange) {
    // A long rise, then five falling bars: RSI at its 14-bar low, %K = %D = 0.
    std::vector<double> closes = {100.0};
    extend(closes, 40, 1.0);
    extend(closes, 5, -1.0);
    const auto r = evaluate_on("stoch_rsi", Bars::from_closes(closes));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_DOUBLE_EQ(r.value("stochrsi_k"), 0.0);
    EXPECT_DOUBLE_EQ(r.confidence, 1.0);
}

TEST(StochRsiAgentTest, SellsWhenRsiIsAtTheTopOfItsRange) {
    std::vector<double> closes = {140.0};
    extend(closes, 40, -1.0);
    extend(closes, 5, 1.0);
    const auto r = evaluate_on("stoch_rsi", Bars::from_closes(closes));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_DOUBLE_EQ(r.value("stochrsi_k"), 100.0);
}

TEST(StochRsiAgentTest, HoldsMidRangeAndConfirmationByDRaisesConfidence) {
    const auto mid = evaluate_on("stoch_rsi", Bars::from_closes(sine(72)));
    expect_valid(mid);
    EXPECT_EQ(mid.action, Action::kHold) << mid.reason;
    EXPECT_GT(mid.value("stochrsi_k"), 20.0);
    EXPECT_LT(mid.value("stochrsi_k"), 80.0);
    // Both at %K = 0 on the way down the wave; %D still 27 on the first bar, 7 on the next.
    const auto early = evaluate_on("stoch_rsi", Bars::from_closes(sine(74)));
    const auto confirmed = evaluate_on("stoch_rsi", Bars::from_closes(sine(75)));
    ASSERT_EQ(early.action, Action::kBuy) << early.reason;
    ASSERT_EQ(confirmed.action, Action::kBuy) << confirmed.reason;
    EXPECT_EQ(early.value("stochrsi_k"), confirmed.value("stochrsi_k"));
    EXPECT_GT(early.value("stochrsi_d"), confirmed.value("stochrsi_d"));
    EXPECT_GT(confirmed.confidence, early.confidence);
}

TEST(StochRsiAgentTest, AbstainsWhenRsiIsFlat) {
    const auto r = evaluate_on("stoch_rsi", Bars::flat(40, 12.0, 0.0));
    EXPECT_EQ(r.action, Action::kAbstain);
    EXPECT_NE(r.reason.str().find("RSI"), std::string::npos);
}

}  // namespace
}  // namespace gs::agents
