// Live accuracy through the ingest path: a series posted bar by bar scores each signal when its
// horizon bar arrives, and the figures equal the backtest's over the same bars (the same hit and
// forward-return code; the walk's verdicts are the live signals), and an independent count of
// the walk's calls over a rolling window, so live and backtest agree.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "agents/agent_test_util.h"
#include "goldensignals/accuracy/live_accuracy.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/backtest/figures.h"
#include "goldensignals/backtest/walk_forward.h"
#include "goldensignals/orchestrator/ingest_service.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
using market::Timeframe;

void expect_same(const accuracy::WindowFigures& live, std::size_t signals, double hit_rate,
                 double avg_forward_return, const std::string& what) {
    EXPECT_EQ(live.count, signals) << what;
    if (signals == 0) {
        EXPECT_TRUE(std::isnan(live.hit_rate)) << what;
        return;
    }
    EXPECT_NEAR(live.hit_rate, hit_rate, 1e-12) << what;
    EXPECT_NEAR(live.avg_forward_return, avg_forward_return, 1e-12) << what;
}

constexpr std::size_t kHead = 150;  // posted at once (the first signal: bar 149)
constexpr std::size_t kEnd = 230;   // then bars 150..229 one at a time

std::vector<market::Bar> demo_bars(const agents::flow_agent_test::Bars& bars) {
    std::vector<market::Bar> list;
    for (std::size_t i = 0; i < kEnd; ++i) {
        list.push_back(
            {bars.time[i], bars.open[i], bars.high[i], bars.low[i], bars.close[i], bars.volume[i]});
    }
    return list;
}

// Posts bars[0..kHead) at once, then the rest one by one, through the ingest path with live
// accuracy attached, as a feed would.
void post_through_ingest(const std::vector<market::Bar>& list, accuracy::LiveAccuracy& live) {
    asio::thread_pool pool(2);
    market::MemoryBarStore store(5000);
    Orchestrator orchestrator(pool.get_executor(), 2, agents::all_agents(), consensus::Config{},
                              {});
    SignalService signals(store, orchestrator, {});
    IngestService ingest(store, signals);
    ingest.score_with(&live);

    asio::io_context io;
    asio::co_spawn(
        asio::make_strand(io),
        [&]() -> asio::awaitable<void> {
            // Named, then moved: g++ 12 and temporaries in co_await (docs/coroutines.md).
            std::vector<market::Bar> first(list.begin(), list.begin() + kHead);
            std::string symbol = "DEMO";
            co_await ingest.ingest(symbol, Timeframe::k1d, std::move(first));
            for (std::size_t i = kHead; i < list.size(); ++i) {
                std::vector<market::Bar> one{list[i]};
                co_await ingest.ingest(symbol, Timeframe::k1d, std::move(one));
            }
        },
        [](std::exception_ptr e) {
            if (e) {
                std::rethrow_exception(e);
            }
        });
    io.run();
}

std::vector<std::string> agent_names() {
    std::vector<std::string> names;
    for (const auto* agent : agents::all_agents()) {
        names.emplace_back(agent->name);
    }
    return names;
}

