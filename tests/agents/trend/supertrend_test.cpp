#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kSupertrend;
namespace {

using namespace trend_test;

TEST(SupertrendAgentTest, UptrendIsBuy) {
    const auto r = run(kSupertrend, from_closes(geometric(100.0, 0.01, 40)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy);
    EXPECT_EQ(r.value("supertrend_dir"), 1.0);
    EXPECT_LT(r.value("supertrend"), 100.0 * std::pow(1.01, 39));
}

TEST(SupertrendAgentTest, DowntrendIsSell) {
    const auto r = run(kSupertrend, from_closes(geometric(100.0, -0.01, 40)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell);
    EXPECT_EQ(r.value("supertrend_dir"), -1.0);
}

TEST(SupertrendAgentTest, RecentFlipAddsConfidence) {
    // Up 30 bars, then a hard fall: the direction flips to -1 within the last bars.
    const auto r =
        run(kSupertrend, from_closes(then(geometric(100.0, 0.005, 30), geometric(1.0, -0.04, 5))));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_NE(r.reason.str().find("flipped"), std::string::npos) << r.reason;
    EXPECT_GT(r.confidence, 0.4 + 0.3 * 0.7);
}

TEST(SupertrendAgentTest, FlatIsHold) {
    const auto r = run(kSupertrend, flat(11));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.confidence, 1.0);
}

}  // namespace
}  // namespace gs::agents
