// The streaming engine end to end (issue 12): bars arrive in the memory store the way clients
// and feeds send them - single new bars, shuffled batches with duplicates, corrections of held
// bars, late bars, reloads (a restart or another instance's bars) - and the orchestrator keeps
// each series' agent states up to date. At every bar checked, its signal must equal the batch
// computation over the same bars: the bars the states cover, i.e. every bar taken since the
// series' epoch began (market::BarSeries; a correction, a late bar or a reload begins a new
// one from the bars held). Over 10,000 bars with --max-bars 600, so the states cover far more
// than the window.
#include <algorithm>
#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include "agents/agent_test_util.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/orchestrator.h"

namespace gs::orchestrator {
namespace {

using agents::AgentDef;

std::vector<const AgentDef*> streaming_agents() {
    std::vector<const AgentDef*> out;
    for (const AgentDef* def : agents::all_agents()) {
        if (def->stream != nullptr) {
            out.push_back(def);
        }
    }
    return out;
}

nlohmann::json comparable(const Signal& signal) {
    auto json = nlohmann::json::parse(to_json(signal, true));
    json.erase("computed_at");
    json.erase("bars_used");  // the window held, not what the states cover
    return json;
}

class StreamingEngineTest : public ::testing::Test {
  protected:
    std::shared_ptr<const Signal> compute(std::shared_ptr<const market::BarSeries> series) {
        boost::asio::io_context io;
        auto future = boost::asio::co_spawn(
            boost::asio::make_strand(io),
            orchestrator.compute("SYM", market::Timeframe::k1d, std::move(series)),
            boost::asio::use_future);
        io.run();
        return future.get();
    }

    // The batch computation over exactly `bars`.
    std::shared_ptr<const Signal> batch(const std::vector<market::Bar>& bars) const {
        return orchestrator.compute_inline("SYM", market::Timeframe::k1d,
                                           market::BarSeries(bars.size()).merged(bars));
    }

