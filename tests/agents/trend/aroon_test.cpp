#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kAroon;
namespace {

using namespace trend_test;

TEST(AroonAgentTest, NewHighsAreBuy) {
    // Highest high today (up 100), lowest low 25 bars ago (down 0): oscillator 100.
    const auto r = run(kAroon, from_closes(geometric(100.0, 0.005, 40)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy);
    EXPECT_EQ(r.value("aroon_up"), 100.0);
    EXPECT_EQ(r.value("aroon_down"), 0.0);
    EXPECT_DOUBLE_EQ(r.confidence, 1.0);
}

TEST(AroonAgentTest, NewLowsAreSell) {
    const auto r = run(kAroon, from_closes(geometric(100.0, -0.005, 40)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell);
    EXPECT_DOUBLE_EQ(r.confidence, 1.0);
}

TEST(AroonAgentTest, OldExtremesOnBothSidesAreHold) {
    // Flat bars with a spike high 20 bars ago and a spike low 21 bars ago:
    // up = 100 * (25 - 20) / 25 = 20, down = 100 * (25 - 21) / 25 = 16.
    auto b = flat(40);
    b.high[40 - 21] = 110.0;
    b.low[40 - 22] = 90.0;
    const auto r = run(kAroon, b);
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kHold);
    EXPECT_DOUBLE_EQ(r.value("aroon_up"), 20.0);
    EXPECT_DOUBLE_EQ(r.value("aroon_down"), 16.0);
    EXPECT_DOUBLE_EQ(r.confidence, 0.96);
    EXPECT_DOUBLE_EQ(r.score, 0.02);
}

TEST(AroonAgentTest, ThresholdsAreInclusive) {
    // Highest high 7 bars ago -> up = 100 * 18 / 25 = 72; lowest low 18 bars ago -> 28.
    auto b = flat(40);
    for (std::size_t i = 0; i < 40; ++i) {
        b.high[i] = 100.0;
        b.low[i] = 99.0;
    }
    b.high[39 - 7] = 105.0;
    b.low[39 - 18] = 95.0;
    const auto r = run(kAroon, b);
    ASSERT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_DOUBLE_EQ(r.value("aroon_up"), 72.0);
    EXPECT_DOUBLE_EQ(r.value("aroon_down"), 28.0);
    // 0.3 + 0.7 * (44 - 40) / 60
    EXPECT_NEAR(r.confidence, 0.3 + 0.7 * 4.0 / 60.0, 1e-12);
}

}  // namespace
}  // namespace gs::agents
