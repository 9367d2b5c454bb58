// Live accuracy kept in PostgreSQL (live_calls, sql/0007_live_accuracy.sql) against a real server
// (GS_TEST_DATABASE_URL): what one process scored and wrote, a new process restores, figures and
// windows unchanged; live_calls is partitioned by month like signals.
#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "goldensignals/accuracy/live_accuracy.h"
#include "goldensignals/store/migrations.h"
#include "goldensignals/store/partitions.h"
#include "goldensignals/store/pg_call_store.h"
#include "goldensignals/store/pg_pool.h"
#include "support/scratch_database.h"

namespace gs::store {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using agents::Action;
using market::Timeframe;
using testing::kNoTestDatabase;
using testing::ScratchDatabase;

const std::string kSqlDir = GS_SOURCE_DIR "/sql";

accuracy::Verdicts at(std::int64_t time, Action consensus, Action agent) {
    accuracy::Verdicts v;
    v.time = time;
    v.consensus = consensus;
    v.categories.fill(Action::kAbstain);
    v.agents = {agent};
    return v;
}

// One "process": a pool, a call store and the accuracy it feeds.
struct Process {
    explicit Process(const std::string& url, std::size_t window) {
        PgPoolOptions options;
        options.url = url;
        options.connections = 1;
        pool = std::make_unique<PgPool>(options);
        store = std::make_unique<PgCallStore>(*pool, io.get_executor());
        accuracy = std::make_unique<accuracy::LiveAccuracy>(
            std::vector<std::string>{"solo"},
            accuracy::ScorerOptions{.horizon = 1, .window = window}, store.get());
        runner = std::thread([this] { io.run(); });
    }
    ~Process() {
        work.reset();
        runner.join();
    }
    template <typename T>
    T await(asio::awaitable<T> operation) {
        return asio::co_spawn(io, std::move(operation), asio::use_future).get();
    }

    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
        asio::make_work_guard(io)};
    std::unique_ptr<PgPool> pool;
    std::unique_ptr<PgCallStore> store;
    std::unique_ptr<accuracy::LiveAccuracy> accuracy;
    std::thread runner;
};

// Closes 100, 110, 99, 99, 108.9 on 1d and 1h; the consensus says BUY, SELL, HOLD, SELL, BUY,
// the agent SELL, SELL, BUY, BUY, BUY. 1d consensus: hit +0.1, hit +0.1, miss -0.1 (worked in
// tests/accuracy/live_scorer_test.cpp).
void feed(accuracy::LiveAccuracy& accuracy, Timeframe tf) {
    const std::int64_t times[] = {1, 2, 3, 4, 5};
    const double closes[] = {100.0, 110.0, 99.0, 99.0, 108.9};
    const Action consensus[] = {Action::kBuy, Action::kSell, Action::kHold, Action::kSell,
                                Action::kBuy};
    const Action agent[] = {Action::kSell, Action::kSell, Action::kBuy, Action::kBuy, Action::kBuy};
    for (std::size_t i = 0; i < 5; ++i) {
        const std::vector<market::Bar> bar{
            {times[i], closes[i], closes[i], closes[i], closes[i], 1}};
        accuracy.on_stored("AAA", tf, bar,
                           i == 0 ? std::nullopt : std::optional<std::int64_t>(times[i - 1]));
        accuracy.on_signal("AAA", tf, at(times[i], consensus[i], agent[i]));
    }
}

