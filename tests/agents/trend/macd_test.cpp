#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kMacd;
namespace {

using namespace trend_test;

TEST(MacdAgentTest, BreakoutUpIsBuyWithAFreshCross) {
    // Flat, then 8 bars rising 1 %: the MACD line jumps over its signal.
    const auto r =
        run(kMacd, from_closes(then(std::vector<double>(60, 100.0), geometric(1.0, 0.01, 9))));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_GT(r.value("macd_hist"), 0.0);
    EXPECT_GT(r.value("macd"), 0.0);
    EXPECT_NE(r.reason.str().find("signal cross"), std::string::npos) << r.reason;
    EXPECT_GT(r.confidence, 0.7);
}

TEST(MacdAgentTest, BreakdownIsSell) {
    const auto r =
        run(kMacd, from_closes(then(std::vector<double>(60, 100.0), geometric(1.0, -0.01, 9))));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_LT(r.value("macd_hist"), 0.0);
}

TEST(MacdAgentTest, FadingRallyTurnsToSellBeforeTheLineGoesNegative) {
    // Up 30 bars then down 6: the histogram turns negative while MACD is still above zero,
    // so the confirmation part (0.1) is missing.
    const auto r =
        run(kMacd, from_closes(then(geometric(100.0, 0.01, 60), geometric(1.0, -0.01, 7))));
    ASSERT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_GT(r.value("macd"), 0.0);
    EXPECT_LT(r.confidence, 0.9 + 1e-12);
}

TEST(MacdAgentTest, FlatIsHold) {
    const auto r = run(kMacd, flat(34));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.value("macd_hist"), 0.0);
}

}  // namespace
}  // namespace gs::agents
