// Adaptive weighting (docs/backtest.md "Adaptive weighting") against figures worked by hand.
// Closes 100, 101, 102, 101, 100, 99, 98 at bars 0..6; agent "bull" always BUYs and agent "bear"
// always SELLs (confidence 1, both trend), so with horizon 1 bull is right at bars 0 and 1 and
// wrong from bar 2 on, bear the opposite. The multiplier m = clamp((hits + 1) / (misses + 1),
// 0.5, 2) over an agent's last `window` calls judged by bar t:
//
//   bar t            0    1    2    3     4    5     6
//   bull (window 50) 1    2    2    3/2   1    3/4   3/5
//   bear (window 50) 1    1/2  1/2  2/3   1    4/3   5/3
//   bull (window 3)  1    2    2    3/2   2/3  1/2   1/2
//   bear (window 3)  1    1/2  1/2  2/3   3/2  2     2
//
// Within the trend category the score is (m_bull - m_bear) / (m_bull + m_bear), so with window
// 50 the adaptive consensus is HOLD 0, BUY 0.6, BUY 0.6, BUY 5/13, HOLD 0, SELL -0.28, SELL -8/17;
// the static consensus (both weights 1) is HOLD 0 at every bar.
#include "goldensignals/backtest/adaptive.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "agents/agent_test_util.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/backtest/figures.h"
#include "goldensignals/backtest/run.h"
#include "goldensignals/backtest/walk_forward.h"
#include "goldensignals/consensus/consensus.h"

