// PostgreSQL persistence against a real server (GS_TEST_DATABASE_URL). Every test gets a
// database of its own (t_<random>), dropped afterwards, so tests can run in parallel.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <latch>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "goldensignals/market/bar.h"
#include "goldensignals/store/error.h"
#include "goldensignals/store/migrations.h"
#include "goldensignals/store/partitions.h"
#include "goldensignals/store/pg_bar_repository.h"
#include "goldensignals/store/pg_pool.h"
#include "goldensignals/store/pg_signal_store.h"
#include "support/scratch_database.h"
#include "support/wait.h"

namespace gs::store {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using market::Bar;
using market::Timeframe;

const std::string kSqlDir = GS_SOURCE_DIR "/sql";

using testing::kNoTestDatabase;
using testing::ScratchDatabase;

// A fresh database with the migrations applied, a pool, and an io_context on its own
// thread for the awaitable APIs.
class PgStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(db_.ok()) << kNoTestDatabase;
        connection_ = std::make_unique<pqxx::connection>(db_.url());
        apply_migrations(*connection_, kSqlDir);
        runner_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        work_.reset();
        if (runner_.joinable()) {
            runner_.join();
        }
    }

    PgPool& pool() {
        if (!pool_) {
            PgPoolOptions options;
            options.url = db_.url();
            options.connections = 2;
            pool_ = std::make_unique<PgPool>(options);
        }
        return *pool_;
    }

    template <typename T>
    T await(asio::awaitable<T> operation) {
        return asio::co_spawn(io_, std::move(operation), asio::use_future).get();
    }
    void await(asio::awaitable<void> operation) {
        asio::co_spawn(io_, std::move(operation), asio::use_future).get();
    }

    std::int64_t count(const std::string& sql) {
        pqxx::nontransaction tx(*connection_);
        return tx.exec1(sql)[0].as<std::int64_t>();
    }

    ScratchDatabase db_;
    std::unique_ptr<pqxx::connection> connection_;
    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
        asio::make_work_guard(io_)};
    std::thread runner_;
    std::unique_ptr<PgPool> pool_;
};

std::vector<std::int64_t> all_versions() {
    std::vector<std::int64_t> versions;
    for (const auto& migration : list_migrations(kSqlDir)) {
        versions.push_back(migration.version);
    }
    return versions;
}

// ---------------------------------------------------------------------------------------
// Migrations

TEST(PgMigrationsTest, AppliesEveryMigrationOnceAndIsIdempotent) {
    ScratchDatabase db;
    ASSERT_TRUE(db.ok()) << kNoTestDatabase;
    pqxx::connection connection(db.url());
    const auto first = apply_migrations(connection, kSqlDir);
    EXPECT_EQ(first, all_versions());
    const auto second = apply_migrations(connection, kSqlDir);
    EXPECT_TRUE(second.empty());
    pqxx::nontransaction tx(connection);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<std::int64_t>(),
              static_cast<std::int64_t>(all_versions().size()));
    EXPECT_EQ(tx.exec1("SELECT name FROM schema_migrations WHERE version = 1")[0].as<std::string>(),
              "init");
    for (const char* table : {"bars", "signals", "latest_signals", "signals_default"}) {
        EXPECT_FALSE(
            tx.exec_params1("SELECT to_regclass($1) IS NULL", std::string(table))[0].as<bool>())
            << table;
    }
}

