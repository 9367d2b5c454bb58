// Live accuracy kept in PostgreSQL (live_calls, sql/0007_live_accuracy.sql and
// sql/0009_live_call_runs.sql) against a real server (GS_TEST_DATABASE_URL): what one process
// scored and wrote, a new process restores, figures and windows unchanged; a batch's calls are
// runs, one row per (timeframe, track); calls kept one row each before 0009 are moved into
// runs; live_calls is partitioned by month like signals.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

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
        EXPECT_EQ(tx.exec1("SELECT sum(calls) FROM live_calls")[0].as<int>(), 14);
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM live_calls, unnest(hits) AS h(hit)"
                           " WHERE timeframe = '1d' AND track = 'consensus' AND h.hit")[0]
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
            "INSERT INTO live_calls (scored_at, timeframe, track, calls, symbols, signal_times,"
            " scored_times, buys, hits, forward_returns) VALUES ('2031-02-10 00:00:00+00', '1d',"
            " 'consensus', 1, '{AAA}', '{1}', '{2}', '{t}', '{t}', '{0.1}')");
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

accuracy::ScoredCall call(Timeframe tf, const std::string& track, std::int64_t t, bool hit,
                          double forward_return) {
    accuracy::ScoredCall c;
    c.timeframe = tf;
    c.symbol = "S" + std::to_string(t);
    c.track = track;
    c.signal_time = t;
    c.scored_time = t + 1;
    c.action = (t % 2 == 0) ? Action::kBuy : Action::kSell;
    c.hit = hit;
    c.forward_return = forward_return;
    c.follow_return = c.action == Action::kBuy ? forward_return : -forward_return;
    return c;
}

std::vector<std::int64_t> signal_times_of(const std::vector<accuracy::ScoredCall>& calls,
                                          const std::string& track) {
    std::vector<std::int64_t> times;
    for (const auto& c : calls) {
        if (c.track == track) {
            times.push_back(c.signal_time);
        }
    }
    return times;
}

TEST(LiveAccuracyPgTest, ABatchIsOneRowPerTrackAndTheNewestCallsComeBackAcrossRuns) {
    ScratchDatabase db;
    ASSERT_TRUE(db.ok()) << kNoTestDatabase;
    {
        pqxx::connection connection(db.url());
        apply_migrations(connection, kSqlDir);
    }
    Process process(db.url(), 10);
    // One keep(): one batch, interleaved as the scorer hands them over (the consensus, then
    // the agent, per signal), on 1d; and one call on 1h.
    std::vector<accuracy::ScoredCall> batch;
    for (std::int64_t t = 1; t <= 3; ++t) {
        batch.push_back(
            call(Timeframe::k1d, "consensus", t, t != 2, 0.01 * static_cast<double>(t)));
        batch.push_back(call(Timeframe::k1d, "agent:solo", t, true, -0.1 / 3.0));
    }
    batch.push_back(call(Timeframe::k1h, "consensus", 7, false, 1e-300));
    process.store->keep(batch);
    EXPECT_EQ(process.await(process.store->flush(10s)), 0u);
    {
        pqxx::connection connection(db.url());
        pqxx::nontransaction tx(connection);
        const auto rows = tx.exec(
            "SELECT timeframe, track, calls, array_to_string(signal_times, ','),"
            " array_to_string(buys, ','), array_to_string(hits, ',') FROM live_calls ORDER BY id");
        ASSERT_EQ(rows.size(), 3u);
        EXPECT_EQ(rows[0][1].as<std::string>(), "consensus");
        EXPECT_EQ(rows[0][2].as<int>(), 3);
        EXPECT_EQ(rows[0][3].as<std::string>(), "1,2,3");
        EXPECT_EQ(rows[0][4].as<std::string>(), "f,t,f");  // odd times SELL
        EXPECT_EQ(rows[0][5].as<std::string>(), "t,f,t");
        EXPECT_EQ(rows[1][1].as<std::string>(), "agent:solo");
        EXPECT_EQ(rows[2][0].as<std::string>(), "1h");
    }
    // Two more runs of the 1d consensus: t = 4, 5 and then t = 6.
    process.store->keep({call(Timeframe::k1d, "consensus", 4, true, 0.02),
                         call(Timeframe::k1d, "consensus", 5, true, 0.03)});
    EXPECT_EQ(process.await(process.store->flush(10s)), 0u);
    process.store->keep({call(Timeframe::k1d, "consensus", 6, false, -0.04)});
    EXPECT_EQ(process.await(process.store->flush(10s)), 0u);

    const auto tracks = process.accuracy->track_names();
    // The newest 4 of the consensus: the last of the first run, then the two later runs.
    const auto four = process.await(process.store->load(tracks, 4));
    EXPECT_EQ(signal_times_of(four, "consensus"), (std::vector<std::int64_t>{3, 4, 5, 6, 7}));
    const auto two = process.await(process.store->load(tracks, 2));
    EXPECT_EQ(signal_times_of(two, "consensus"), (std::vector<std::int64_t>{5, 6, 7}));
    EXPECT_EQ(signal_times_of(two, "agent:solo"), (std::vector<std::int64_t>{2, 3}));
    // Every figure comes back exactly: the doubles' text is the shortest that reads back equal.
    const auto all = process.await(process.store->load(tracks, 10));
    ASSERT_EQ(all.size(), 10u);
    for (const auto& c : all) {
        if (c.track == "agent:solo") {
            EXPECT_EQ(c.forward_return, -0.1 / 3.0);
            EXPECT_TRUE(c.hit);
        }
        if (c.timeframe == Timeframe::k1h) {
            EXPECT_EQ(c.forward_return, 1e-300);
            EXPECT_EQ(c.symbol, "S7");
            EXPECT_EQ(c.scored_time, 8);
            EXPECT_EQ(c.action, Action::kSell);
            EXPECT_FALSE(c.hit);
            EXPECT_EQ(c.follow_return, -1e-300);
        }
    }
    EXPECT_EQ(process.await(process.store->stop(1s)), 0u);
}