namespace gs::backtest {
namespace {

using agents::Action;
using agents::AgentDef;
using agents::AgentResult;
using agents::Category;

AgentResult always(Action action, double confidence) {
    AgentResult r;
    r.action = action;
    r.confidence = confidence;
    r.score = action == Action::kBuy ? confidence : action == Action::kSell ? -confidence : 0.0;
    return r;
}
AgentResult bull(const market::BarsView&, agents::Workspace&) {
    return always(Action::kBuy, 1.0);
}
AgentResult bear(const market::BarsView&, agents::Workspace&) {
    return always(Action::kSell, 1.0);
}
AgentResult holder(const market::BarsView&, agents::Workspace&) {
    return always(Action::kHold, 0.0);
}
AgentResult half_buy(const market::BarsView&, agents::Workspace&) {
    return always(Action::kBuy, 0.5);
}
void no_series(const market::BarsView&, agents::SeriesSet&) {}

const AgentDef kBull{"bull", Category::kTrend, "{}", 1, bull, no_series};
const AgentDef kBear{"bear", Category::kTrend, "{}", 1, bear, no_series};
const AgentDef kHolder{"holder", Category::kTrend, "{}", 1, holder, no_series};
const AgentDef kMomentum{"mom", Category::kMomentum, "{}", 1, half_buy, no_series};

const std::vector<double> kCloses{100, 101, 102, 101, 100, 99, 98};

// The multipliers before each bar's verdicts, bar by bar: {bull, bear, holder}.
std::vector<std::vector<double>> multipliers_over(AdaptiveOptions options) {
    AdaptiveWeights weights(3, options);
    const std::vector<AgentResult> verdicts{always(Action::kBuy, 1.0), always(Action::kSell, 1.0),
                                            always(Action::kHold, 0.0)};
    std::vector<std::vector<double>> out;
    for (const double close : kCloses) {
        weights.on_bar(close);
        out.emplace_back(weights.multipliers().begin(), weights.multipliers().end());
        weights.on_verdicts(verdicts);
    }
    return out;
}

void expect_column(const std::vector<std::vector<double>>& got, std::size_t agent,
                   const std::vector<double>& expected) {
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t t = 0; t < expected.size(); ++t) {
        EXPECT_NEAR(got[t][agent], expected[t], 1e-15) << "agent " << agent << " bar " << t;
    }
}

TEST(AdaptiveWeightsTest, MultipleIsTheSmoothedOddsOfAHitBounded) {
    EXPECT_DOUBLE_EQ(adaptive_multiple(0, 0), 1.0);  // no call yet: the base weight
    EXPECT_DOUBLE_EQ(adaptive_multiple(1, 0), 2.0);
    EXPECT_DOUBLE_EQ(adaptive_multiple(2, 1), 1.5);
    EXPECT_DOUBLE_EQ(adaptive_multiple(1, 2), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(adaptive_multiple(0, 1), 0.5);
    EXPECT_DOUBLE_EQ(adaptive_multiple(9, 0), kMaxMultiple);  // 10 clamped
    EXPECT_DOUBLE_EQ(adaptive_multiple(0, 9), kMinMultiple);  // 0.1 clamped
}

TEST(AdaptiveWeightsTest, HandWorkedSeriesHorizonOne) {
    const auto m = multipliers_over({.horizon = 1, .window = 50});
    expect_column(m, 0, {1, 2, 2, 1.5, 1, 0.75, 0.6});
    expect_column(m, 1, {1, 0.5, 0.5, 2.0 / 3.0, 1, 4.0 / 3.0, 5.0 / 3.0});
    expect_column(m, 2, {1, 1, 1, 1, 1, 1, 1});  // HOLD is not a call
}

TEST(AdaptiveWeightsTest, OnlyTheLastWindowCallsCount) {
    const auto m = multipliers_over({.horizon = 1, .window = 3});
    expect_column(m, 0, {1, 2, 2, 1.5, 2.0 / 3.0, 0.5, 0.5});
    expect_column(m, 1, {1, 0.5, 0.5, 2.0 / 3.0, 1.5, 2, 2});
}

// Horizon 2: a call at bar u is judged at bar u + 2 only. Bar 1's calls meet an equal close at
// bar 3 (101 and 101): a miss for both, as in the backtest's hit rule.
TEST(AdaptiveWeightsTest, HandWorkedSeriesHorizonTwo) {
    const auto m = multipliers_over({.horizon = 2, .window = 50});
    // bull: bar 2 judges bar 0 (100 -> 102) a hit; bar 3 judges bar 1 (101 -> 101) a miss;
    // bars 4, 5 and 6 judge bars 2, 3 and 4 (falling closes) misses.
    expect_column(m, 0, {1, 1, 2, 1, 2.0 / 3.0, 0.5, 0.5});
    // bear: miss, miss, hit, hit, hit.
    expect_column(m, 1, {1, 1, 0.5, 0.5, 2.0 / 3.0, 1, 4.0 / 3.0});
    EXPECT_EQ(AdaptiveWeights(1, {.horizon = 2}).calls(0), 0u);
}

// The multipliers scale an agent's weight inside its category only: the category's share of the
// vote is kept. trend: bull x2 (BUY 1), bear x0.5 (SELL 1): trend score (2 - 0.5) / 2.5 = 0.6;
// momentum: one agent (BUY 0.5) whatever its multiplier: 0.5. Consensus 0.5 x 0.6 + 0.5 x 0.5.
TEST(AdaptiveWeightsTest, ConsensusScalesAgentsInsideTheirCategory) {
    const std::vector<const AgentDef*> defs{&kBull, &kBear, &kMomentum};
    const std::vector<AgentResult> results{always(Action::kBuy, 1.0), always(Action::kSell, 1.0),
                                           always(Action::kBuy, 0.5)};
    const std::vector<double> m{2.0, 0.5, 0.5};
    const auto c = consensus::build(results, defs, consensus::Config{}, m);
    EXPECT_NEAR(c.categories[0].score, 0.6, 1e-15);
    EXPECT_NEAR(c.categories[1].score, 0.5, 1e-15);
    EXPECT_NEAR(c.score, 0.55, 1e-15);
    EXPECT_EQ(c.action, Action::kBuy);
    // Multipliers of 1 are the static consensus, to the bit.
    const std::vector<double> ones(3, 1.0);
    const auto unit = consensus::build(results, defs, consensus::Config{}, ones);
    const auto plain = consensus::build(results, defs, consensus::Config{});
    EXPECT_EQ(unit.score, plain.score);
    EXPECT_EQ(unit.confidence, plain.confidence);
    EXPECT_EQ(plain.categories[0].score, 0.0);
}

market::BarsView view_of(const std::vector<std::int64_t>& time, const std::vector<double>& close) {
    return {time, close, close, close, close, close};
}

TEST(AdaptiveWalkTest, HandWorkedConsensusAndStaticSideBySide) {
    const std::vector<const AgentDef*> defs{&kBull, &kBear};
    const std::vector<std::int64_t> time{1, 2, 3, 4, 5, 6, 7};
    const auto bars = view_of(time, kCloses);
    const AdaptiveOptions adaptive{.horizon = 1, .window = 50};
    const Trace trace = walk_forward(defs, consensus::Config{}, bars, &adaptive);
    ASSERT_EQ(trace.adaptive_consensus.action.size(), 7u);
    const std::vector<Action> actions{Action::kHold, Action::kBuy,  Action::kBuy, Action::kBuy,
                                      Action::kHold, Action::kSell, Action::kSell};
    const std::vector<double> scores{0, 0.6, 0.6, 5.0 / 13.0, 0, -0.28, -8.0 / 17.0};
    for (std::size_t t = 0; t < 7; ++t) {
        EXPECT_EQ(trace.adaptive_consensus.action[t], actions[t]) << t;
        EXPECT_NEAR(trace.adaptive_consensus.score[t], scores[t], 1e-12) << t;
        EXPECT_EQ(trace.consensus.action[t], Action::kHold) << t;  // static: a tie
        EXPECT_EQ(trace.consensus.score[t], 0.0) << t;
        EXPECT_NEAR(trace.adaptive_categories[0].score[t], scores[t], 1e-12) << t;
    }

    // The figures: adaptive calls BUY@1 (102 > 101 hit), BUY@2 (101 < 102 miss), BUY@3 (miss),
    // SELL@5 (98 < 99 hit); bar 6's SELL has no forward close. Long/short: +1 over bars 1..4,
    // flat over 4..5, -1 over 5..6: equity 102/101 x 101/102 x 100/101 x 100/99.
    Options options;
    options.weighting = Weighting::kAdaptive;
    const Report report = run(defs, consensus::Config{}, bars, {0, 7}, options);
    EXPECT_EQ(report.bars, 7u);
    EXPECT_DOUBLE_EQ(report.summary.hit_rate, 0.5);
    EXPECT_NEAR(report.summary.total_return, 10000.0 / 9999.0 - 1.0, 1e-14);
    EXPECT_EQ(report.summary.trades, 3u);  // 0 -> +1 at 1, +1 -> 0 at 4, 0 -> -1 at 5
    ASSERT_TRUE(report.static_summary.has_value());
    EXPECT_TRUE(std::isnan(report.static_summary->hit_rate));  // static: no call at all
    EXPECT_EQ(report.static_summary->total_return, 0.0);
    EXPECT_EQ(report.static_summary->trades, 0u);
    // The agents' own figures do not depend on the weighting.
    EXPECT_EQ(report.agents[0].signals, 6u);
    EXPECT_NEAR(report.agents[0].hit_rate, 2.0 / 6.0, 1e-15);

    // Static weighting: the same walk, no side-by-side.
    const Report plain = run(defs, consensus::Config{}, bars, {0, 7}, Options{});
    EXPECT_FALSE(plain.static_summary.has_value());
    EXPECT_TRUE(std::isnan(plain.summary.hit_rate));
}

// No look-ahead with adaptive weights: on real bars with all 51 agents, the walk over bars[0..k]
// gives every verdict the full walk gives at bars before k, and the weights do move the
// consensus somewhere (the check has teeth).
TEST(AdaptiveWalkTest, LaterBarsNeverChangeAnEarlierAdaptiveVerdict) {
    const auto bars =
        agents::flow_agent_test::load_bars(std::string(GS_SOURCE_DIR) + "/data/demo/DEMO");
    const auto view = bars.view();
    const AdaptiveOptions adaptive{.horizon = 3, .window = 20};
    const Trace full = walk_forward(agents::all_agents(), consensus::Config{}, view, &adaptive);
    const std::size_t k = view.size() * 2 / 3;
    const market::BarsView head{view.time.first(k), view.open.first(k),  view.high.first(k),
                                view.low.first(k),  view.close.first(k), view.volume.first(k)};
    const Trace part = walk_forward(agents::all_agents(), consensus::Config{}, head, &adaptive);
    std::size_t differ = 0;
    for (std::size_t t = 0; t < k; ++t) {
        ASSERT_EQ(part.adaptive_consensus.action[t], full.adaptive_consensus.action[t]) << t;
        ASSERT_EQ(part.adaptive_consensus.score[t], full.adaptive_consensus.score[t]) << t;
        differ += full.adaptive_consensus.score[t] != full.consensus.score[t] ? 1 : 0;
    }
    EXPECT_GT(differ, k / 4);
}

}  // namespace
}  // namespace gs::backtest
