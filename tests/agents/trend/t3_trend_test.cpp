#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kT3Trend;
namespace {

using namespace trend_test;

TEST(T3TrendTest, CloseAboveRisingT3IsBuy) {
    const auto r = run(kT3Trend, from_closes(geometric(100.0, 0.01, 40)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_LT(r.value("t3"), 100.0 * std::pow(1.01, 39));
}

TEST(T3TrendTest, CloseBelowFallingT3IsSell) {
    const auto r = run(kT3Trend, from_closes(geometric(100.0, -0.01, 40)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell) << r.reason;
}

TEST(T3TrendTest, DropUnderAStillRisingT3IsHold) {
    auto closes = geometric(100.0, 0.01, 40);
    closes.push_back(closes.back() * 0.96);
    const auto r = run(kT3Trend, from_closes(closes));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_LT(r.score, 0.0);
}

TEST(T3TrendTest, FlatIsHold) {
    const auto r = run(kT3Trend, flat(26));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_NEAR(r.confidence, 1.0, 1e-9);
}

}  // namespace
}  // namespace gs::agents