// Calls kept one row each (schema 8) are moved into runs by 0009: per (timeframe, track, month)
// in id order, at most 1,000 calls a run, each month in its partition; the restore then gives
// the same newest calls the old table gave.
TEST(LiveAccuracyPgTest, MigrationNineMovesOneRowPerCallIntoRuns) {
    ScratchDatabase db;
    ASSERT_TRUE(db.ok()) << kNoTestDatabase;
    namespace fs = std::filesystem;
    const fs::path eight = fs::temp_directory_path() / ("gs_sql8_" + db.name());
    fs::create_directories(eight);
    for (const auto& entry : fs::directory_iterator(kSqlDir)) {
        const auto name = entry.path().filename().string();
        if (name.size() > 4 && name.substr(0, 4) <= "0008") {
            fs::copy_file(entry.path(), eight / name);
        }
    }
    pqxx::connection connection(db.url());
    apply_migrations(connection, eight.string());
    fs::remove_all(eight);
    {
        pqxx::work tx(connection);
        // 2,500 consensus calls on 1d in December 2030 and 3 in January 2031, 2 agent calls;
        // returns i / 10^6 so that order shows.
        tx.exec0(
            "INSERT INTO live_calls (scored_at, timeframe, track, symbol, signal_time,"
            " scored_time, action, hit, forward_return)"
            " SELECT CASE WHEN i <= 2500 THEN '2030-12-05 00:00:00+00'::timestamptz"
            " ELSE '2031-01-05 00:00:00+00' END, '1d', 'consensus', 'S' || i, i, i + 1,"
            " CASE WHEN i % 3 = 0 THEN 'SELL' ELSE 'BUY' END, i % 2 = 0, i / 1e6"
            " FROM generate_series(1, 2503) AS i");
        tx.exec0(
            "INSERT INTO live_calls (scored_at, timeframe, track, symbol, signal_time,"
            " scored_time, action, hit, forward_return) VALUES"
            " ('2030-12-06 00:00:00+00', '1d', 'agent:solo', 'A', 10, 11, 'BUY', true, 0.5),"
            " ('2030-12-07 00:00:00+00', '1d', 'agent:solo', 'B', 12, 13, 'SELL', false, 0.25)");
        tx.commit();
    }
    apply_migrations(connection, kSqlDir);
    {
        pqxx::nontransaction tx(connection);
        const auto runs = tx.exec(
            "SELECT track, calls, tableoid::regclass::text, signal_times[1] FROM live_calls"
            " ORDER BY id");
        ASSERT_EQ(runs.size(), 5u);
        const std::vector<std::tuple<std::string, int, std::string, std::int64_t>> want{
            {"consensus", 1000, "live_calls_y2030m12", 1},
            {"consensus", 1000, "live_calls_y2030m12", 1001},
            {"consensus", 500, "live_calls_y2030m12", 2001},
            {"consensus", 3, "live_calls_y2031m01", 2501},
            {"agent:solo", 2, "live_calls_y2030m12", 10}};
        for (std::size_t i = 0; i < want.size(); ++i) {
            EXPECT_EQ(runs[i][0].as<std::string>(), std::get<0>(want[i])) << i;
            EXPECT_EQ(runs[i][1].as<int>(), std::get<1>(want[i])) << i;
            EXPECT_EQ(runs[i][2].as<std::string>(), std::get<2>(want[i])) << i;
            EXPECT_EQ(runs[i][3].as<std::int64_t>(), std::get<3>(want[i])) << i;
        }
        EXPECT_EQ(tx.exec1("SELECT count(*) FROM live_calls_default")[0].as<int>(), 0);
    }
    Process process(db.url(), 10);
    const auto calls = process.await(process.store->load(process.accuracy->track_names(), 4));
    EXPECT_EQ(signal_times_of(calls, "consensus"),
              (std::vector<std::int64_t>{2500, 2501, 2502, 2503}));
    ASSERT_EQ(signal_times_of(calls, "agent:solo"), (std::vector<std::int64_t>{10, 12}));
    for (const auto& c : calls) {
        if (c.signal_time == 12) {
            EXPECT_EQ(c.symbol, "B");
            EXPECT_EQ(c.action, Action::kSell);
            EXPECT_FALSE(c.hit);
            EXPECT_EQ(c.forward_return, 0.25);
        }
        if (c.signal_time == 2503) {
            EXPECT_EQ(c.symbol, "S2503");
            EXPECT_EQ(c.action, Action::kBuy);
            EXPECT_FALSE(c.hit);
            EXPECT_EQ(c.forward_return, 2503 / 1e6);
        }
    }
    // Run again, the migration leaves the runs as they are.
    {
        pqxx::work tx(connection);
        tx.exec0("DELETE FROM schema_migrations WHERE version = 9");
        tx.commit();
    }
    apply_migrations(connection, kSqlDir);
    pqxx::nontransaction tx(connection);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM live_calls")[0].as<int>(), 5);
    EXPECT_EQ(process.await(process.store->stop(1s)), 0u);
}

}  // namespace
}  // namespace gs::store