TEST(LiveAccuracyPgTest, ARestartRestoresEveryWindowFromPostgreSQL) {
    ScratchDatabase db;
    ASSERT_TRUE(db.ok()) << kNoTestDatabase;
    {
        pqxx::connection connection(db.url());
        apply_migrations(connection, kSqlDir);
    }
    std::vector<accuracy::WindowFigures> before;
    const std::size_t agent_track = accuracy::kFirstAgentTrack;
    {
        Process first(db.url(), 10);
        feed(*first.accuracy, Timeframe::k1d);
        feed(*first.accuracy, Timeframe::k1h);
        EXPECT_EQ(first.await(first.store->flush(10s)), 0u);
        for (const auto tf : {Timeframe::k1d, Timeframe::k1h}) {
            before.push_back(first.accuracy->figures(tf, accuracy::kConsensusTrack));
            before.push_back(first.accuracy->figures(tf, agent_track));
        }
        EXPECT_EQ(first.await(first.store->stop(1s)), 0u);
    }
    // What was written: 3 consensus + 4 agent calls per timeframe.
    {
        pqxx::connection connection(db.url());
        pqxx::nontransaction tx(connection);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM live_calls")[0].as<int>(), 14);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM live_calls WHERE timeframe = '1d' AND track ="
                           " 'consensus' AND hit")[0]
                      .as<int>(),
                  2);
    }
    ASSERT_EQ(before[0].count, 3u);
    EXPECT_DOUBLE_EQ(before[0].hit_rate, 2.0 / 3.0);

    Process second(db.url(), 10);
    EXPECT_EQ(second.accuracy->figures(Timeframe::k1d, accuracy::kConsensusTrack).count, 0u);
    const auto calls = second.await(second.store->load(second.accuracy->track_names(), 10));
    ASSERT_EQ(calls.size(), 14u);
    second.accuracy->restore(calls);
    std::size_t i = 0;
    for (const auto tf : {Timeframe::k1d, Timeframe::k1h}) {
        for (const std::size_t track : {accuracy::kConsensusTrack, agent_track}) {
            const auto after = second.accuracy->figures(tf, track);
            EXPECT_EQ(after.count, before[i].count) << i;
            EXPECT_DOUBLE_EQ(after.hit_rate, before[i].hit_rate) << i;
            EXPECT_DOUBLE_EQ(after.avg_forward_return, before[i].avg_forward_return) << i;
            ++i;
        }
    }

    // A smaller window restores the newest calls only: the agent's last two 1d calls were the
    // BUY at 99 judged at 99 (miss, 0) and the BUY at 99 judged at 108.9 (hit, +0.1).
    const auto newest = second.await(second.store->load(second.accuracy->track_names(), 2));
    accuracy::LiveAccuracy small({"solo"}, {.horizon = 1, .window = 2});
    small.restore(newest);
    const auto agent = small.figures(Timeframe::k1d, agent_track);
    EXPECT_EQ(agent.count, 2u);
    EXPECT_DOUBLE_EQ(agent.hit_rate, 0.5);
    EXPECT_NEAR(agent.avg_forward_return, 0.05, 1e-12);
    EXPECT_EQ(second.await(second.store->stop(1s)), 0u);
}

TEST(LiveAccuracyPgTest, LiveCallsArePartitionedByMonthLikeSignals) {
    ScratchDatabase db;
    ASSERT_TRUE(db.ok()) << kNoTestDatabase;
    pqxx::connection connection(db.url());
    apply_migrations(connection, kSqlDir);
    {
        // A row in DEFAULT for the month about to get its partition moves into it.
        pqxx::nontransaction tx(connection);
        tx.exec0(
            "INSERT INTO live_calls (scored_at, timeframe, track, symbol, signal_time,"
            " scored_time, action, hit, forward_return) VALUES ('2031-02-10 00:00:00+00', '1d',"
            " 'consensus', 'AAA', 1, 2, 'BUY', true, 0.1)");
    }
    using namespace std::chrono;
    const sys_days today{year{2031} / January / 15};
    const auto created = ensure_range_partitions(connection, live_calls_table(), today, 1);
    EXPECT_EQ(created, (std::vector<std::string>{"live_calls_y2031m01", "live_calls_y2031m02"}));
    EXPECT_TRUE(ensure_range_partitions(connection, live_calls_table(), today, 1).empty());
    {
        pqxx::nontransaction tx(connection);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM live_calls_y2031m02")[0].as<int>(), 1);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM live_calls_default")[0].as<int>(), 0);
    }
    // The signals' partitions are their own.
    EXPECT_EQ(ensure_partitions(connection, today, 0).front(), "signals_y2031m01");
    // What start-up runs covers live_calls too.
    const auto all = ensure_all_partitions(connection, sys_days{year{2031} / March / 15}, 0);
    EXPECT_EQ(std::count(all.begin(), all.end(), "live_calls_y2031m03"), 1);
}

}  // namespace
}  // namespace gs::store
