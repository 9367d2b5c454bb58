// SignalBoard over a real (standalone) signal service: a scan covers every series held, follows
// new bars and deletions, and reads a series' signal again only when its bars changed.
#include "goldensignals/orchestrator/signal_board.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "goldensignals/agents/registry.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
using market::Timeframe;

std::vector<market::Bar> trend_bars(std::size_t n, double drift, std::int64_t start = 0) {
    std::vector<market::Bar> bars;
    for (std::size_t i = 0; i < n; ++i) {
        const double c = 100.0 + drift * static_cast<double>(i) + (i % 3) * 0.4;
        bars.push_back(
            {start + static_cast<std::int64_t>(i) * 86400, c - 0.2, c + 1, c - 1.2, c, 1000.0 + i});
    }
    return bars;
}

class SignalBoardTest : public ::testing::Test {
  protected:
    SignalBoardTest()
        : orchestrator_(pool_.get_executor(), 2, agents::all_agents(), consensus::Config{}, {}),
          service_(store_, orchestrator_, {}),
          board_(store_, service_) {}

    SignalBoard::Answer scan(ScanQuery query = {}, Timeframe timeframe = Timeframe::k1d) {
        asio::io_context io;
        SignalBoard::Answer out;
        asio::co_spawn(
            asio::make_strand(io),
            [&]() -> asio::awaitable<void> { out = co_await board_.scan(timeframe, query); },
            [](std::exception_ptr e) {
                if (e) {
                    std::rethrow_exception(e);
                }
            });
        io.run();
        return out;
    }

    Lookup signal(const std::string& symbol) {
        asio::io_context io;
        Lookup out;
        asio::co_spawn(
            asio::make_strand(io),
            [&]() -> asio::awaitable<void> {
                std::string name = symbol;
                out = co_await service_.current(std::move(name), Timeframe::k1d);
            },
            [](std::exception_ptr e) {
                if (e) {
                    std::rethrow_exception(e);
                }
            });
        io.run();
        return out;
    }

    asio::thread_pool pool_{2};
    market::MemoryBarStore store_{5000};
    Orchestrator orchestrator_;
    SignalService service_;
    SignalBoard board_;
};

TEST_F(SignalBoardTest, ScansEverySeriesHeldInTheTimeframeWithTheSignalsTheyWouldGet) {
    store_.upsert("UP", Timeframe::k1d, trend_bars(300, 0.5));
    store_.upsert("DOWN", Timeframe::k1d, trend_bars(300, -0.2));
    store_.upsert("HOURLY", Timeframe::k1h, trend_bars(300, 0.5));
    auto answer = scan({.sort = ScanSort::kSymbol});
    ASSERT_EQ(answer.total, 2u);
    ASSERT_EQ(answer.rows.size(), 2u);
    EXPECT_EQ(answer.rows[0].symbol, "DOWN");
    EXPECT_EQ(answer.rows[1].symbol, "UP");
    // The same numbers GET /v1/signals gives.
    const auto expected = parse_summary(*signal("UP").entry->summary_json);
    ASSERT_TRUE(expected);
    EXPECT_EQ(answer.rows[1].action, expected->action);
    EXPECT_DOUBLE_EQ(answer.rows[1].score, expected->score);
    EXPECT_DOUBLE_EQ(answer.rows[1].confidence, expected->confidence);
    EXPECT_EQ(answer.rows[1].as_of, 299 * 86400);
}

TEST_F(SignalBoardTest, ReadsASignalAgainOnlyWhenItsBarsChanged) {
    store_.upsert("A", Timeframe::k1d, trend_bars(300, 0.5));
    store_.upsert("B", Timeframe::k1d, trend_bars(300, -0.5));
    scan();
    EXPECT_EQ(board_.refreshes(), 2u);
    scan();
    EXPECT_EQ(board_.refreshes(), 2u);
    store_.upsert("A", Timeframe::k1d, trend_bars(1, 0.5, 300 * 86400));
    auto answer = scan({.sort = ScanSort::kSymbol});
    EXPECT_EQ(board_.refreshes(), 3u);
    EXPECT_EQ(answer.rows[0].as_of, 300 * 86400);
}

TEST_F(SignalBoardTest, ADeletedSeriesLeavesTheScan) {
    store_.upsert("A", Timeframe::k1d, trend_bars(300, 0.5));
    store_.upsert("B", Timeframe::k1d, trend_bars(300, -0.5));
    EXPECT_EQ(scan().total, 2u);
    store_.erase("A", Timeframe::k1d);
    auto answer = scan();
    ASSERT_EQ(answer.total, 1u);
    EXPECT_EQ(answer.rows[0].symbol, "B");
}

}  // namespace
}  // namespace gs::orchestrator
