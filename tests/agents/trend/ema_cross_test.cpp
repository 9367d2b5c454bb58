#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kEmaCross;
namespace {

using namespace trend_test;

TEST(EmaCrossTest, UptrendIsBuy) {
    const auto r = run(kEmaCross, from_closes(geometric(100.0, 0.004, 80)));
    expect_well_formed(r);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_GT(r.value("ema_12"), r.value("ema_26"));
    // 0.4 %/bar: the EMAs are ~2.7 % apart, a fully opened cross; none in the last 10 bars.
    EXPECT_DOUBLE_EQ(r.confidence, 0.7);
}

TEST(EmaCrossTest, DowntrendIsSell) {
    const auto r = run(kEmaCross, from_closes(geometric(100.0, -0.004, 80)));
    expect_well_formed(r);
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_LT(r.value("ema_12"), r.value("ema_26"));
}

TEST(EmaCrossTest, FreshCrossIsStrongerThanAStaleOneOfTheSameSide) {
    // Falling, then rising for 12 bars: EMA 12 has just crossed over EMA 26.
    const auto fresh =
        run(kEmaCross, from_closes(then(geometric(100.0, -0.004, 60), geometric(1.0, 0.02, 13))));
    ASSERT_EQ(fresh.action, Action::kBuy) << fresh.reason;
    EXPECT_NE(fresh.reason.str().find("crossed"), std::string::npos);
    const auto stale = run(kEmaCross, from_closes(geometric(100.0, 0.0005, 80)));
    ASSERT_EQ(stale.action, Action::kBuy);
    EXPECT_GT(fresh.confidence, stale.confidence);
}

TEST(EmaCrossTest, FlatIsHold) {
    const auto r = run(kEmaCross, flat(26));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.confidence, 1.0);
}

}  // namespace
}  // namespace gs::agents
