#include <gtest/gtest.h>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kLinregSlope;
namespace {

using namespace trend_test;

std::vector<double> line(double from, double step, std::size_t n) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = from + step * static_cast<double>(i);
    }
    return v;
}

TEST(LinregSlopeAgentTest, SteepRiseIsBuy) {
    // Closes 100, 100.5, ..., 109.5: slope 0.5, pct = 100 * 0.5 / 109.5 = 0.4566 %/bar,
    // confidence 0.3 + 0.7 * (0.4566 - 0.1) / 0.4.
    const auto r = run(kLinregSlope, from_closes(line(100.0, 0.5, 20)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy);
    EXPECT_NEAR(r.value("linreg_slope"), 0.5, 1e-9);
    const double pct = 50.0 / 109.5;
    EXPECT_NEAR(r.confidence, 0.3 + 0.7 * (pct - 0.1) / 0.4, 1e-9);
}

TEST(LinregSlopeAgentTest, SteepFallIsSell) {
    const auto r = run(kLinregSlope, from_closes(line(100.0, -0.5, 20)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kSell);
    EXPECT_NEAR(r.value("linreg_slope"), -0.5, 1e-9);
}

TEST(LinregSlopeAgentTest, GentleRiseIsHoldLeaningUp) {
    // Slope 0.05 on ~101: 0.0496 %/bar, under the 0.1 threshold.
    const auto r = run(kLinregSlope, from_closes(line(100.0, 0.05, 20)));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kHold);
    const double pct = 5.0 / 100.95;
    EXPECT_NEAR(r.confidence, 1.0 - pct / 0.1, 1e-9);
    EXPECT_NEAR(r.score, 0.5 * pct / 0.1, 1e-9);
}

TEST(LinregSlopeAgentTest, FlatIsHold) {
    const auto r = run(kLinregSlope, flat(20));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_NEAR(r.confidence, 1.0, 1e-12);
}

}  // namespace
}  // namespace gs::agents
