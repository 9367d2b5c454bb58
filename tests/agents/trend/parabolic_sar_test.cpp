#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kParabolicSar;
namespace {

using namespace trend_test;

TEST(ParabolicSarAgentTest, UptrendIsBuy) {
    const auto r = run(kParabolicSar, from_closes(geometric(100.0, 0.01, 40)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy);
    EXPECT_LT(r.value("sar"), 100.0 * std::pow(1.01, 39));
}

TEST(ParabolicSarAgentTest, DowntrendIsSell) {
    const auto r = run(kParabolicSar, from_closes(geometric(100.0, -0.01, 40)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell);
}

TEST(ParabolicSarAgentTest, RecentFlipIsStrongerThanAnOldTrend) {
    const auto old_trend = run(kParabolicSar, from_closes(geometric(100.0, 0.01, 40)));
    // Down 30 bars then up 4: the SAR flipped under the price a couple of bars ago.
    const auto flipped =
        run(kParabolicSar, from_closes(then(geometric(100.0, -0.01, 30), geometric(1.0, 0.02, 5))));
    ASSERT_EQ(flipped.action, Action::kBuy) << flipped.reason;
    EXPECT_NE(flipped.reason.str().find("flipped"), std::string::npos) << flipped.reason;
    EXPECT_GT(flipped.confidence, old_trend.confidence);
}

TEST(ParabolicSarAgentTest, FlatIsHoldAndTwoBarsAreEnough) {
    EXPECT_EQ(run(kParabolicSar, flat(2)).action, Action::kHold);
    // Bar 1 makes a higher low (no -DM): long, SAR = bar 0's low, under the close.
    auto b = from_closes({100.0, 101.0});
    b.low[1] = 100.5;
    const auto r = run(kParabolicSar, b);
    expect_well_formed(r);
    EXPECT_EQ(r.action, Action::kBuy);
}

}  // namespace
}  // namespace gs::agents
