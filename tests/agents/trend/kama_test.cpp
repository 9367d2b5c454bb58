#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kKama;
namespace {

using namespace trend_test;

TEST(KamaAgentTest, CloseAboveRisingKamaIsBuy) {
    const auto r = run(kKama, from_closes(geometric(100.0, 0.01, 30)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_LT(r.value("kama"), 100.0 * std::pow(1.01, 29));
}

TEST(KamaAgentTest, CloseBelowFallingKamaIsSell) {
    const auto r = run(kKama, from_closes(geometric(100.0, -0.01, 30)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell) << r.reason;
}

TEST(KamaAgentTest, DropUnderAStillRisingKamaIsHold) {
    // Rising, then one bar falls 3 %: the close is under KAMA, which is still above its
    // value of 5 bars ago.
    auto closes = geometric(100.0, 0.01, 30);
    closes.push_back(closes.back() * 0.97);
    const auto r = run(kKama, from_closes(closes));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_LT(r.score, 0.0);
}

TEST(KamaAgentTest, FlatIsHold) {
    const auto r = run(kKama, flat(16));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.confidence, 1.0);
}

}  // namespace
}  // namespace gs::agents
