#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agents/trend/trend_test_util.h"

namespace gs::agents {
extern const AgentDef kSmaCross;
namespace {

using namespace trend_test;

TEST(SmaCrossTest, UptrendIsBuyWithTheGapInConfidence) {
    // 0.3 %/bar for 260 bars: SMA 50 is ~24 % above SMA 200 (strength 1), no recent cross.
    const auto r = run(kSmaCross, from_closes(geometric(100.0, 0.003, 260)));
    expect_well_formed(r);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_DOUBLE_EQ(r.confidence, 0.7);
    EXPECT_GT(r.value("sma_50"), r.value("sma_200"));
}

TEST(SmaCrossTest, DowntrendIsSell) {
    const auto r = run(kSmaCross, from_closes(geometric(100.0, -0.003, 260)));
    expect_well_formed(r);
    EXPECT_EQ(r.action, Action::kSell);
    EXPECT_DOUBLE_EQ(r.confidence, 0.7);
}

TEST(SmaCrossTest, FreshGoldenCrossIsReportedAndAddsFreshness) {
    // A long fall and then a sharp rise: SMA 50 climbs back over SMA 200 in the last bars.
    const auto closes = then(geometric(100.0, -0.002, 200), geometric(1.0, 0.01, 57));
    const auto r = run(kSmaCross, from_closes(closes));
    expect_well_formed(r);
    ASSERT_EQ(r.action, Action::kBuy) << r.reason;
    EXPECT_NE(r.reason.str().find("crossed"), std::string::npos) << r.reason;
    // gap is small (strength < 1), freshness adds more than 0.3 * 0.5.
    EXPECT_GT(r.confidence, 0.45);
    EXPECT_LT(r.confidence, 1.0);
}

TEST(SmaCrossTest, FlatIsHold) {
    const auto r = run(kSmaCross, flat(200));
    EXPECT_EQ(r.action, Action::kHold);
    EXPECT_EQ(r.score, 0.0);
}

TEST(SmaCrossTest, ASlowSmaOfZeroGivesNoGapInsteadOfADivisionByZero) {
    // Prices that cross zero (spreads, some futures): 50 closes at 3, 150 at -1, 50 at 3 put
    // SMA 200 at exactly 0 while SMA 50 is 3. The gap divided by 0 was inf: strength 1
    // (confidence 0.7) and a reason "by inf%". Like ema_cross, no slow level means no gap.
    std::vector<double> closes(50, 3.0);
    closes.insert(closes.end(), 150, -1.0);
    closes.insert(closes.end(), 50, 3.0);
    const auto r = run(kSmaCross, from_closes(closes, 0.0));
    expect_well_formed(r);
    ASSERT_EQ(r.value("sma_200"), 0.0);
    EXPECT_EQ(r.action, Action::kBuy);
    EXPECT_DOUBLE_EQ(r.confidence, 0.3);  // no gap, no cross in the last 20 bars
    EXPECT_EQ(r.reason.str().find("inf"), std::string::npos) << r.reason;
}

}  // namespace
}  // namespace gs::agents