TEST(LiveAccuracyIngestTest, BarByBarFiguresEqualTheBacktestsOverTheSameBars) {
    const auto bars =
        agents::flow_agent_test::load_bars(std::string(GS_SOURCE_DIR) + "/data/demo/DEMO");
    ASSERT_GE(bars.size(), kEnd);
    accuracy::LiveAccuracy live(agent_names(), {.horizon = 1, .window = 1000});
    post_through_ingest(demo_bars(bars), live);

    // The backtest over bars 149..229: forward returns known for 149..228, as the live signals
    // 149..228 were scored (229's waits for bar 230).
    const auto view = bars.view();
    const market::BarsView head{view.time.first(kEnd),  view.open.first(kEnd),
                                view.high.first(kEnd),  view.low.first(kEnd),
                                view.close.first(kEnd), view.volume.first(kEnd)};
    const auto trace = backtest::walk_forward(agents::all_agents(), consensus::Config{}, head);
    backtest::Input input{head.time, head.close, &trace, kHead - 1, kEnd};
    const auto report = backtest::evaluate(input, {.horizon = 1});
    ASSERT_EQ(report.skipped, 0u);

    std::size_t calls = 0;
    for (std::size_t i = 0; i < report.agents.size(); ++i) {
        const auto& expected = report.agents[i];
        calls += expected.signals;
        expect_same(live.figures(Timeframe::k1d, accuracy::kFirstAgentTrack + i), expected.signals,
                    expected.hit_rate, expected.avg_forward_return,
                    std::string(agents::all_agents()[i]->name));
    }
    EXPECT_GT(calls, 100u);  // the check has teeth: agents called often
    for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
        const auto& expected = report.categories[c];
        expect_same(live.figures(Timeframe::k1d, 1 + c), expected.signals, expected.hit_rate,
                    expected.avg_forward_return, "category " + std::to_string(c));
    }
    // The consensus: its calls are the BUY and SELL verdicts with a known forward return.
    const auto& buy = report.by_action[static_cast<std::size_t>(agents::Action::kBuy)];
    const auto& sell = report.by_action[static_cast<std::size_t>(agents::Action::kSell)];
    const std::size_t last_is_call =
        trace.consensus.action[kEnd - 1] == agents::Action::kHold ? 0 : 1;
    const auto consensus = live.figures(Timeframe::k1d, accuracy::kConsensusTrack);
    EXPECT_EQ(consensus.count, buy.count + sell.count - last_is_call);
    if (consensus.count > 0) {
        EXPECT_NEAR(consensus.hit_rate, report.summary.hit_rate, 1e-12);
    }
}

// Horizon 3 and a window smaller than some agents' calls: each agent's live window equals its
// last `window` calls counted here directly from the walk's verdicts and the closes (not through
// backtest::score_call or the backtest's figures), bar by bar over the bars posted one by one.
TEST(LiveAccuracyIngestTest, RollingWindowsEqualAnIndependentCountOverTheWalk) {
    constexpr std::size_t kHorizon = 3;
    constexpr std::size_t kWindow = 25;
    const auto bars =
        agents::flow_agent_test::load_bars(std::string(GS_SOURCE_DIR) + "/data/demo/DEMO");
    ASSERT_GE(bars.size(), kEnd);
    accuracy::LiveAccuracy live(agent_names(), {.horizon = kHorizon, .window = kWindow});
    post_through_ingest(demo_bars(bars), live);

    const auto view = bars.view();
    const market::BarsView head{view.time.first(kEnd),  view.open.first(kEnd),
                                view.high.first(kEnd),  view.low.first(kEnd),
                                view.close.first(kEnd), view.volume.first(kEnd)};
    const auto trace = backtest::walk_forward(agents::all_agents(), consensus::Config{}, head);
    const auto close = view.close;
    std::size_t full_windows = 0;
    for (std::size_t i = 0; i < trace.agents.size(); ++i) {
        // Signals at bars kHead - 1 .. kEnd - 1; scored once bar t + 3 is in: t <= kEnd - 4.
        std::vector<std::pair<bool, double>> calls;  // (hit, return of following it)
        for (std::size_t t = kHead - 1; t + kHorizon < kEnd; ++t) {
            const auto a = trace.agents[i].action[t];
            const double up = close[t + kHorizon] / close[t] - 1.0;
            if (a == agents::Action::kBuy) {
                calls.emplace_back(close[t + kHorizon] > close[t], up);
            } else if (a == agents::Action::kSell) {
                calls.emplace_back(close[t + kHorizon] < close[t], -up);
            }
        }
        const std::size_t from = calls.size() > kWindow ? calls.size() - kWindow : 0;
        std::size_t hits = 0;
        double follow = 0.0;
        for (std::size_t k = from; k < calls.size(); ++k) {
            hits += calls[k].first ? 1 : 0;
            follow += calls[k].second;
        }
        const std::size_t n = calls.size() - from;
        full_windows += calls.size() > kWindow ? 1 : 0;
        const auto got = live.figures(Timeframe::k1d, accuracy::kFirstAgentTrack + i);
        const std::string name(agents::all_agents()[i]->name);
        ASSERT_EQ(got.count, n) << name;
        if (n > 0) {
            EXPECT_DOUBLE_EQ(got.hit_rate, static_cast<double>(hits) / static_cast<double>(n))
                << name;
            EXPECT_NEAR(got.avg_forward_return, follow / static_cast<double>(n), 1e-12) << name;
        }
    }
    EXPECT_GT(full_windows, 3u);  // the window did drop old calls for several agents
}

}  // namespace
}  // namespace gs::orchestrator