    std::vector<const AgentDef*> defs = streaming_agents();
    boost::asio::thread_pool pool{2};
    Orchestrator orchestrator{pool.get_executor(), 2, defs, consensus::Config{}, {}};
    market::MemoryBarStore store{600};
};

TEST_F(StreamingEngineTest, SignalsEqualTheBatchOverTheBarsTakenSinceTheEpochBegan) {
    ASSERT_FALSE(defs.empty());
    const auto walk = agents::flow_agent_test::random_bars(77, 10'400, 50.0);
    std::vector<market::Bar> all;
    for (std::size_t i = 0; i < walk.size(); ++i) {
        all.push_back(
            {walk.time[i], walk.open[i], walk.high[i], walk.low[i], walk.close[i], walk.volume[i]});
    }
    std::mt19937_64 rng(5);
    std::vector<market::Bar> covered;  // what the states should cover
    std::uint64_t epoch = 0;
    std::uint64_t serial = 0;
    std::size_t next = 0;
    int checks = 0;
    int rebuilds = 0;
    for (int step = 0; next < all.size(); ++step) {
        std::vector<market::Bar> batch_in;
        const int kind = static_cast<int>(rng() % 100);
        auto held = store.get("SYM", market::Timeframe::k1d);
        if (held && kind < 2) {
            // A correction of a held bar (its close moves within its range).
            const std::size_t back = 1 + rng() % std::min<std::size_t>(held->size(), 50);
            market::Bar b = held->bar(held->size() - back);
            b.close = (b.close + b.low) / 2.0;
            batch_in.push_back(b);
        } else if (held && kind < 3) {
            // A reload: what a restart or a reader behind another instance does.
            std::vector<market::Bar> bars;
            for (std::size_t i = 0; i < held->size(); ++i) {
                bars.push_back(held->bar(i));
            }
            store.replace("SYM", market::Timeframe::k1d, bars);
        } else if (held && kind < 4) {
            // A late bar between two held ones.
            market::Bar b = held->bar(held->size() - 2);
            b.time += 3600;
            batch_in.push_back(b);
        } else {
            // New bars: 1 to 5, shuffled, sometimes with a duplicate (the last one wins).
            const std::size_t n = std::min<std::size_t>(1 + rng() % 5, all.size() - next);
            batch_in.assign(all.begin() + static_cast<std::ptrdiff_t>(next),
                            all.begin() + static_cast<std::ptrdiff_t>(next + n));
            next += n;
            if (rng() % 4 == 0) {
                market::Bar dup = batch_in.front();
                dup.volume += 1.0;
                batch_in.push_back(dup);
            }
            std::shuffle(batch_in.begin(), batch_in.end(), rng);
        }
        if (!batch_in.empty()) {
            store.upsert("SYM", market::Timeframe::k1d, batch_in);
        }
        const auto series = store.get("SYM", market::Timeframe::k1d);
        bool rebuilt = false;
        if (series->epoch() != epoch) {
            epoch = series->epoch();
            covered.clear();
            for (std::size_t i = 0; i < series->size(); ++i) {
                covered.push_back(series->bar(i));
            }
            rebuilt = true;
            ++rebuilds;
        } else {
            // The epoch went on: the newest serial() - serial bars are new.
            for (std::size_t i = series->size() - (series->serial() - serial); i < series->size();
                 ++i) {
                covered.push_back(series->bar(i));
            }
        }
        serial = series->serial();
        ASSERT_EQ(covered.size(), serial);
        const auto signal = compute(series);
        ASSERT_EQ(signal->as_of, series->last_time());
        if (rebuilt || step % 50 == 0 || next == all.size()) {
            ASSERT_EQ(comparable(*signal), comparable(*batch(covered)))
                << "step " << step << ", " << covered.size() << " bars covered";
            ++checks;
        }
    }
    EXPECT_GT(checks, 100);
    EXPECT_GT(rebuilds, 20);
    EXPECT_GT(covered.size(), store.capacity());  // the states outgrew the window
}

// A reader holding an older snapshot than the states (it took it before a writer's newer
// one was computed) gets the signal of its own bars, and the states do not go back.
TEST_F(StreamingEngineTest, AnOlderSnapshotGetsItsOwnSignalAndTheStatesDoNotGoBack) {
    const auto walk = agents::flow_agent_test::random_bars(9, 400, 10.0);
    std::vector<market::Bar> bars;
    for (std::size_t i = 0; i < walk.size(); ++i) {
        bars.push_back(
            {walk.time[i], walk.open[i], walk.high[i], walk.low[i], walk.close[i], walk.volume[i]});
    }
    store.upsert("SYM", market::Timeframe::k1d, std::span(bars).first(390));
    const auto older = store.get("SYM", market::Timeframe::k1d);
    store.upsert("SYM", market::Timeframe::k1d, std::span(bars).subspan(390));
    const auto newer = store.get("SYM", market::Timeframe::k1d);
    ASSERT_EQ(older->epoch(), newer->epoch());
    const auto newer_signal = compute(newer);
    const auto older_signal = compute(older);
    EXPECT_EQ(comparable(*older_signal), comparable(*batch({bars.begin(), bars.begin() + 390})));
    EXPECT_EQ(comparable(*compute(newer)), comparable(*newer_signal));
    EXPECT_EQ(comparable(*newer_signal), comparable(*batch(bars)));
}

// Readers computing while a writer appends and computes each new version, as ingest does (the
// TSan suite runs this): appends share columns with the snapshots being read, and the states
// are fed inline or on the pool by whichever computation gets them. Every signal is the one
// of its own snapshot, and the last one covers every bar.
TEST_F(StreamingEngineTest, ReadersComputingWhileAWriterAppendsEachGetTheirSnapshotsSignal) {
    const auto walk = agents::flow_agent_test::random_bars(31, 1'600, 20.0);
    std::vector<market::Bar> bars;
    for (std::size_t i = 0; i < walk.size(); ++i) {
        bars.push_back(
            {walk.time[i], walk.open[i], walk.high[i], walk.low[i], walk.close[i], walk.volume[i]});
    }
    store.upsert("SYM", market::Timeframe::k1d, std::span(bars).first(300));
    std::atomic<bool> done{false};
    std::atomic<int> mismatches{0};
    auto reader = [&] {
        while (!done.load()) {
            const auto series = store.get("SYM", market::Timeframe::k1d);
            const auto signal = compute(series);
            if (signal->as_of != series->last_time() || signal->bars_used != series->size()) {
                ++mismatches;
            }
        }
    };
    std::thread a(reader);
    std::thread b(reader);
    // As IngestService does: each new version's signal is computed after its upsert.
    for (std::size_t i = 300; i < bars.size(); ++i) {
        store.upsert("SYM", market::Timeframe::k1d, std::span(bars).subspan(i, 1));
        compute(store.get("SYM", market::Timeframe::k1d));
    }
    done = true;
    a.join();
    b.join();
    EXPECT_EQ(mismatches.load(), 0);
    const auto last = compute(store.get("SYM", market::Timeframe::k1d));
    EXPECT_EQ(comparable(*last), comparable(*batch(bars)));
}

}  // namespace
}  // namespace gs::orchestrator
