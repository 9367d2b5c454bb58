#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kAdxDmi;
namespace {

using namespace trend_test;

TEST(AdxDmiTest, StrongUptrendIsBuy) {
    // Every bar a higher high and higher low: -DM is 0, DX is 100, ADX 100.
    const auto r = run(kAdxDmi, from_closes(geometric(100.0, 0.01, 60)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_NEAR(r.value("adx"), 100.0, 1e-9);
    EXPECT_EQ(r.value("minus_di"), 0.0);
    EXPECT_DOUBLE_EQ(r.confidence, 1.0);
}

TEST(AdxDmiTest, StrongDowntrendIsSell) {
    const auto r = run(kAdxDmi, from_closes(geometric(100.0, -0.01, 60)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_GT(r.value("minus_di"), r.value("plus_di"));
}

TEST(AdxDmiTest, ChoppyMarketIsHold) {
    // A zigzag: up and down moves alternate, DIs stay close, ADX low.
    const auto r = run(kAdxDmi, from_closes(sine(100.0, 2.0, 4.0, 80)));
    expect_well_formed(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_LT(r.value("adx"), 25.0);
    EXPECT_GT(r.confidence, 0.0);
}

TEST(AdxDmiTest, FlatIsHoldWithFullConfidence) {
    const auto r = run(kAdxDmi, flat(28));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.value("adx"), 0.0);
    EXPECT_EQ(r.confidence, 1.0);
}

}  // namespace
}  // namespace gs::agents
