#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kEmaRibbon;
namespace {

using namespace trend_test;

TEST(EmaRibbonTest, FullyOrderedUpIsBuy) {
    // 0.3 %/bar: every faster EMA above the slower one, ribbon ~16 % wide (spread 1).
    const auto r = run(kEmaRibbon, from_closes(geometric(100.0, 0.003, 150)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_DOUBLE_EQ(r.confidence, 1.0);
    EXPECT_GT(r.value("ema_8"), r.value("ema_13"));
    EXPECT_GT(r.value("ema_55"), r.value("ema_89"));
}

TEST(EmaRibbonTest, FullyOrderedDownIsSell) {
    const auto r = run(kEmaRibbon, from_closes(geometric(100.0, -0.003, 150)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell) << r.reason;
}

TEST(EmaRibbonTest, PartlyOrderedIsWeaker) {
    // A long rise then a short dip: the fast EMAs turn down first, the slow ones stay up.
    const auto full = run(kEmaRibbon, from_closes(geometric(100.0, 0.003, 150)));
    const auto partly =
        run(kEmaRibbon, from_closes(then(geometric(100.0, 0.003, 150), geometric(1.0, -0.008, 9))));
    expect_well_formed(partly);
    EXPECT_LT(partly.score, full.score);
    EXPECT_GT(partly.score, 0.0);
}

TEST(EmaRibbonTest, TangledRibbonIsHold) {
    // A long rise, then a month of decline: fast EMAs have turned under, slow ones not yet.
    const auto r = run(kEmaRibbon,
                       from_closes(then(geometric(100.0, 0.003, 120), geometric(1.0, -0.004, 26))));
    expect_well_formed(r);
    EXPECT_EQ(r.action, Action::kHold) << r.reason;
}

TEST(EmaRibbonTest, FlatIsHold) {
    const auto r = run(kEmaRibbon, flat(89));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.confidence, 1.0);
}

}  // namespace
}  // namespace gs::agents
