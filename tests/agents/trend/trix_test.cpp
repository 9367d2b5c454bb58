#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kTrix;
namespace {

using namespace trend_test;

TEST(TrixAgentTest, AcceleratingRiseIsBuy) {
    // Flat, then 30 bars up 1 %: TRIX climbs towards 1 % and leads its signal.
    const auto r =
        run(kTrix, from_closes(then(std::vector<double>(60, 100.0), geometric(1.0, 0.01, 31))));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_GT(r.value("trix"), r.value("trix_signal"));
    EXPECT_GT(r.value("trix"), 0.0);
}

TEST(TrixAgentTest, AcceleratingFallIsSell) {
    const auto r =
        run(kTrix, from_closes(then(std::vector<double>(60, 100.0), geometric(1.0, -0.01, 31))));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell) << r.reason;
    EXPECT_LT(r.value("trix"), 0.0);
}

TEST(TrixAgentTest, RisingButUnderItsSignalIsHold) {
    // Up 60 bars, then 6 flat bars: TRIX is still positive but has dipped under its signal.
    const auto r =
        run(kTrix, from_closes(then(geometric(100.0, 0.01, 60), std::vector<double>(6, 1.0))));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kHold) << r.reason;
    EXPECT_GT(r.value("trix"), 0.0);
    EXPECT_LT(r.value("trix"), r.value("trix_signal"));
    EXPECT_LT(r.confidence, 1.0);
}

TEST(TrixAgentTest, FlatIsHold) {
    const auto r = run(kTrix, flat(52));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.confidence, 1.0);
}

}  // namespace
}  // namespace gs::agents