TEST(PgMigrationsTest, ConcurrentRunsApplyEachVersionExactlyOnce) {
    ScratchDatabase db;
    ASSERT_TRUE(db.ok()) << kNoTestDatabase;
    constexpr int kRunners = 3;
    std::latch start(kRunners);
    std::vector<std::vector<std::int64_t>> applied(kRunners);
    std::vector<std::string> errors(kRunners);
    std::vector<std::thread> threads;
    for (int i = 0; i < kRunners; ++i) {
        threads.emplace_back([&, i] {
            try {
                pqxx::connection connection(db.url());
                start.arrive_and_wait();
                applied[i] = apply_migrations(connection, kSqlDir);
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    std::multiset<std::int64_t> all;
    for (int i = 0; i < kRunners; ++i) {
        EXPECT_EQ(errors[i], "");
        all.insert(applied[i].begin(), applied[i].end());
    }
    const auto versions = all_versions();
    EXPECT_EQ(all, std::multiset<std::int64_t>(versions.begin(), versions.end()));
    pqxx::connection connection(db.url());
    pqxx::nontransaction tx(connection);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<std::int64_t>(),
              static_cast<std::int64_t>(versions.size()));
}

TEST(PgMigrationsTest, FailingMigrationLeavesNoTraceAndStopsTheRun) {
    ScratchDatabase db;
    ASSERT_TRUE(db.ok()) << kNoTestDatabase;
    namespace fs = std::filesystem;
    const fs::path dir =
        fs::temp_directory_path() / ("gs_bad_sql_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    std::ofstream(dir / "0001_first.sql") << "CREATE TABLE first_table (a int);";
    std::ofstream(dir / "0002_broken.sql") << "CREATE TABLE broken_table (a int);\nSELECT 1 / 0;";
    std::ofstream(dir / "0003_never.sql") << "CREATE TABLE never_table (a int);";
    pqxx::connection connection(db.url());
    try {
        apply_migrations(connection, dir.string());
        ADD_FAILURE() << "a failing migration did not throw";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("0002_broken.sql"), std::string::npos) << e.what();
    }
    fs::remove_all(dir);
    pqxx::nontransaction tx(connection);
    EXPECT_FALSE(tx.exec1("SELECT to_regclass('first_table') IS NULL")[0].as<bool>());
    EXPECT_TRUE(tx.exec1("SELECT to_regclass('broken_table') IS NULL")[0].as<bool>());
    EXPECT_TRUE(tx.exec1("SELECT to_regclass('never_table') IS NULL")[0].as<bool>());
    EXPECT_EQ(tx.exec1("SELECT string_agg(version::text, ',' ORDER BY version)"
                       " FROM schema_migrations")[0]
                  .as<std::string>(),
              "1");
    // The session lock was released with the failed run.
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                       " AND pid = pg_backend_pid()")[0]
                  .as<std::int64_t>(),
              0);
}

// ---------------------------------------------------------------------------------------
// Partitions

std::chrono::sys_days today() {
    return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
}

std::set<std::string> signal_partitions(pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    std::set<std::string> names;
    for (const auto& row :
         tx.exec("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                 " WHERE i.inhparent = 'signals'::regclass")) {
        names.insert(row[0].as<std::string>());
    }
    return names;
}

SignalRow make_signal(const std::string& symbol, std::int64_t as_of, int n = 0,
                      Timeframe timeframe = Timeframe::k1d) {
    SignalRow row;
    row.symbol = symbol;
    row.timeframe = timeframe;
    row.as_of = as_of;
    row.action = n % 2 == 0 ? "BUY" : "SELL";
    row.strength = "moderate";
    row.score = 0.25 + n * 0.001;
    row.confidence = 0.5;
    row.config_version = "cfg1";
    row.body = "{\"symbol\":\"" + symbol + "\",\"as_of\":" + std::to_string(as_of) +
               ",\"n\":" + std::to_string(n) + "}";
    return row;
}

// The row as the service queues it: packed (one agent's vote), so the history needs no body.
SignalRow packed(SignalRow row) {
    static const auto registry =
        std::make_shared<const AgentList>(AgentList{{"sma_cross"}, {"trend"}});
    row.packed = PackedSignal{row.as_of + 60, 300, std::string("\x01", 1),
                              std::string("\x01\x00", 2), registry};
    return row;
}

// Inserts a signal with an explicit created_at (n kept in bars_used); returns its id.
std::int64_t insert_at(pqxx::connection& connection, const std::string& created_at,
                       const std::string& symbol = "OLD", int n = 0) {
    pqxx::work tx(connection);
    const auto id =
        tx.exec_params1(
              "INSERT INTO signals (created_at, symbol, timeframe, as_of, action, strength,"
              " score, confidence, config_version, bars_used) VALUES ($1::timestamptz, $2,"
              " '1d', $1::timestamptz, 2, 0, 0, 0, 'cfg', $3::int) RETURNING id",
              created_at, symbol, n)[0]
            .as<std::int64_t>();
    tx.commit();
    return id;
}

std::string partition_of(pqxx::connection& connection, std::int64_t id) {
    pqxx::nontransaction tx(connection);
    return tx.exec_params1("SELECT tableoid::regclass::text FROM signals WHERE id = $1", id)[0]
        .as<std::string>();
}

TEST_F(PgStoreTest, EnsurePartitionsCreatesThisMonthAndThreeAheadOnce) {
    const auto expected = partitions_for(today(), 3);
    const auto created = ensure_partitions(*connection_, today());
    ASSERT_EQ(created.size(), 4u);
    auto names = signal_partitions(*connection_);
    EXPECT_EQ(names.size(), 5u);
    EXPECT_EQ(names.count("signals_default"), 1u);
    for (const auto& partition : expected) {
        EXPECT_EQ(names.count(partition.name), 1u) << partition.name;
        EXPECT_NE(std::find(created.begin(), created.end(), partition.name), created.end());
    }
    EXPECT_TRUE(ensure_partitions(*connection_, today()).empty());
    EXPECT_EQ(signal_partitions(*connection_).size(), 5u);
}

TEST_F(PgStoreTest, PartitionBoundsAreTheMonthInUtc) {
    ensure_partitions(*connection_, today(), 0);
    const auto partition = monthly_partition(today());
    pqxx::nontransaction tx(*connection_);
    const auto bound =
        tx.exec_params1(
              "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.relname = $1",
              partition.name)[0]
            .as<std::string>();
    // Postgres prints the bounds in the session time zone; compare as timestamps instead.
    const auto same =
        tx.exec_params1(
              "SELECT $1::timestamptz = (regexp_match($3, 'FROM "
              "\\(''([^'']+)''\\)'))[1]::timestamptz"
              " AND $2::timestamptz = (regexp_match($3, 'TO \\(''([^'']+)''\\)'))[1]::timestamptz",
              timestamptz_text(partition.from), timestamptz_text(partition.to), bound)[0]
            .as<bool>();
    EXPECT_TRUE(same) << bound;
}

TEST_F(PgStoreTest, SignalLandsInThePartitionOfItsMonth) {
    ensure_partitions(*connection_, today());
    const SignalRow row = make_signal("AAPL", 1'700'000'000);
    insert_signals(*connection_, std::span<const SignalRow>(&row, 1));
    pqxx::nontransaction tx(*connection_);
    EXPECT_EQ(tx.exec1("SELECT tableoid::regclass::text FROM signals")[0].as<std::string>(),
              monthly_partition(today()).name);
    tx.commit();
    // A row in the middle of the month after next goes to that month's partition.
    const auto later = partitions_for(today(), 2).back();
    const auto id = insert_at(*connection_, timestamptz_text(later.from + std::chrono::days{14}));
    EXPECT_EQ(partition_of(*connection_, id), later.name);
}

TEST_F(PgStoreTest, FarFutureRowGoesToDefaultAndMovesWhenItsMonthIsCreated) {
    using namespace std::chrono;
    ensure_partitions(*connection_, today());
    const sys_days far = today() + days{800};
    const sys_days farther = today() + days{1200};
    const auto far_id = insert_at(*connection_, timestamptz_text(far + hours{5}), "FAR", 1);
    const auto farther_id = insert_at(*connection_, timestamptz_text(farther), "FARTHER", 2);
    EXPECT_EQ(partition_of(*connection_, far_id), "signals_default");
    EXPECT_EQ(partition_of(*connection_, farther_id), "signals_default");

    const auto created = ensure_partitions(*connection_, far, 0);
    ASSERT_EQ(created, std::vector<std::string>{monthly_partition(far).name});
    EXPECT_EQ(partition_of(*connection_, far_id), monthly_partition(far).name);
    EXPECT_EQ(partition_of(*connection_, farther_id), "signals_default");
    EXPECT_EQ(count("SELECT count(*) FROM signals"), 2);
    pqxx::nontransaction tx(*connection_);
    const auto moved = tx.exec_params1(
        "SELECT symbol, bars_used, created_at = $2::timestamptz FROM signals"
        " WHERE id = $1",
        far_id, timestamptz_text(far + hours{5}));
    EXPECT_EQ(moved[0].as<std::string>(), "FAR");
    EXPECT_EQ(moved[1].as<int>(), 1);
    EXPECT_TRUE(moved[2].as<bool>());
    tx.commit();
    // New ids keep coming after the moved ones.
    const auto next_id = insert_at(*connection_, timestamptz_text(far));
    EXPECT_GT(next_id, farther_id);
}

// ---------------------------------------------------------------------------------------
// Bars

std::vector<Bar> make_bars(std::int64_t first_time, std::size_t n, std::int64_t step = 86'400) {
    std::vector<Bar> bars;
    bars.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double base = 100.0 + static_cast<double>(i % 1000) * 0.01 + 1.0 / 3.0;
        bars.push_back({first_time + static_cast<std::int64_t>(i) * step, base, base + 1.5,
                        base - 1.25, base + 0.1, 1000.0 + static_cast<double>(i)});
    }
    return bars;
}

TEST_F(PgStoreTest, BarUpsertIsAllOrNothing) {
    PgBarRepository bars(pool());
    const auto good = make_bars(1'700'000'000, 10);
    struct Case {
        const char* what;
        Bar bar;
    };
    const Bar ok = good.front();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<Case> cases = {
        {"non-positive open", {ok.time + 999, 0.0, ok.high, ok.low, ok.close, 1}},
        {"negative low", {ok.time + 999, ok.open, ok.high, -1.0, ok.close, 1}},
        {"high below close", {ok.time + 999, 10, 10.5, 9, 11, 1}},
        {"low above open", {ok.time + 999, 10, 12, 10.5, 11, 1}},
        {"negative volume", {ok.time + 999, 10, 12, 9, 11, -1}},
        {"NaN close", {ok.time + 999, 10, 12, 9, nan, 1}},
        {"infinite high", {ok.time + 999, 10, inf, 9, 11, 1}},
        {"infinite volume", {ok.time + 999, 10, 12, 9, 11, inf}},
        {"time before 1970", {-86'400, 10, 12, 9, 11, 1}},
        {"time after 2200", {7'258'118'400, 10, 12, 9, 11, 1}},
    };
    for (const auto& c : cases) {
        // The database refuses exactly what the service's validation refuses.
        EXPECT_TRUE(market::validate_bar(c.bar).has_value()) << c.what;
        auto batch = good;
        batch.insert(batch.begin() + 5, c.bar);
        try {
            await(bars.upsert("AAPL", Timeframe::k1d, batch));
            ADD_FAILURE() << c.what << " was stored";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::kBadData) << c.what << ": " << e.what();
        }
        EXPECT_EQ(count("SELECT count(*) FROM bars"), 0) << c.what;
    }
    EXPECT_EQ(await(bars.upsert("AAPL", Timeframe::k1d, good)), 10u);
    EXPECT_EQ(count("SELECT count(*) FROM bars"), 10);
}

TEST_F(PgStoreTest, BarUpsertOverwritesByTimeAndLaterDuplicatesWin) {
    PgBarRepository bars(pool());
    auto first = make_bars(1'700'000'000, 3);
    await(bars.upsert("MSFT", Timeframe::k1h, first));
    Bar changed = first[1];
    changed.close = changed.open;  // still valid
    changed.volume = 42;
    Bar duplicate = changed;
    duplicate.volume = 43;  // same time, later in the batch: wins
    Bar fourth = first[2];
    fourth.time += 86'400;
    const std::vector<Bar> second = {changed, fourth, duplicate};
    EXPECT_EQ(await(bars.upsert("MSFT", Timeframe::k1h, second)), 2u);
    const auto loaded = await(bars.load("MSFT", Timeframe::k1h, 100));
    ASSERT_EQ(loaded.size(), 4u);
    EXPECT_EQ(loaded[1].time, changed.time);
    EXPECT_EQ(loaded[1].close, changed.close);
    EXPECT_EQ(loaded[1].volume, 43);
    EXPECT_EQ(loaded[0].volume, first[0].volume);
    EXPECT_EQ(loaded[3].time, fourth.time);
}

// Both ways a batch is written: one INSERT over arrays (small) and COPY (large).
class PgBarBatchTest : public PgStoreTest, public ::testing::WithParamInterface<std::size_t> {};

TEST_P(PgBarBatchTest, BatchOfSeveralSeriesLandsWithLaterWritesWinning) {
    PgBarRepository bars(pool());
    const std::size_t n = GetParam();
    const auto a = make_bars(1'700'000'000, n);
    const auto b = make_bars(1'700'000'000, n);
    auto a_again = std::vector<Bar>(a.end() - 2, a.end());
    a_again[0].volume = 4242;   // same time as a[n - 2], later in the batch: wins
    a_again[1].time += 86'400;  // a new bar
    std::vector<SeriesBars> writes = {
        {"AAA", Timeframe::k1d, a}, {"BBB", Timeframe::k1h, b}, {"AAA", Timeframe::k1d, a_again}};
    await(bars.upsert_batch(std::move(writes)));
    EXPECT_EQ(count("SELECT count(*) FROM bars"), static_cast<std::int64_t>(2 * n + 1));
    const auto loaded = await(bars.load("AAA", Timeframe::k1d, n + 10));
    ASSERT_EQ(loaded.size(), n + 1);
    EXPECT_EQ(loaded[n - 2].volume, 4242);
    EXPECT_EQ(loaded[n].time, a_again[1].time);
    EXPECT_EQ(loaded[0].close, a[0].close);
    EXPECT_EQ(await(bars.load("BBB", Timeframe::k1h, n)).size(), n);
    EXPECT_EQ(await(bars.load("BBB", Timeframe::k1d, n)).size(), 0u);
}

TEST_P(PgBarBatchTest, OneBadBarFailsTheWholeBatchAsBadData) {
    PgBarRepository bars(pool());
    const std::size_t n = GetParam();
    const auto good = make_bars(1'700'000'000, n);
    std::vector<Bar> bad = {{good[0].time, 10, 12, 9, 11, -1}};  // negative volume
    std::vector<SeriesBars> writes = {{"AAA", Timeframe::k1d, good}, {"BBB", Timeframe::k1d, bad}};
    try {
        await(bars.upsert_batch(std::move(writes)));
        ADD_FAILURE() << "a batch with a bad bar was stored";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kBadData) << e.what();
    }
    EXPECT_EQ(count("SELECT count(*) FROM bars"), 0);
}

INSTANTIATE_TEST_SUITE_P(ArraysAndCopy, PgBarBatchTest,
                         ::testing::Values(std::size_t{5}, kArrayBatchRows + 10));

TEST_F(PgStoreTest, BatchDoublesRoundTripExactly) {
    PgBarRepository bars(pool());
    // Values whose shortest text has many digits or an exponent.
    std::vector<Bar> odd = {
        {1'700'000'000, 0.1 + 0.2, 1e300, 1e-300, 1.0 / 3.0, 123456789.123456789},
        {1'700'086'400, 2.2250738585072014e-308, 1.7976931348623157e308, 2.2250738585072014e-308,
         2.5, 0}};
    std::vector<SeriesBars> writes = {{"ODD", Timeframe::k1d, odd}};
    await(bars.upsert_batch(std::move(writes)));
    const auto loaded = await(bars.load("ODD", Timeframe::k1d, 10));
    ASSERT_EQ(loaded.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(loaded[i].open, odd[i].open);
        EXPECT_EQ(loaded[i].high, odd[i].high);
        EXPECT_EQ(loaded[i].low, odd[i].low);
        EXPECT_EQ(loaded[i].close, odd[i].close);
        EXPECT_EQ(loaded[i].volume, odd[i].volume);
    }
}

TEST_F(PgStoreTest, LoadReturnsTheNewestNOldestFirst) {
    PgBarRepository bars(pool());
    auto all = make_bars(1'600'000'000, 50, 3600);
    std::shuffle(all.begin(), all.end(), std::mt19937{7});
    await(bars.upsert("TSLA", Timeframe::k1h, all));
    await(bars.upsert("TSLA", Timeframe::k1d, make_bars(1'800'000'000, 5)));
    await(bars.upsert("NVDA", Timeframe::k1h, make_bars(1'900'000'000, 5)));
    const auto newest = await(bars.load("TSLA", Timeframe::k1h, 10));
    ASSERT_EQ(newest.size(), 10u);
    for (std::size_t i = 0; i < newest.size(); ++i) {
        EXPECT_EQ(newest[i].time, 1'600'000'000 + static_cast<std::int64_t>(40 + i) * 3600);
    }
    EXPECT_EQ(await(bars.load("TSLA", Timeframe::k1h, 1000)).size(), 50u);
    EXPECT_TRUE(await(bars.load("TSLA", Timeframe::k1h, 0)).empty());
    EXPECT_TRUE(await(bars.load("NONE", Timeframe::k1h, 10)).empty());
}

TEST_F(PgStoreTest, SymbolsListsTheSymbolsOfOneTimeframeSorted) {
    PgBarRepository bars(pool());
    await(bars.upsert("ZZZ", Timeframe::k1d, make_bars(1'700'000'000, 2)));
    await(bars.upsert("AAA", Timeframe::k1d, make_bars(1'700'000'000, 2)));
    await(bars.upsert("MMM", Timeframe::k1h, make_bars(1'700'000'000, 2)));
    await(bars.upsert("BRK.B", Timeframe::k1d, make_bars(1'700'000'000, 2)));
    EXPECT_EQ(await(bars.symbols(Timeframe::k1d)),
              (std::vector<std::string>{"AAA", "BRK.B", "ZZZ"}));
    EXPECT_EQ(await(bars.symbols(Timeframe::k1h)), std::vector<std::string>{"MMM"});
    EXPECT_TRUE(await(bars.symbols(Timeframe::k1w)).empty());
}

TEST_F(PgStoreTest, UpsertsOneHundredThousandBarsExactly) {
    PgBarRepository bars(pool());
    const auto all = make_bars(1'000'000'000, 100'000, 60);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(await(bars.upsert("SPY", Timeframe::k1m, all)), 100'000u);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::cout << "[ timing ] upsert of 100,000 bars: " << elapsed.count() << " ms\n";
    RecordProperty("upsert_100k_ms", static_cast<int>(elapsed.count()));
    EXPECT_EQ(count("SELECT count(*) FROM bars WHERE symbol = 'SPY'"), 100'000);
    const auto again_start = std::chrono::steady_clock::now();
    EXPECT_EQ(await(bars.upsert("SPY", Timeframe::k1m, all)), 100'000u);
    std::cout << "[ timing ] re-upsert (all conflicts) of 100,000 bars: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - again_start)
                     .count()
              << " ms\n";
    const auto loaded = await(bars.load("SPY", Timeframe::k1m, 100'000));
    ASSERT_EQ(loaded.size(), all.size());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto& a = all[i];
        const auto& b = loaded[i];
        mismatches += a.time != b.time || a.open != b.open || a.high != b.high || a.low != b.low ||
                      a.close != b.close || a.volume != b.volume;
    }
    EXPECT_EQ(mismatches, 0u) << "doubles must round-trip exactly";
}

// ---------------------------------------------------------------------------------------
// Signals

class PgSignalStoreTest : public PgStoreTest {
  protected:
    void TearDown() override {
        if (store_) {
            await(store_->stop(5s));
        }
        PgStoreTest::TearDown();
    }

    PgSignalStore& store(PgSignalStoreOptions options = {}) {
        if (!store_) {
            store_ = std::make_unique<PgSignalStore>(pool(), io_.get_executor(), options);
            store_->start();
        }
        return *store_;
    }

    void enqueue_all(const std::vector<SignalRow>& rows) {
        await([](PgSignalStore& s, std::vector<SignalRow> rows) -> asio::awaitable<void> {
            for (auto& row : rows) {
                co_await s.enqueue(std::move(row));
            }
        }(*store_, rows));
    }

    std::unique_ptr<PgSignalStore> store_;
};

TEST_F(PgSignalStoreTest, ThousandEnqueuedRowsAllLandAfterFlush) {
    PgSignalStoreOptions options;
    options.batch_size = 500;
    auto& s = store(options);
    std::vector<SignalRow> rows;
    std::map<std::string, std::int64_t> newest;
    std::mt19937 random{42};
    for (int i = 0; i < 1000; ++i) {
        const std::string symbol = "SYM" + std::to_string(i % 7);
        const std::int64_t as_of = 1'700'000'000 + static_cast<std::int64_t>(random() % 100'000);
        rows.push_back(make_signal(symbol, as_of, i));
        newest[symbol] = std::max(newest[symbol], as_of);
    }
    const auto start = std::chrono::steady_clock::now();
    enqueue_all(rows);
    await(s.flush());
    std::cout << "[ timing ] enqueue + flush of 1,000 signals: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count()
              << " ms\n";
    EXPECT_EQ(count("SELECT count(*) FROM signals"), 1000);
    EXPECT_EQ(s.written(), 1000u);
    EXPECT_EQ(s.queued(), 0u);
    EXPECT_EQ(count("SELECT count(*) FROM latest_signals"), 7);
    for (const auto& [symbol, as_of] : newest) {
        const auto latest = await(s.latest(symbol, Timeframe::k1d));
        ASSERT_TRUE(latest.has_value()) << symbol;
        EXPECT_EQ(latest->as_of, as_of) << symbol;
        EXPECT_NE(latest->body.find("\"as_of\":" + std::to_string(as_of)), std::string::npos);
        EXPECT_EQ(latest->config_version, "cfg1");
    }
    EXPECT_FALSE(await(s.latest("SYM0", Timeframe::k1h)).has_value());
}

TEST_F(PgSignalStoreTest, DirectBatchInsertOfThousandSignals) {
    std::vector<SignalRow> rows;
    for (int i = 0; i < 1000; ++i) {
        rows.push_back(make_signal("B" + std::to_string(i % 10), 1'700'000'000 + i, i));
    }
    const auto start = std::chrono::steady_clock::now();
    await(pool().run([&rows](pqxx::connection& c) { insert_signals(c, rows); }));
    std::cout << "[ timing ] one-transaction insert of 1,000 signals: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count()
              << " ms\n";
    EXPECT_EQ(count("SELECT count(*) FROM signals"), 1000);
    EXPECT_EQ(count("SELECT count(*) FROM latest_signals"), 10);
}

// The writer copies into its batch, and sends, only the bodies the latest_signals upsert
// keeps (rows the service packed): per series the newest signal's body lands, whatever the
// order of the rows, and every row is in the history.
TEST_F(PgSignalStoreTest, BatchWithSeveralSignalsPerSeriesKeepsTheNewestBodyAndEveryRow) {
    auto& s = store();
    // X: the newest in the middle; Y: two of one as_of (the later wins); Z: one row.
    const std::vector<SignalRow> rows{
        packed(make_signal("X", 1000, 1)), packed(make_signal("Y", 500, 2)),
        packed(make_signal("X", 3000, 3)), packed(make_signal("Z", 700, 4)),
        packed(make_signal("Y", 500, 5)),  packed(make_signal("X", 2000, 6))};
    enqueue_all(rows);
    await(s.flush());
    EXPECT_EQ(s.written(), rows.size());
    EXPECT_EQ(count("SELECT count(*) FROM signals"), 6);
    EXPECT_EQ(count("SELECT count(*) FROM signals WHERE symbol = 'X' AND registry_id IS NOT NULL"),
              3);
    EXPECT_EQ(count("SELECT count(*) FROM latest_signals"), 3);
    const std::pair<std::string, std::size_t> expected[] = {{"X", 2}, {"Y", 4}, {"Z", 3}};
    for (const auto& [symbol, index] : expected) {
        const auto latest = await(s.latest(symbol, Timeframe::k1d));
        ASSERT_TRUE(latest.has_value()) << symbol;
        EXPECT_EQ(latest->as_of, rows[index].as_of) << symbol;
        EXPECT_EQ(latest->body, rows[index].body) << symbol;
    }
}

// The queue keeps one body per series: a packed row's body is released when a newer signal
// of its series is queued behind it, and the newest body is what lands. The writer lingers
// (an hour here) after its first write, so every later row waits in the queue until flush().
TEST_F(PgSignalStoreTest, QueuedRowsKeepOneBodyPerSeriesAndTheNewestLands) {
    PgSignalStoreOptions options;
    options.linger = std::chrono::hours(1);
    auto& s = store(options);
    enqueue_all({packed(make_signal("FIRST", 100, 0))});
    await(s.flush());  // written at once (the writer was idle); it lingers now
    const std::vector<SignalRow> rows{
        packed(make_signal("X", 1000, 1)), packed(make_signal("X", 3000, 2)),
        packed(make_signal("Y", 500, 3)),  packed(make_signal("X", 2000, 4)),
        packed(make_signal("X", 3000, 5)), make_signal("Z", 700, 6)};
    enqueue_all(rows);
    // Released: X at 1000 (X at 3000 came next) and X at 2000 (the second 3000 came next).
    // Kept: the first X at 3000 (the 2000 behind it is older, and the map of newest rows has
    // moved on: about one body per series, not exactly), the second X at 3000, Y, and Z (not
    // packed: the history is packed from its body).
    EXPECT_EQ(s.queued(), rows.size());
    EXPECT_EQ(s.queued_body_bytes(), rows[1].body.size() + rows[2].body.size() +
                                         rows[4].body.size() + rows[5].body.size());
    std::string metrics;
    s.render_metrics(metrics);
    EXPECT_NE(metrics.find("\ngs_signal_archive_queued 6\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("\ngs_signal_archive_queued_body_bytes " +
                           std::to_string(s.queued_body_bytes()) + "\n"),
              std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("\ngs_signal_archive_written_total 1\n"), std::string::npos) << metrics;
    await(s.flush());
    EXPECT_EQ(s.queued_body_bytes(), 0u);
    metrics.clear();
    s.render_metrics(metrics);
    EXPECT_NE(metrics.find("\ngs_signal_archive_written_total 7\n"), std::string::npos) << metrics;
    EXPECT_EQ(count("SELECT count(*) FROM signals WHERE symbol IN ('X', 'Y', 'Z')"), 6);
    const std::pair<std::string, std::size_t> expected[] = {{"X", 4}, {"Y", 2}, {"Z", 5}};
    for (const auto& [symbol, index] : expected) {
        const auto latest = await(s.latest(symbol, Timeframe::k1d));
        ASSERT_TRUE(latest.has_value()) << symbol;
        EXPECT_EQ(latest->as_of, rows[index].as_of) << symbol;
        EXPECT_EQ(latest->body, rows[index].body) << symbol;
    }
}

// A batch cut between a superseded row and the row that superseded it: the first batch writes
// the superseded row to the history only, the next one upserts the newest body.
TEST_F(PgSignalStoreTest, ASupersededRowAtTheEndOfABatchLeavesTheUpsertToTheNext) {
    PgSignalStoreOptions options;
    options.linger = std::chrono::hours(1);
    options.batch_size = 2;
    auto& s = store(options);
    enqueue_all({packed(make_signal("X", 100, 0))});
    await(s.flush());
    const std::vector<SignalRow> rows{packed(make_signal("Y", 200, 1)),
                                      packed(make_signal("X", 200, 2)),
                                      packed(make_signal("X", 300, 3))};
    enqueue_all(rows);
    await(s.flush());
    EXPECT_EQ(count("SELECT count(*) FROM signals WHERE symbol = 'X'"), 3);
    const auto latest = await(s.latest("X", Timeframe::k1d));
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->as_of, 300);
    EXPECT_EQ(latest->body, rows[2].body);
}

// The linger never holds up a flush, and a queue reaching half its capacity ends it: neither
// test below would finish (ctest's timeout) if the writer slept its hour.
TEST_F(PgSignalStoreTest, AFlushOrAFillingQueueEndsTheLinger) {
    PgSignalStoreOptions options;
    options.linger = std::chrono::hours(1);
    options.queue_capacity = 8;  // the linger ends at 4 queued rows
    auto& s = store(options);
    enqueue_all({make_signal("L", 1, 0)});
    await(s.flush());
    enqueue_all({make_signal("L", 2, 1)});
    await(s.flush());  // the writer was lingering after its first write
    EXPECT_EQ(count("SELECT count(*) FROM signals WHERE symbol = 'L'"), 2);
    enqueue_all({make_signal("M", 1, 2), make_signal("M", 2, 3), make_signal("M", 3, 4)});
    EXPECT_EQ(s.queued(), 3u);  // still lingering
    enqueue_all({make_signal("M", 4, 5)});
    EXPECT_TRUE(support::wait_until(
        [this] { return count("SELECT count(*) FROM signals WHERE symbol = 'M'") == 4; },
        std::chrono::seconds(30)));
}

// Migration 0003: latest_signals.body is compressed with lz4 where the server has it (the
// CI and compose servers do); a body well over the TOAST threshold reads back verbatim.
TEST_F(PgSignalStoreTest, LatestBodyIsCompressedWithLz4AndReadsBackVerbatim) {
    auto& s = store();
    SignalRow row = make_signal("LZ", 1000, 1);
    row.body = "{\"pad\":\"";
    for (int i = 0; i < 2000; ++i) {
        row.body += "abcdefgh" + std::to_string(i % 97);
    }
    row.body += "\"}";
    enqueue_all({row});
    await(s.flush());
    const auto latest = await(s.latest("LZ", Timeframe::k1d));
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->body, row.body);
    pqxx::nontransaction tx(*connection_);
    if (tx.exec1("SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression'"
                 " AND 'lz4' = ANY(enumvals)")[0]
            .as<int>() == 0) {
        GTEST_SKIP() << "this PostgreSQL has no lz4";
    }
    EXPECT_EQ(
        tx.exec1("SELECT pg_column_compression(body) FROM latest_signals")[0].as<std::string>(),
        "lz4");
}

TEST_F(PgSignalStoreTest, LatestKeepsTheNewestAsOfAndTheBodyVerbatim) {
    auto& s = store();
    SignalRow newer = make_signal("AMZN", 2000, 1);
    newer.body = "{ \"spaced\" : true,\n \"text\": \"tab\\there \\\\ back\" }";
    SignalRow older = make_signal("AMZN", 1000, 2);
    enqueue_all({newer});
    await(s.flush());
    enqueue_all({older});  // arrives later with an older as_of: must not replace
    await(s.flush());
    auto latest = await(s.latest("AMZN", Timeframe::k1d));
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->as_of, 2000);
    EXPECT_EQ(latest->body, newer.body);
    SignalRow same_time = make_signal("AMZN", 2000, 3);
    same_time.config_version = "cfg2";
    enqueue_all({same_time});  // same as_of: the newer computation wins
    await(s.flush());
    latest = await(s.latest("AMZN", Timeframe::k1d));
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->config_version, "cfg2");
    EXPECT_EQ(latest->body, same_time.body);
    EXPECT_EQ(count("SELECT count(*) FROM signals WHERE symbol = 'AMZN'"), 3);
}

TEST_F(PgSignalStoreTest, HistoryPaginatesNewestFirstWithoutGapsOrDuplicates) {
    auto& s = store();
    // Five batches of five: rows share created_at within a batch, so ties are exercised.
    for (int batch = 0; batch < 5; ++batch) {
        std::vector<SignalRow> rows;
        for (int i = 0; i < 5; ++i) {
            rows.push_back(make_signal("GOOG", 1'700'000'000 + batch * 5 + i, batch * 5 + i));
        }
        enqueue_all(rows);
        await(s.flush());
    }
    enqueue_all({make_signal("OTHER", 1, 0)});
    await(s.flush());

    std::vector<HistoryRow> seen;
    std::optional<std::string> cursor;
    std::vector<std::size_t> page_sizes;
    for (int page = 0; page < 5; ++page) {
        HistoryQuery query;
        query.symbol = "GOOG";
        query.limit = 10;
        query.cursor = cursor;
        const auto result = await(s.history(query));
        page_sizes.push_back(result.rows.size());
        seen.insert(seen.end(), result.rows.begin(), result.rows.end());
        cursor = result.next_cursor;
        if (!cursor) {
            break;
        }
    }
    EXPECT_EQ(page_sizes, (std::vector<std::size_t>{10, 10, 5}));
    EXPECT_FALSE(cursor.has_value());
    ASSERT_EQ(seen.size(), 25u);
    std::set<std::int64_t> ids;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        ids.insert(seen[i].id);
        // Newest first: n counts down from 24 to 0. History format 2 rebuilds the row from
        // its columns, so n is read back from the score make_signal derives from it.
        EXPECT_EQ(nlohmann::json::parse(seen[i].body).at("score").get<double>(),
                  0.25 + static_cast<double>(24 - i) * 0.001)
            << seen[i].body;
        EXPECT_EQ(seen[i].as_of, 1'700'000'000 + 24 - static_cast<std::int64_t>(i));
        if (i > 0) {
            EXPECT_GE(seen[i - 1].created_at_us, seen[i].created_at_us);
            EXPECT_GT(seen[i - 1].id, seen[i].id);
        }
    }
    EXPECT_EQ(ids.size(), 25u);
}

TEST_F(PgSignalStoreTest, HistoryFiltersOnCreatedAtFromInclusiveToExclusive) {
    auto& s = store();
    const std::int64_t base = 1'750'000'000;  // 2025-06-15
    for (int i = 0; i < 10; ++i) {
        insert_at(*connection_,
                  timestamptz_text(std::chrono::sys_seconds{std::chrono::seconds{base + i * 3600}}),
                  "IBM", i);
    }
    HistoryQuery query;
    query.symbol = "IBM";
    query.from = base + 2 * 3600;
    query.to = base + 6 * 3600;
    auto page = await(s.history(query));
    ASSERT_EQ(page.rows.size(), 4u);
    EXPECT_EQ(page.rows.front().created_at_us, (base + 5 * 3600) * 1'000'000);
    EXPECT_EQ(page.rows.back().created_at_us, (base + 2 * 3600) * 1'000'000);
    EXPECT_FALSE(page.next_cursor.has_value());

    query.to.reset();
    query.limit = 3;
    page = await(s.history(query));
    ASSERT_EQ(page.rows.size(), 3u);
    EXPECT_EQ(page.rows.front().created_at_us, (base + 9 * 3600) * 1'000'000);
    ASSERT_TRUE(page.next_cursor.has_value());
    query.cursor = page.next_cursor;
    query.limit = 1000;
    page = await(s.history(query));
    ASSERT_EQ(page.rows.size(), 5u);
    EXPECT_EQ(page.rows.front().created_at_us, (base + 6 * 3600) * 1'000'000);
    EXPECT_EQ(page.rows.back().created_at_us, (base + 2 * 3600) * 1'000'000);

    query = {};
    query.symbol = "IBM";
    query.to = base;
    EXPECT_TRUE(await(s.history(query)).rows.empty());
}

TEST_F(PgSignalStoreTest, HistoryRejectsAGarbledCursor) {
    auto& s = store();
    HistoryQuery query;
    query.symbol = "IBM";
    query.cursor = "not-a-cursor";
    try {
        await(s.history(query));
        FAIL() << "a garbled cursor was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kBadData);
    }
}

TEST_F(PgSignalStoreTest, EnqueueWaitsForRoomWhenTheQueueIsFull) {
    PgSignalStoreOptions options;
    options.queue_capacity = 5;
    store_ = std::make_unique<PgSignalStore>(pool(), io_.get_executor(), options);
    // The writer is not started yet: nothing drains the queue.
    for (int i = 0; i < 5; ++i) {
        SignalRow row = make_signal("FULL", 100 + i, i);
        ASSERT_TRUE(store_->try_enqueue(row));
    }
    SignalRow extra = make_signal("FULL", 200, 99);
    EXPECT_FALSE(store_->try_enqueue(extra));
    EXPECT_EQ(extra.symbol, "FULL") << "a refused row is left untouched";
    auto waiting = asio::co_spawn(io_, store_->enqueue(extra), asio::use_future);
    EXPECT_EQ(waiting.wait_for(200ms), std::future_status::timeout)
        << "enqueue returned while the queue was full";
    store_->start();
    ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
    waiting.get();
    await(store_->flush());
    EXPECT_EQ(count("SELECT count(*) FROM signals WHERE symbol = 'FULL'"), 6);
}

TEST_F(PgSignalStoreTest, RowPostgresRefusesIsDroppedAndTheRestLand) {
    auto& s = store();
    std::vector<SignalRow> rows;
    for (int i = 0; i < 6; ++i) {
        rows.push_back(make_signal("MIX", 100 + i, i));
    }
    rows[3].body = "{not json";
    enqueue_all(rows);
    await(s.flush());
    EXPECT_EQ(count("SELECT count(*) FROM signals WHERE symbol = 'MIX'"), 5);
    EXPECT_EQ(s.rejected(), 1u);
    EXPECT_EQ(s.written(), 5u);
    EXPECT_EQ(s.queued(), 0u);
}

TEST_F(PgSignalStoreTest, EnqueueRefusesRowsThatCanNeverBeStored) {
    auto& s = store();
    SignalRow row = make_signal("BAD", 1);
    row.score = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW(await(s.enqueue(row)), Error);
    row = make_signal("", 1);
    EXPECT_THROW(await(s.enqueue(row)), Error);
    EXPECT_EQ(s.queued(), 0u);
}

TEST_F(PgSignalStoreTest, WriterCreatesTheMonthlyPartitions) {
    auto& s = store();
    enqueue_all({make_signal("PART", 1)});
    await(s.flush());
    const auto names = signal_partitions(*connection_);
    for (const auto& partition : partitions_for(today(), 3)) {
        EXPECT_EQ(names.count(partition.name), 1u) << partition.name;
    }
    EXPECT_EQ(count("SELECT count(*) FROM signals_default"), 0);
}

// ---------------------------------------------------------------------------------------
// Pool

TEST_F(PgStoreTest, RunNeverBlocksTheCallingIoThread) {
    asio::io_context single;
    int ticks = 0;
    bool done = false;
    std::thread::id pool_thread;
    std::thread::id resumed_on;
    asio::co_spawn(
        single,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer timer(co_await asio::this_coro::executor);
            while (!done) {
                timer.expires_after(10ms);
                co_await timer.async_wait(asio::use_awaitable);
                ++ticks;
            }
        },
        asio::detached);
    asio::co_spawn(
        single,
        [&]() -> asio::awaitable<void> {
            co_await pool().run([&](pqxx::connection& c) {
                pool_thread = std::this_thread::get_id();
                pqxx::nontransaction tx(c);
                tx.exec("SELECT pg_sleep(0.3)");
            });
            resumed_on = std::this_thread::get_id();
            done = true;
        },
        asio::detached);
    single.run();
    EXPECT_GE(ticks, 10) << "the timer stalled while the query ran";
    EXPECT_EQ(resumed_on, std::this_thread::get_id()) << "not resumed on the caller's thread";
    EXPECT_NE(pool_thread, std::this_thread::get_id());
}

TEST_F(PgStoreTest, RunMapsDatabaseErrorsAndPassesOthersThrough) {
    auto expect_kind = [this](const std::string& sql, ErrorKind kind) {
        try {
            await(pool().run([sql](pqxx::connection& c) {
                pqxx::work tx(c);
                tx.exec(sql);
                tx.commit();
            }));
            ADD_FAILURE() << sql << " did not throw";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), kind) << sql << ": " << e.what();
        }
    };
    expect_kind(
        "INSERT INTO latest_signals (symbol, timeframe, as_of, config_version, body)"
        " VALUES ('A', '1d', now(), 'c', '{}'), ('A', '1d', now(), 'c', '{}')",
        ErrorKind::kConflict);
    expect_kind("SELECT 1 / 0", ErrorKind::kBadData);
    expect_kind("SELEC nonsense", ErrorKind::kInternal);
    EXPECT_THROW(await(pool().run([](pqxx::connection&) -> int { throw std::logic_error("bug"); })),
                 std::logic_error);
    // The connection is still good after all that.
    EXPECT_EQ(await(pool().run([](pqxx::connection& c) {
                  pqxx::nontransaction tx(c);
                  return tx.exec1("SELECT 41 + 1")[0].as<int>();
              })),
              42);
    EXPECT_TRUE(pool().healthy());
}

TEST_F(PgStoreTest, ManyCallersWaitForRoomInASmallQueueAndAllComplete) {
    PgPoolOptions options;
    options.url = db_.url();
    options.connections = 1;
    options.queue_capacity = 2;
    PgPool small(options);
    std::atomic<std::size_t> max_waiting{0};
    std::vector<std::future<int>> results;
    for (int i = 0; i < 12; ++i) {
        results.push_back(asio::co_spawn(io_, small.run([i](pqxx::connection& c) {
            pqxx::nontransaction tx(c);
            tx.exec("SELECT pg_sleep(0.02)");
            return i;
        }),
                                         asio::use_future));
        max_waiting = std::max(max_waiting.load(), small.waiting());
    }
    for (int i = 0; i < 12; ++i) {
        EXPECT_EQ(results[i].get(), i);
    }
    EXPECT_EQ(small.queued(), 0u);
    EXPECT_EQ(small.waiting(), 0u);
}

TEST(PgPoolTest, UnreachableServerFailsFastAsUnavailable) {
    PgPoolOptions options;
    options.url = "postgresql://postgres@127.0.0.1:1/none";
    options.connections = 1;
    PgPool pool(options);
    std::atomic<int> downs{0};
    pool.on_state_change([&](bool up) {
        if (!up) {
            ++downs;
        }
    });
    asio::io_context io;
    const auto start = std::chrono::steady_clock::now();
    auto result =
        asio::co_spawn(io, pool.run([](pqxx::connection&) { return 1; }), asio::use_future);
    io.run();
    try {
        result.get();
        FAIL() << "run succeeded without a server";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kUnavailable) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s) << "run hung instead of failing";
    EXPECT_FALSE(pool.healthy());
    EXPECT_GE(downs.load(), 1);
}

// A hook set after the pool has connected learns at once that it is up (main sets it after
// the pool's threads started; before, known_ was set only by a failure, so an up pool stayed
// "down" in /readyz until it went down and up again).
TEST_F(PgStoreTest, HookSetAfterTheFirstConnectIsToldThePoolIsUp) {
    PgPool& up = pool();
    EXPECT_EQ(await(up.run([](pqxx::connection&) { return 1; })), 1);
    ASSERT_TRUE(up.healthy());
    std::vector<bool> calls;
    up.on_state_change([&](bool state) { calls.push_back(state); });
    EXPECT_EQ(calls, std::vector<bool>{true});
}

// ---------------------------------------------------------------------------------------
// Start-up: migrate_with_retry and load_all_bars (what main.cpp runs before serving)

TEST(PgStartupTest, MigrateWithRetryAppliesTheSchemaOnce) {
    ScratchDatabase db;
    ASSERT_TRUE(db.ok()) << kNoTestDatabase;
    int retries = 0;
    const auto count_retry = [&](const Error&) { ++retries; };
    EXPECT_EQ(migrate_with_retry(db.url(), kSqlDir, 3, 1ms, count_retry), all_versions());
    EXPECT_TRUE(migrate_with_retry(db.url(), kSqlDir, 3, 1ms, count_retry).empty());
    EXPECT_EQ(retries, 0);
}

TEST(PgStartupTest, MigrateWithRetryRetriesAnUnreachableDatabaseThenGivesUp) {
    int retries = 0;
    try {
        migrate_with_retry("postgresql://postgres@127.0.0.1:1/none", kSqlDir, 3, 1ms,
                           [&](const Error& e) {
                               EXPECT_EQ(e.kind(), ErrorKind::kUnavailable);
                               ++retries;
                           });
        ADD_FAILURE() << "migrated without a server";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kUnavailable) << e.what();
    }
    EXPECT_EQ(retries, 2);
}

TEST(PgStartupTest, MigrateWithRetryReportsAFailingMigrationAtOnce) {
    ScratchDatabase db;
    ASSERT_TRUE(db.ok()) << kNoTestDatabase;
    namespace fs = std::filesystem;
    const fs::path dir =
        fs::temp_directory_path() / ("gs_bad_sql_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    std::ofstream(dir / "0001_broken.sql") << "SELECT 1 / 0;";
    int retries = 0;
    EXPECT_THROW(
        migrate_with_retry(db.url(), dir.string(), 30, 1ms, [&](const Error&) { ++retries; }),
        Error);
    EXPECT_EQ(retries, 0);
    fs::remove_all(dir);
}

TEST_F(PgStoreTest, LoadAllBarsHandsOverEverySeriesNewestNOldestFirst) {
    PgBarRepository bars(pool());
    await(bars.upsert("TSLA", Timeframe::k1h, make_bars(1'600'000'000, 50, 3600)));
    await(bars.upsert("TSLA", Timeframe::k1d, make_bars(1'800'000'000, 2)));
    await(bars.upsert("NVDA", Timeframe::k1h, make_bars(1'900'000'000, 5, 3600)));
    std::map<std::pair<std::string, Timeframe>, std::vector<market::Bar>> seen;
    const auto loaded = load_all_bars(
        db_.url(), 10,
        [&](const std::string& symbol, Timeframe timeframe, std::span<const market::Bar> series) {
            EXPECT_TRUE(seen.emplace(std::pair{symbol, timeframe},
                                     std::vector<market::Bar>(series.begin(), series.end()))
                            .second)
                << symbol << " handed over twice";
        });
    EXPECT_EQ(loaded, 3u);
    ASSERT_EQ(seen.size(), 3u);
    const auto series = [&](const char* symbol, Timeframe timeframe) {
        return seen[std::pair{std::string(symbol), timeframe}];
    };
    const auto tsla = series("TSLA", Timeframe::k1h);
    ASSERT_EQ(tsla.size(), 10u);
    EXPECT_EQ(tsla.front().time, 1'600'000'000 + 40 * 3600);
    EXPECT_EQ(tsla.back().time, 1'600'000'000 + 49 * 3600);
    EXPECT_EQ(series("TSLA", Timeframe::k1d).size(), 2u);
    EXPECT_EQ(series("NVDA", Timeframe::k1h).size(), 5u);
}

TEST(PgStartupTest, LoadAllBarsFromAnUnreachableDatabaseThrowsUnavailable) {
    try {
        load_all_bars("postgresql://postgres@127.0.0.1:1/none", 10,
                      [](const std::string&, Timeframe, std::span<const market::Bar>) {});
        ADD_FAILURE() << "loaded without a server";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kUnavailable) << e.what();
    }
}

}  // namespace
}  // namespace gs::store
