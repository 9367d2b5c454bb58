#include "goldensignals/orchestrator/orchestrator.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

namespace gs::orchestrator {
namespace {

using agents::Action;
using agents::AgentDef;
using agents::AgentResult;
using agents::Category;

AgentResult buy_on_rise(const market::BarsView& bars, agents::Workspace&) {
    const double change = bars.close.back() / bars.close.front() - 1.0;
    return change > 0 ? agents::buy(0.8, "rising") : agents::sell(0.8, "falling");
}
AgentResult throws(const market::BarsView&, agents::Workspace&) {
    throw std::runtime_error("kaboom");
}
AgentResult returns_nan(const market::BarsView&, agents::Workspace&) {
    AgentResult r = agents::buy(0.5, "bad");
    r.confidence = std::nan("");
    return r;
}
// Holds the slow agent until the test has its signal (a real wait, not a polling sleep).
struct Gate {
    std::mutex mutex;
    std::condition_variable opened;
    bool open = false;

    void close() {
        std::lock_guard lock(mutex);
        open = false;
    }
    void release() {
        {
            std::lock_guard lock(mutex);
            open = true;
        }
        opened.notify_all();
    }
    void wait() {
        std::unique_lock lock(mutex);
        opened.wait(lock, [this] { return open; });
    }
};
Gate slow_gate;
AgentResult slow(const market::BarsView&, agents::Workspace&) {
    slow_gate.wait();
    return agents::hold(1.0, 0.0, "slow");
}
void no_series(const market::BarsView&, agents::SeriesSet&) {}

const AgentDef kGood{"good", Category::kTrend, "{}", 2, buy_on_rise, no_series};
const AgentDef kNeedsMany{"needs_many", Category::kTrend, "{}", 1000, buy_on_rise, no_series};
const AgentDef kThrows{"throws", Category::kMomentum, "{}", 1, throws, no_series};
const AgentDef kNan{"nan", Category::kVolume, "{}", 1, returns_nan, no_series};
const AgentDef kSlow{"slow", Category::kPattern, "{}", 1, slow, no_series};

market::BarSeries rising_bars(std::size_t n) {
    std::vector<market::Bar> bars;
    for (std::size_t i = 0; i < n; ++i) {
        const double c = 100.0 + static_cast<double>(i);
        bars.push_back({static_cast<std::int64_t>(i) * 86400, c, c + 1, c - 1, c, 10});
    }
    return market::BarSeries(5000).merged(bars);
}

TEST(RunAgentsTest, IsolatesFailuresAndShortHistory) {
    const AgentDef* defs[] = {&kGood, &kNeedsMany, &kThrows, &kNan};
    auto series = rising_bars(10);
    std::vector<AgentResult> results(4);
    agents::Workspace ws;
    run_agents(defs, series.view(), results, ws);
    EXPECT_EQ(results[0].action, Action::kBuy);
    EXPECT_EQ(results[1].action, Action::kAbstain);
    EXPECT_EQ(results[1].reason, "needs 1000 bars, has 10");
    EXPECT_EQ(results[2].action, Action::kAbstain);
    EXPECT_NE(results[2].reason.str().find("kaboom"), std::string::npos);
    EXPECT_EQ(results[3].action, Action::kAbstain);
    EXPECT_NE(results[3].reason.str().find("out-of-range"), std::string::npos);
}

class OrchestratorTest : public ::testing::Test {
  protected:
    std::shared_ptr<const Signal> compute_with(std::span<const AgentDef* const> defs,
                                               Options options) {
        Orchestrator orchestrator(pool.get_executor(), 2, defs, consensus::Config{}, options);
        auto bars = std::make_shared<const market::BarSeries>(rising_bars(50));
        boost::asio::io_context io;
        auto future = boost::asio::co_spawn(
            boost::asio::make_strand(io),
            orchestrator.compute("TEST", market::Timeframe::k1d, bars), boost::asio::use_future);
        io.run();
        return future.get();
    }
    boost::asio::thread_pool pool{2};
};

TEST_F(OrchestratorTest, FansOutAndBuildsTheConsensus) {
    const AgentDef* defs[] = {&kGood, &kThrows, &kGood, &kNeedsMany};
    for (std::size_t chunks : {1u, 2u, 4u}) {
        auto signal =
            compute_with(defs, {.chunks = chunks, .agent_budget = std::chrono::seconds(10)});
        ASSERT_EQ(signal->agents.size(), 4u);
        EXPECT_EQ(signal->agents[0].action, Action::kBuy);
        EXPECT_EQ(signal->agents[1].action, Action::kAbstain);
        EXPECT_EQ(signal->agents[3].action, Action::kAbstain);
        EXPECT_EQ(signal->consensus.action, Action::kBuy);
        EXPECT_EQ(signal->consensus.votes.abstain, 2);
        EXPECT_EQ(signal->as_of, 49 * 86400);
        EXPECT_EQ(signal->symbol, "TEST");
    }
}

TEST_F(OrchestratorTest, OverrunningAgentBecomesAbstainAndTheSignalIsStillBuilt) {
    slow_gate.close();
    const AgentDef* defs[] = {&kGood, &kSlow};
    auto signal = compute_with(defs, {.chunks = 2, .agent_budget = std::chrono::milliseconds(50)});
    slow_gate.release();
    EXPECT_EQ(signal->agents[0].action, Action::kBuy);
    EXPECT_EQ(signal->agents[1].action, Action::kAbstain);
    EXPECT_NE(signal->agents[1].reason.str().find("timed out"), std::string::npos);
    EXPECT_EQ(signal->consensus.action, Action::kBuy);
    pool.join();  // the overrunning task finishes and touches nothing freed
}

// The waiter's io_context goes away (a shutdown, or a test ending) while a chunk still runs:
// the chunk finishing later must not reach the destroyed coroutine's timer. Before the fix this
// was a heap-use-after-free that AddressSanitizer caught in the simulated-feed test.
TEST_F(OrchestratorTest, AWaiterDestroyedWithItsIoContextIsNotWokenLater) {
    slow_gate.close();
    const AgentDef* defs[] = {&kSlow};
    Orchestrator orchestrator(pool.get_executor(), 2, defs, consensus::Config{},
                              {.chunks = 1, .agent_budget = std::chrono::seconds(60)});
    auto bars = std::make_shared<const market::BarSeries>(rising_bars(50));
    bool finished = false;
    {
        boost::asio::io_context io;
        boost::asio::co_spawn(
            io,
            [&]() -> boost::asio::awaitable<void> {
                co_await orchestrator.compute("TEST", market::Timeframe::k1d, bars);
                finished = true;
            },
            boost::asio::detached);
        io.poll();  // runs until compute waits for its chunk (the slow agent holds it)
    }               // the io_context and the suspended coroutine frame are destroyed here
    slow_gate.release();
    pool.join();  // the chunk finishes and wakes nobody
    EXPECT_FALSE(finished);
}

TEST_F(OrchestratorTest, InlineAndFannedOutAgree) {
    const AgentDef* defs[] = {&kGood, &kThrows, &kNan};
    Orchestrator orchestrator(pool.get_executor(), 2, defs, consensus::Config{}, {});
    auto inline_signal =
        orchestrator.compute_inline("TEST", market::Timeframe::k1d, rising_bars(50));
    auto fanned = compute_with(defs, {.chunks = 3});
    auto a = nlohmann::json::parse(to_json(*inline_signal, true));
    auto b = nlohmann::json::parse(to_json(*fanned, true));
    a.erase("computed_at");
    b.erase("computed_at");
    EXPECT_EQ(a, b);
}

TEST(SignalJsonTest, HasTheDocumentedShape) {
    const AgentDef* defs[] = {&kGood};
    boost::asio::thread_pool pool(1);
    Orchestrator orchestrator(pool.get_executor(), 1, defs, consensus::Config{}, {});
    auto signal = orchestrator.compute_inline("AAPL", market::Timeframe::k1h, rising_bars(3));
    auto body = nlohmann::json::parse(to_json(*signal, true));
    for (const char* key : {"symbol", "timeframe", "as_of", "action", "strength", "score",
                            "confidence", "votes", "categories", "agents", "computed_at"}) {
        EXPECT_TRUE(body.contains(key)) << key;
    }
    EXPECT_EQ(body["timeframe"], "1h");
    EXPECT_EQ(body["as_of"], "1970-01-03T00:00:00Z");
    EXPECT_EQ(body["agents"][0]["name"], "good");
    EXPECT_EQ(body["agents"][0]["action"], "BUY");
    EXPECT_EQ(body["categories"]["trend"]["action"], "BUY");
    EXPECT_FALSE(nlohmann::json::parse(to_json(*signal, false)).contains("agents"));
}

}  // namespace
}  // namespace gs::orchestrator
