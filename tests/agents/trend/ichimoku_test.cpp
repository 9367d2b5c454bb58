#include <gtest/gtest.h>

#include <algorithm>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kIchimoku;
namespace {

using namespace trend_test;

TEST(IchimokuAgentTest, AboveTheCloudWithTenkanOverKijunIsBuy) {
    const auto r = run(kIchimoku, from_closes(geometric(100.0, 0.005, 120)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_GT(r.value("tenkan"), r.value("kijun"));
    // Rising: the projected cloud is bullish too (senkou_a over senkou_b).
    EXPECT_GT(r.value("senkou_a"), r.value("senkou_b"));
}

TEST(IchimokuAgentTest, BelowTheCloudWithTenkanUnderKijunIsSell) {
    const auto r = run(kIchimoku, from_closes(geometric(100.0, -0.005, 120)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_LT(r.value("tenkan"), r.value("kijun"));
}

TEST(IchimokuAgentTest, InsideTheCloudIsHold) {
    // An oscillation, then the last close set to the middle of the cloud that applies to it
    // (senkou values of 26 bars earlier, which the last bar cannot change).
    auto closes = sine(100.0, 6.0, 30.0, 120);
    auto b = from_closes(closes);
    SeriesSet s;
    kIchimoku.series(b.view(), s);
    const std::size_t cloud = 119 - 26;
    const double a = series_of(s, "senkou_a")[cloud];
    const double bb = series_of(s, "senkou_b")[cloud];
    ASSERT_NE(a, bb);
    closes.back() = (a + bb) / 2.0;
    const auto r = run(kIchimoku, from_closes(closes));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_NE(r.reason.str().find("inside the cloud"), std::string::npos);
    EXPECT_NEAR(r.confidence, 1.0, 1e-9);
}

TEST(IchimokuAgentTest, NeedsTheCloudFromTwentySixBarsBack) {
    EXPECT_EQ(kIchimoku.min_bars, 78u);
    const auto r = run(kIchimoku, flat(78));
    EXPECT_EQ(r.action, Action::kHold);
}

}  // namespace
}  // namespace gs::agents
