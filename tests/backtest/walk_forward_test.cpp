// No look-ahead (issue 13): the walk-forward's verdict at bar k is exactly the signal the live
// engine gives a fresh series holding bars[0..k] (Orchestrator::compute_inline: the states built
// from those bars, the agents, the consensus), on real bars (data/demo/DEMO.csv) and on the
// synthetic walk that warms up every agent (SIMWALK.csv); and bars added after k never change
// the verdict at k.
#include "goldensignals/backtest/walk_forward.h"

#include <gtest/gtest.h>
#include <boost/asio/thread_pool.hpp>

#include "agents/agent_test_util.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/orchestrator/orchestrator.h"

namespace gs::backtest {
namespace {

using agents::flow_agent_test::Bars;
using agents::flow_agent_test::load_bars;

market::BarSeries prefix_series(const Bars& bars, std::size_t count) {
    std::vector<market::Bar> list;
    for (std::size_t i = 0; i < count; ++i) {
        list.push_back(
            {bars.time[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]});
    }
    return market::BarSeries(count).merged(list);
}

void expect_live_equals_walk(const Bars& bars, std::size_t step) {
    boost::asio::thread_pool pool(1);
    const consensus::Config config;
    orchestrator::Orchestrator live(pool.get_executor(), 1, agents::all_agents(), config, {});
    const Trace trace = walk_forward(agents::all_agents(), config, bars.view());
    ASSERT_EQ(trace.consensus.action.size(), bars.size());
    std::size_t checked = 0;
    for (std::size_t k = 0; k < bars.size(); k += (k < 40 ? 1 : step)) {
        const auto signal =
            live.compute_inline("FRESH", market::Timeframe::k1d, prefix_series(bars, k + 1));
        ASSERT_EQ(trace.consensus.action[k], signal->consensus.action) << "bar " << k;
        ASSERT_EQ(trace.consensus.score[k], signal->consensus.score) << "bar " << k;
        for (std::size_t i = 0; i < signal->agents.size(); ++i) {
            const auto& r = signal->agents[i];
            ASSERT_EQ(trace.agents[i].action[k], r.action) << signal->defs[i]->name << " " << k;
            if (r.action != agents::Action::kAbstain) {
                ASSERT_EQ(trace.agents[i].score[k], r.score) << signal->defs[i]->name << " " << k;
            }
        }
        for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
            ASSERT_EQ(trace.categories[c].action[k], signal->consensus.categories[c].action);
            ASSERT_EQ(trace.categories[c].score[k], signal->consensus.categories[c].score);
        }
        ++checked;
    }
    EXPECT_GT(checked, 40u);
}

TEST(WalkForwardTest, VerdictAtEachBarIsTheLiveSignalOfAFreshSeriesOnRealBars) {
    expect_live_equals_walk(load_bars(std::string(GS_SOURCE_DIR) + "/data/demo/DEMO"), 7);
}

TEST(WalkForwardTest, VerdictAtEachBarIsTheLiveSignalOfAFreshSeriesOnALongWalk) {
    expect_live_equals_walk(load_bars(std::string(GS_SOURCE_DIR) + "/data/demo/SIMWALK"), 97);
}

TEST(WalkForwardTest, LaterBarsNeverChangeAnEarlierVerdict) {
    const Bars bars = load_bars(std::string(GS_SOURCE_DIR) + "/data/demo/SIMWALK");
    const consensus::Config config;
    const Trace full = walk_forward(agents::all_agents(), config, bars.view());
    const std::size_t k = 1200;
    const auto view = bars.view();
    const market::BarsView head{view.time.first(k), view.open.first(k),  view.high.first(k),
                                view.low.first(k),  view.close.first(k), view.volume.first(k)};
    const Trace part = walk_forward(agents::all_agents(), config, head);
    ASSERT_EQ(part.consensus.action.size(), k);
    for (std::size_t t = 0; t < k; ++t) {
        ASSERT_EQ(part.consensus.action[t], full.consensus.action[t]) << t;
        ASSERT_EQ(part.consensus.score[t], full.consensus.score[t]) << t;
        ASSERT_EQ(part.voters[t], full.voters[t]) << t;
    }
    // The walk is not trivially constant: every action occurs.
    std::array<std::size_t, 4> seen{};
    for (auto a : full.consensus.action) {
        ++seen[static_cast<std::size_t>(a)];
    }
    EXPECT_GT(seen[0], 0u);
    EXPECT_GT(seen[1], 0u);
    EXPECT_GT(seen[2], 0u);
}

}  // namespace
}  // namespace gs::backtest
