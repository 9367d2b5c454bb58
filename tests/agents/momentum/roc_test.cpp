// roc agent: ROC 12 beyond one 50-bar standard deviation, on hand-made closes.
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

// A 25-bar sine wave of amplitude 5 around 100, `count` bars long.
std::vector<double> sine(std::size_t count) {
    std::vector<double> closes(count);
    for (std::size_t i = 0; i < count; ++i) {
        closes[i] = 100.0 + 5.0 * std::sin(2.0 * M_PI * static_cast<double>(i) / 25.0);
    }
    return closes;
}

TEST(RocAgentTest, BuysOnARiseBeyondOneSigma) {
    auto closes = zigzag(60, 100.0, 1.0);
    extend(closes, 12, 1.0);
    const auto r = evaluate_on("roc", Bars::from_closes(closes));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kBuy) << r.reason;
    // The swing ends on 101; twelve bars of +1 later the close is 113.
    EXPECT_NEAR(r.value("roc"), (113.0 / 101.0 - 1.0) * 100.0, 1e-9);
}

TEST(RocAgentTest, SellsOnAFallBeyondOneSigma) {
    auto closes = zigzag(60, 100.0, 1.0);
    extend(closes, 12, -1.0);
    const auto r = evaluate_on("roc", Bars::from_closes(closes));
    expect_valid(r);
    EXPECT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_LT(r.value("roc"), 0.0);
}

TEST(RocAgentTest, HoldsWithinOneSigmaAndScalesWithTheDistance) {
    const auto calm = evaluate_on("roc", Bars::from_closes(sine(76)));  // ROC near 0
    expect_valid(calm);
    EXPECT_EQ(calm.action, Action::kHold) << calm.reason;
    EXPECT_GT(calm.confidence, 0.8);
    const auto edge = evaluate_on("roc", Bars::from_closes(sine(85)));  // just past a sigma
    const auto peak = evaluate_on("roc", Bars::from_closes(sine(82)));  // the wave's top ROC
    ASSERT_EQ(edge.action, Action::kBuy) << edge.reason;
    ASSERT_EQ(peak.action, Action::kBuy) << peak.reason;
    EXPECT_GT(peak.value("roc"), edge.value("roc"));
    EXPECT_GT(peak.confidence, edge.confidence);
}

TEST(RocAgentTest, AbstainsWhenRocNeverVaries) {
    // An even-period swing: every close equals the one 12 bars before, ROC is always 0.
    const auto r = evaluate_on("roc", Bars::from_closes(zigzag(70, 100.0, 1.0)));
    EXPECT_EQ(r.action, Action::kAbstain);
    EXPECT_EQ(r.value("roc"), 0.0);
}

}  // namespace
}  // namespace gs::agents
