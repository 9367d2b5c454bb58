#include "goldensignals/orchestrator/feed_runner.h"

#include <map>
#include <mutex>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/signal_service.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
constexpr std::int64_t kDay = 86400;

// The simulated feed through the real ingest path (memory store, agents, signal service).
class SimFeedTest : public ::testing::Test {
  protected:
    SimFeedTest()
        : orchestrator_(pool_.get_executor(), 2, agents::all_agents(), consensus::Config{}, {}),
          signals_(store_, orchestrator_, {}),
          ingest_(store_, signals_) {
        signals_.on_new_signal([this](std::shared_ptr<const SignalEntry> entry) {
            std::lock_guard lock(mutex_);
            as_of_[entry->symbol].push_back(entry->as_of);
        });
    }

    // Runs the feed until every symbol has made `live` bars after its history.
    void run_until(const market::FeedSpec& spec, std::size_t live) {
        asio::io_context io;
        asio::co_spawn(asio::make_strand(io), run_feed(spec, ingest_), asio::detached);
        for (int i = 0; i < 2000 && !enough(spec.symbols, live); ++i) {
            io.run_for(std::chrono::milliseconds(10));
        }
        io.stop();
    }
    bool enough(std::size_t symbols, std::size_t live) {
        std::lock_guard lock(mutex_);
        if (as_of_.size() < symbols) {
            return false;
        }
        for (const auto& [symbol, list] : as_of_) {
            if (list.size() < live + 1) {  // + the signal of the history
                return false;
            }
        }
        return true;
    }

    asio::thread_pool pool_{2};
    market::MemoryBarStore store_{5000};
    Orchestrator orchestrator_;
    SignalService signals_;
    IngestService ingest_;
    std::mutex mutex_;
    std::map<std::string, std::vector<std::int64_t>> as_of_;
};

TEST_F(SimFeedTest, EachSymbolGetsOneNewDailyBarAndSignalPerTurnInOrder) {
    market::FeedSpec spec;
    spec.kind = market::FeedSpec::Kind::kSimulated;
    spec.symbols = 3;
    spec.interval = std::chrono::milliseconds(30);
    run_until(spec, 5);
    ASSERT_TRUE(enough(3, 5));

    std::lock_guard lock(mutex_);
    for (const char* symbol : {"SIM01", "SIM02", "SIM03"}) {
        const auto& list = as_of_.at(symbol);
        // Every bar made a signal, in order, one day apart: none skipped, none repeated.
        for (std::size_t i = 1; i < list.size(); ++i) {
            ASSERT_EQ(list[i], list[i - 1] + kDay) << symbol << " signal " << i;
        }
        auto series = store_.get(symbol, market::Timeframe::k1d);
        ASSERT_NE(series, nullptr);
        EXPECT_GE(series->size(), 300u + 5u);
        // Stopping the io_context may cut off one ingest between storing its bar and
        // publishing its signal: the store is at most that one bar ahead.
        EXPECT_TRUE(series->last_time() == list.back() || series->last_time() == list.back() + kDay)
            << symbol << ": last bar " << series->last_time() << ", last signal " << list.back();
        for (std::size_t i = 1; i < series->size(); ++i) {
            ASSERT_EQ(series->bar(i).time, series->bar(i - 1).time + kDay) << symbol;
        }
    }
}

}  // namespace
}  // namespace gs::orchestrator
