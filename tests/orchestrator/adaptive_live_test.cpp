// Live adaptive consensus against the backtest (issue 13, docs/backtest.md "Adaptive
// weighting"): a real series posted bar by bar to a fresh symbol through the ingest path, with
// adaptive weighting on, gets after every bar the action and score that
// GET /v1/backtest/{symbol}?weighting=adaptive&detail=bars gives at that bar; and a service that
// loads the same bars at once (a restart, a reload) rebuilds the same weights.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "agents/agent_test_util.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/backtest/report_json.h"
#include "goldensignals/backtest/run.h"
#include "goldensignals/orchestrator/ingest_service.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
using market::Timeframe;
using nlohmann::json;

constexpr std::size_t kHorizon = 2;

struct Served {
    std::string action;
    double score = 0.0;
};

std::vector<market::Bar> bar_list(const agents::flow_agent_test::Bars& bars) {
    std::vector<market::Bar> list;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        list.push_back(
            {bars.time[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]});
    }
    return list;
}

// Posts `batches` in order through the ingest path of a fresh service with adaptive weighting
// on; returns each published signal's action and score by its as_of.
std::map<std::int64_t, Served> post(const std::vector<std::vector<market::Bar>>& batches) {
    asio::thread_pool pool(2);
    market::MemoryBarStore store(5000);
    Options options;
    options.adaptive = backtest::AdaptiveOptions{.horizon = kHorizon, .window = 50};
    Orchestrator orchestrator(pool.get_executor(), 2, agents::all_agents(), consensus::Config{},
                              options);
    SignalService signals(store, orchestrator, {});
    std::map<std::int64_t, Served> served;
    signals.on_new_signal([&](std::shared_ptr<const SignalEntry> entry) {
        const auto body = json::parse(*entry->summary_json);
        served[entry->as_of] = {body.at("action").get<std::string>(),
                                body.at("score").get<double>()};
    });
    IngestService ingest(store, signals);

    asio::io_context io;
    asio::co_spawn(
        asio::make_strand(io),
        [&]() -> asio::awaitable<void> {
            std::string symbol = "FRESH";
            for (const auto& batch : batches) {
                // Named, then moved: g++ 12 and temporaries in co_await (docs/coroutines.md).
                std::vector<market::Bar> bars = batch;
                co_await ingest.ingest(symbol, Timeframe::k1d, std::move(bars));
            }
        },
        [](std::exception_ptr e) {
            if (e) {
                std::rethrow_exception(e);
            }
        });
    io.run();
    pool.join();
    return served;
}

// The bars_detail of the backtest's JSON (as the route serves it) over every bar.
json backtest_bars(const agents::flow_agent_test::Bars& bars, backtest::Weighting weighting,
                   std::vector<std::int64_t>& times) {
    const backtest::Options options{.horizon = kHorizon, .weighting = weighting};
    const auto report = backtest::run(agents::all_agents(), consensus::Config{}, bars.view(),
                                      {0, bars.size()}, options);
    times.clear();
    for (const auto& row : report.rows) {
        times.push_back(row.time);
    }
    backtest::ReportMeta meta{.symbol = "FRESH",
                              .timeframe = Timeframe::k1d,
                              .options = options,
                              .with_bars = true,
                              .defs = agents::all_agents()};
    return json::parse(backtest::to_json(report, meta)).at("bars_detail");
}

TEST(AdaptiveLiveTest, BarByBarSignalsEqualTheAdaptiveBacktestAndARestartRebuildsThem) {
    const auto bars =
        agents::flow_agent_test::load_bars(std::string(GS_SOURCE_DIR) + "/data/demo/DEMO");
    ASSERT_GE(bars.size(), 250u);
    const auto list = bar_list(bars);

    std::vector<std::vector<market::Bar>> one_by_one;
    for (const auto& bar : list) {
        one_by_one.push_back({bar});
    }
    const auto live = post(one_by_one);
    ASSERT_EQ(live.size(), list.size());  // a signal after every bar

    std::vector<std::int64_t> times;
    const json adaptive = backtest_bars(bars, backtest::Weighting::kAdaptive, times);
    ASSERT_EQ(adaptive.size(), times.size());
    ASSERT_GT(times.size(), 150u);  // the bars the agents vote on
    std::size_t compared = 0;
    for (std::size_t k = 0; k < times.size(); ++k) {
        const auto it = live.find(times[k]);
        ASSERT_NE(it, live.end()) << "bar " << k;
        EXPECT_EQ(it->second.action, adaptive[k].at("action").get<std::string>()) << "bar " << k;
        EXPECT_EQ(it->second.score, adaptive[k].at("score").get<double>()) << "bar " << k;
        ++compared;
    }
    EXPECT_EQ(compared, times.size());

    // The check has teeth: the adaptive consensus is not the static one on these bars.
    std::vector<std::int64_t> static_times;
    const json plain = backtest_bars(bars, backtest::Weighting::kStatic, static_times);
    ASSERT_EQ(static_times, times);
    std::size_t differ = 0;
    for (std::size_t k = 0; k < times.size(); ++k) {
        differ += plain[k].at("score").get<double>() != adaptive[k].at("score").get<double>();
    }
    EXPECT_GT(differ, times.size() / 2);

    // A restart: the same bars loaded at once rebuild the windows from the bars held, and the
    // newest signal is the one the bar-by-bar service gave.
    const auto reloaded = post({list});
    ASSERT_EQ(reloaded.size(), 1u);
    const auto& last = live.at(list.back().time);
    EXPECT_EQ(reloaded.begin()->first, list.back().time);
    EXPECT_EQ(reloaded.begin()->second.action, last.action);
    EXPECT_EQ(reloaded.begin()->second.score, last.score);
}

}  // namespace
}  // namespace gs::orchestrator
