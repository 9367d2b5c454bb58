// Retention (issue 15, item 2; docs/retention.md) against a real PostgreSQL
// (GS_TEST_DATABASE_URL): migration 0006 moves the bars of a schema-5 database into time
// partitions; run_retention drops what is older than the retention and keeps the rest, driven
// by an injected clock; one instance at a time does the work; ingest and reads go on while
// partitions are dropped; partition creation never waits for readers of the parent. Every
// test gets a database of its own.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <latch>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
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
#include "goldensignals/store/retention.h"
#include "support/wait.h"

namespace gs::store {
namespace {

namespace asio = boost::asio;
using namespace std::chrono;
using market::Bar;
using market::Timeframe;

const std::string kSqlDir = GS_SOURCE_DIR "/sql";

std::string with_database(const std::string& url, const std::string& database) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url + " dbname=" + database;
    }
    const auto slash = url.find('/', scheme + 3);
    const auto query = url.find('?', scheme + 3);
    const std::string head = url.substr(0, std::min(slash, query));
    const std::string tail = query == std::string::npos ? "" : url.substr(query);
    return head + "/" + database + tail;
}

sys_seconds at(year_month_day day, hours hour = hours{12}) {
    return sys_seconds{sys_days{day}} + hour;
}

std::string text_of(sys_seconds time) {
    return timestamptz_text(sys_time<microseconds>{time});
}

class RetentionTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const char* url = std::getenv("GS_TEST_DATABASE_URL");
        ASSERT_TRUE(url != nullptr && *url != '\0')
            << "GS_TEST_DATABASE_URL is not set: `source scripts/lib/services.sh &&"
               " start_postgres` first";
        admin_url_ = url;
        std::mt19937_64 random{std::random_device{}()};
        name_ = "t_" + std::to_string(random() % 1'000'000'000'000ULL);
        {
            pqxx::connection admin(admin_url_);
            pqxx::nontransaction tx(admin);
            tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
        }
        url_ = with_database(admin_url_, name_);
        connection_ = std::make_unique<pqxx::connection>(url_);
        runner_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        pool_.reset();
        work_.reset();
        if (runner_.joinable()) {
            runner_.join();
        }
        connection_.reset();
        if (name_.empty()) {
            return;
        }
        try {
            pqxx::connection admin(admin_url_);
            pqxx::nontransaction tx(admin);
            tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
        } catch (const std::exception& e) {
            std::cerr << "could not drop test database " << name_ << ": " << e.what() << "\n";
        }
    }

    // Applies the migrations up to `version` only (copies of them in a folder of their own).
    void migrate_to(std::int64_t version) {
        namespace fs = std::filesystem;
        const fs::path dir = fs::temp_directory_path() / ("gs_sql_" + name_);
        fs::create_directories(dir);
        for (const auto& migration : list_migrations(kSqlDir)) {
            if (migration.version <= version) {
                fs::copy_file(migration.path, dir / fs::path(migration.path).filename(),
                              fs::copy_options::overwrite_existing);
            }
        }
        apply_migrations(*connection_, dir.string());
        fs::remove_all(dir);
    }

    std::int64_t count(const std::string& sql) {
        pqxx::nontransaction tx(*connection_);
        return tx.exec1(sql)[0].as<std::int64_t>();
    }
    std::string text(const std::string& sql) {
        pqxx::nontransaction tx(*connection_);
        const auto row = tx.exec1(sql);
        return row[0].is_null() ? "" : row[0].as<std::string>();
    }

    // The partitions of `parent`, by name.
    std::set<std::string> partitions_of(const std::string& parent) {
        pqxx::nontransaction tx(*connection_);
        std::set<std::string> names;
        for (const auto& row : tx.exec_params(
                 "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                 " WHERE i.inhparent = $1::regclass",
                 parent)) {
            names.insert(row[0].as<std::string>());
        }
        return names;
    }

    void insert_bar(const std::string& symbol, Timeframe timeframe, sys_seconds time) {
        const Bar bar{time.time_since_epoch().count(), 10, 11, 9, 10.5, 100};
        upsert_bars(*connection_, symbol, timeframe, std::span<const Bar>(&bar, 1));
    }
    void insert_signal_at(sys_seconds created_at, const std::string& symbol = "OLD") {
        exec_committed(
            "INSERT INTO signals (created_at, symbol, timeframe, as_of, action, strength,"
            " score, confidence, config_version) VALUES ($1::timestamptz, $2, '1d',"
            " $1::timestamptz, 2, 0, 0, 0, 'cfg')",
            text_of(created_at), symbol);
    }
    // A run of one scored live call (sql/0009), written at `scored_at`.
    void insert_live_call_at(sys_seconds scored_at, const std::string& symbol = "OLD") {
        exec_committed(
            "INSERT INTO live_calls (scored_at, timeframe, track, calls, symbols, signal_times,"
            " scored_times, buys, hits, forward_returns) VALUES ($1::timestamptz, '1d',"
            " 'consensus', 1, ARRAY[$2::text], '{1}', '{2}', '{t}', '{t}', '{0.1}')",
            text_of(scored_at), symbol);
    }
    template <typename... Args>
    void exec_committed(const char* sql, const Args&... args) {
        pqxx::work tx(*connection_);
        tx.exec_params0(sql, args...);
        tx.commit();
    }
    // Where the bar of `symbol` at `time` is stored.
    std::string partition_of_bar(const std::string& symbol, sys_seconds time) {
        pqxx::nontransaction tx(*connection_);
        return tx
            .exec_params1(
                "SELECT tableoid::regclass::text FROM bars WHERE symbol = $1"
                " AND time = $2::timestamptz",
                symbol, text_of(time))[0]
            .as<std::string>();
    }

    PgPool& pool() {
        if (!pool_) {
            PgPoolOptions options;
            options.url = url_;
            options.connections = 2;
            pool_ = std::make_unique<PgPool>(options);
        }
        return *pool_;
    }
    template <typename T>
    T await(asio::awaitable<T> operation) {
        return asio::co_spawn(io_, std::move(operation), asio::use_future).get();
    }

    std::string admin_url_;
    std::string name_;
    std::string url_;
    std::unique_ptr<pqxx::connection> connection_;
    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
        asio::make_work_guard(io_)};
    std::thread runner_;
    std::unique_ptr<PgPool> pool_;
};

// ---------------------------------------------------------------------------------------
// Migration 0006

TEST_F(RetentionTest, MigrationMovesExistingBarsIntoTimePartitions) {
    migrate_to(5);
    ASSERT_EQ(text("SELECT relkind::text FROM pg_class WHERE oid = 'bars'::regclass"), "r");
    // Bars on both sides of UTC month and year ends, in a session whose zone is not UTC (the
    // partition bounds must still be UTC's).
    const std::vector<std::tuple<std::string, Timeframe, sys_seconds>> bars = {
        {"AAA", Timeframe::k1m, sys_days{2024y / January / 31} + 23h + 59min},
        {"AAA", Timeframe::k1m, sys_days{2024y / February / 1} + 0h},
        {"AAA", Timeframe::k1m, sys_days{2024y / March / 15} + 10h},
        {"BBB", Timeframe::k1m, sys_days{2024y / February / 1} + 3h},
        {"AAA", Timeframe::k1h, sys_days{2023y / December / 31} + 23h},
        {"AAA", Timeframe::k1d, sys_days{2019y / December / 31} + 0h},
        {"AAA", Timeframe::k1d, sys_days{2020y / January / 1} + 0h},
        {"AAA", Timeframe::k1w, sys_days{1999y / June / 7} + 0h},
    };
    {
        pqxx::nontransaction tx(*connection_);
        tx.exec0("SET TIME ZONE 'America/New_York'");
    }
    for (const auto& [symbol, timeframe, time] : bars) {
        insert_bar(symbol, timeframe, time);
    }
    const std::string checksum_sql =
        "SELECT count(*)::text || '/' || sum(extract(epoch FROM time))::text || '/' ||"
        " sum(open + 2 * high + 3 * low + 4 * close + 5 * volume)::text || '/' ||"
        " string_agg(symbol || timeframe, ',' ORDER BY symbol, timeframe, time) FROM bars";
    const std::string before = text(checksum_sql);

    const auto applied = apply_migrations(*connection_, kSqlDir);
    ASSERT_FALSE(applied.empty());
    EXPECT_EQ(applied.front(), 6);
    EXPECT_EQ(text("SELECT relkind::text FROM pg_class WHERE oid = 'bars'::regclass"), "p");
    EXPECT_EQ(text(checksum_sql), before);
    EXPECT_TRUE(text("SELECT to_regclass('bars_v5')::text").empty());

    const auto expect_in = [&](const std::string& symbol, sys_seconds time,
                               const std::string& partition) {
        EXPECT_EQ(partition_of_bar(symbol, time), partition) << symbol << " " << text_of(time);
    };
    expect_in("AAA", sys_days{2024y / January / 31} + 23h + 59min, "bars_1m_y2024m01");
    expect_in("AAA", sys_days{2024y / February / 1} + 0h, "bars_1m_y2024m02");
    expect_in("AAA", sys_days{2024y / March / 15} + 10h, "bars_1m_y2024m03");
    expect_in("BBB", sys_days{2024y / February / 1} + 3h, "bars_1m_y2024m02");
    expect_in("AAA", sys_days{2023y / December / 31} + 23h, "bars_1h_y2023m12");
    expect_in("AAA", sys_days{2019y / December / 31} + 0h, "bars_1d_y2019");
    expect_in("AAA", sys_days{2020y / January / 1} + 0h, "bars_1d_y2020");
    expect_in("AAA", sys_days{1999y / June / 7} + 0h, "bars_1w_y1999");
    EXPECT_EQ(partitions_of("bars_1m"),
              (std::set<std::string>{"bars_1m_default", "bars_1m_y2024m01", "bars_1m_y2024m02",
                                     "bars_1m_y2024m03"}));
    EXPECT_EQ(partitions_of("bars").size(), market::kAllTimeframes.size());

    // The statements on bars work as before: upsert over an existing time, load, symbols.
    const Bar changed{
        sys_seconds{sys_days{2024y / February / 1}}.time_since_epoch().count(), 20, 22, 19, 21, 7};
    EXPECT_EQ(upsert_bars(*connection_, "AAA", Timeframe::k1m, std::span<const Bar>(&changed, 1)),
              1u);
    const auto loaded = load_bars(*connection_, "AAA", Timeframe::k1m, 10);
    ASSERT_EQ(loaded.size(), 3u);
    EXPECT_EQ(loaded[1].close, 21);
    EXPECT_EQ(bar_symbols(*connection_, Timeframe::k1m), (std::vector<std::string>{"AAA", "BBB"}));
    EXPECT_EQ(bar_symbols(*connection_, Timeframe::k1d), (std::vector<std::string>{"AAA"}));
    EXPECT_TRUE(bar_symbols(*connection_, Timeframe::k5m).empty());
    // A CHECK still refuses a bad bar.
    const Bar bad{1'700'000'000, -1, 2, 1, 1.5, 1};
    EXPECT_THROW(upsert_bars(*connection_, "AAA", Timeframe::k1m, std::span<const Bar>(&bad, 1)),
                 Error);

    // Run again (on a partitioned table) the migration changes nothing.
    std::ifstream file(kSqlDir + "/0006_bars_partitioned.sql");
    std::stringstream sql;
    sql << file.rdbuf();
    {
        pqxx::work tx(*connection_);
        tx.exec0(sql.str());
        tx.commit();
    }
    EXPECT_EQ(partitions_of("bars_1m").size(), 4u);
    EXPECT_EQ(count("SELECT count(*) FROM bars"), static_cast<std::int64_t>(bars.size()));
    // And the service's partitions ahead go on top of the migrated ones.
    const auto created = ensure_all_partitions(*connection_, sys_days{2024y / March / 20}, 1);
    EXPECT_EQ(partitions_of("bars_1m").count("bars_1m_y2024m04"), 1u);
    EXPECT_EQ(std::count(created.begin(), created.end(), "bars_1m_y2024m03"), 0);
}

TEST_F(RetentionTest, MigrationOfAnEmptyBarsTableLeavesOnlyDefaults) {
    apply_migrations(*connection_, kSqlDir);
    EXPECT_EQ(partitions_of("bars_1m"), (std::set<std::string>{"bars_1m_default"}));
    // A bar before any period partition exists lands in DEFAULT and moves into its month's
    // partition once that is created.
    const auto time = sys_seconds{sys_days{2030y / May / 3}};
    insert_bar("CCC", Timeframe::k1m, time);
    EXPECT_EQ(partition_of_bar("CCC", time), "bars_1m_default");
    const auto created =
        ensure_range_partitions(*connection_, bars_table(Timeframe::k1m), 2030y / May / 1, 0);
    EXPECT_EQ(created, std::vector<std::string>{"bars_1m_y2030m05"});
    EXPECT_EQ(partition_of_bar("CCC", time), "bars_1m_y2030m05");
}

// ---------------------------------------------------------------------------------------
// Retention runs

// Monthly partitions Jan..Sep 2030 of signals, live_calls and the 1m, 5m and 15m bars, each with
// a row in the middle of its month; the clock says 2030-06-15 12:00 UTC.
class RetentionRunTest : public RetentionTest {
  protected:
    void SetUp() override {
        RetentionTest::SetUp();
        apply_migrations(*connection_, kSqlDir);
        for (const auto* table :
             {&signals_table(), &live_calls_table(), &bars_table(Timeframe::k1m),
              &bars_table(Timeframe::k5m), &bars_table(Timeframe::k15m)}) {
            ensure_range_partitions(*connection_, *table, 2030y / January / 1, 8);
        }
        for (unsigned month = 1; month <= 9; ++month) {
            const auto mid = at(2030y / std::chrono::month{month} / 15);
            insert_bar("OLD", Timeframe::k1m, mid);
            insert_bar("OLD", Timeframe::k5m, mid);
            insert_bar("OLD", Timeframe::k15m, mid);
            insert_signal_at(mid);
            insert_live_call_at(mid);
        }
    }

    RetentionPolicy policy() const {
        RetentionPolicy policy;
        policy.signals = days{100};              // cutoff 2030-03-07 12:00, live_calls too
        policy.bars[Timeframe::k1m] = days{60};  // cutoff 2030-04-16 12:00
        policy.bars[Timeframe::k5m] = hours{1};  // cutoff 2030-06-15 11:00
        return policy;                           // 15m: kept for ever
    }

    const sys_seconds now_ = at(2030y / June / 15);
};

std::set<std::string> monthly_names(const std::string& parent, unsigned first, unsigned last) {
    std::set<std::string> names{parent + "_default"};
    for (unsigned month = first; month <= last; ++month) {
        names.insert(
            range_partition(RangePartitionedTable{parent, "time", PartitionPeriod::kMonth, parent},
                            sys_days{2030y / std::chrono::month{month} / 1})
                .name);
    }
    return names;
}

TEST_F(RetentionRunTest, DropsPartitionsOlderThanTheRetentionAndKeepsTheRest) {
    // Rows no partition covers sit in DEFAULT: an old one goes, a future one stays.
    insert_bar("OLD", Timeframe::k1m, at(2029y / June / 1));
    insert_bar("NEW", Timeframe::k1m, at(2031y / June / 1));
    ASSERT_EQ(partition_of_bar("OLD", at(2029y / June / 1)), "bars_1m_default");
    insert_live_call_at(at(2029y / June / 1));
    insert_live_call_at(at(2031y / June / 1), "NEW");

    const auto report = run_retention(*connection_, policy(), now_);
    EXPECT_TRUE(report.ran);
    EXPECT_TRUE(report.errors.empty());

    // 1m, 60 days: January to March hold only rows older than 2030-04-16; April has newer.
    EXPECT_EQ(partitions_of("bars_1m"), monthly_names("bars_1m", 4, 9));
    EXPECT_EQ(count("SELECT count(*) FROM bars_1m WHERE symbol = 'OLD'"), 6);
    EXPECT_EQ(count("SELECT count(*) FROM bars_1m_default"), 1);
    EXPECT_EQ(text("SELECT symbol FROM bars_1m_default"), "NEW");
    EXPECT_EQ(report.rows_deleted.at("bars_1m"), 1);
    // 5m, one hour: everything before June goes, never the partition holding now.
    EXPECT_EQ(partitions_of("bars_5m"), monthly_names("bars_5m", 6, 9));
    // 15m: no retention, nothing dropped.
    EXPECT_EQ(partitions_of("bars_15m"), monthly_names("bars_15m", 1, 9));
    // Signals, 100 days: January and February.
    EXPECT_EQ(partitions_of("signals"), monthly_names("signals", 3, 9));
    EXPECT_EQ(count("SELECT count(*) FROM signals"), 7);
    // Live calls follow the signals' retention: January and February, and the old row in DEFAULT.
    EXPECT_EQ(partitions_of("live_calls"), monthly_names("live_calls", 3, 9));
    EXPECT_EQ(count("SELECT count(*) FROM live_calls"), 8);
    EXPECT_EQ(text("SELECT symbols[1] FROM live_calls_default"), "NEW");
    EXPECT_EQ(report.rows_deleted.at("live_calls"), 1);

    std::multiset<std::string> dropped_tables;
    for (const auto& [table, name] : report.dropped) {
        dropped_tables.insert(table);
    }
    EXPECT_EQ(dropped_tables.count("bars_1m"), 3u);
    EXPECT_EQ(dropped_tables.count("bars_5m"), 5u);
    EXPECT_EQ(dropped_tables.count("signals"), 2u);
    EXPECT_EQ(dropped_tables.count("live_calls"), 2u);
    EXPECT_EQ(dropped_tables.count("bars_15m"), 0u);

    // A second run at the same time finds nothing more to do.
    const auto again = run_retention(*connection_, policy(), now_);
    EXPECT_TRUE(again.ran);
    EXPECT_TRUE(again.dropped.empty());
    EXPECT_TRUE(again.created.empty());

    // A month later April's 1m partition is past the retention too.
    const auto later = run_retention(*connection_, policy(), now_ + days{31});
    EXPECT_EQ(partitions_of("bars_1m").count("bars_1m_y2030m04"), 0u);
    EXPECT_EQ(partitions_of("bars_1m").count("bars_1m_y2030m05"), 1u);
    EXPECT_FALSE(later.created.empty());  // October's partitions, ahead of the new now
    EXPECT_EQ(partitions_of("bars_1m").count("bars_1m_y2030m10"), 1u);
}

TEST_F(RetentionRunTest, ExpiredPartitionsAreThoseWhollyBeforeTheCutoff) {
    EXPECT_EQ(
        expired_partitions(*connection_, bars_table(Timeframe::k1m), at(2030y / April / 1, 0h)),
        (std::vector<std::string>{"bars_1m_y2030m01", "bars_1m_y2030m02", "bars_1m_y2030m03"}));
    EXPECT_EQ(expired_partitions(*connection_, bars_table(Timeframe::k1m),
                                 at(2030y / April / 1, 0h) - seconds{1}),
              (std::vector<std::string>{"bars_1m_y2030m01", "bars_1m_y2030m02"}));
    EXPECT_TRUE(expired_partitions(*connection_, bars_table(Timeframe::k1m), at(2029y / April / 1))
                    .empty());
}

TEST_F(RetentionRunTest, AnotherSessionHoldingTheLockMakesTheRunASkip) {
    pqxx::connection other(url_);
    {
        pqxx::nontransaction tx(other);
        ASSERT_TRUE(
            tx.exec_params1("SELECT pg_try_advisory_lock($1)", kRetentionLockKey)[0].as<bool>());
    }
    const auto skipped = run_retention(*connection_, policy(), now_);
    EXPECT_FALSE(skipped.ran);
    EXPECT_TRUE(skipped.dropped.empty());
    EXPECT_EQ(partitions_of("bars_1m"), monthly_names("bars_1m", 1, 9));
    {
        pqxx::nontransaction tx(other);
        tx.exec_params("SELECT pg_advisory_unlock($1)", kRetentionLockKey);
    }
    const auto done = run_retention(*connection_, policy(), now_);
    EXPECT_TRUE(done.ran);
    EXPECT_EQ(partitions_of("bars_1m"), monthly_names("bars_1m", 4, 9));
    // The run released its lock.
    pqxx::nontransaction tx(other);
    EXPECT_TRUE(
        tx.exec_params1("SELECT pg_try_advisory_lock($1)", kRetentionLockKey)[0].as<bool>());
}

TEST_F(RetentionRunTest, InstancesRunningAtOnceDropEachPartitionOnce) {
    constexpr int kInstances = 4;
    std::latch start(kInstances);
    std::vector<RetentionReport> reports(kInstances);
    std::vector<std::string> failures(kInstances);
    std::vector<std::thread> threads;
    for (int i = 0; i < kInstances; ++i) {
        threads.emplace_back([&, i] {
            try {
                pqxx::connection connection(url_);
                start.arrive_and_wait();
                reports[i] = run_retention(connection, policy(), now_);
            } catch (const std::exception& e) {
                failures[i] = e.what();
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    std::size_t dropped = 0;
    int ran = 0;
    for (int i = 0; i < kInstances; ++i) {
        EXPECT_EQ(failures[i], "") << "instance " << i;
        EXPECT_TRUE(reports[i].errors.empty())
            << "instance " << i << ": "
            << (reports[i].errors.empty() ? "" : reports[i].errors.front());
        dropped += reports[i].dropped.size();
        ran += reports[i].ran ? 1 : 0;
    }
    EXPECT_GE(ran, 1);
    EXPECT_EQ(dropped, 3u + 5u + 2u + 2u);  // each partition dropped by exactly one instance
    EXPECT_EQ(partitions_of("bars_1m"), monthly_names("bars_1m", 4, 9));
    EXPECT_EQ(partitions_of("signals"), monthly_names("signals", 3, 9));
}

TEST_F(RetentionRunTest, JobCountsItsRunsInMetrics) {
    sys_seconds clock_now = now_;
    RetentionJob job(pool(), io_.get_executor(), {.policy = policy(), .interval = hours{1}},
                     [&clock_now] { return clock_now; });
    const auto report = await(job.run_once());
    EXPECT_EQ(report.dropped.size(), 12u);
    std::string metrics;
    job.render_metrics(metrics);
    EXPECT_NE(metrics.find("gs_retention_runs_total{result=\"done\"} 1\n"), std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("gs_retention_partitions_dropped_total{table=\"bars_1m\"} 3\n"),
              std::string::npos);
    EXPECT_NE(metrics.find("gs_retention_partitions_dropped_total{table=\"bars_5m\"} 5\n"),
              std::string::npos);
    EXPECT_NE(metrics.find("gs_retention_partitions_dropped_total{table=\"signals\"} 2\n"),
              std::string::npos);
    EXPECT_NE(metrics.find("gs_retention_partitions_dropped_total{table=\"live_calls\"} 2\n"),
              std::string::npos);
    EXPECT_NE(metrics.find("gs_retention_partitions_dropped_total{table=\"bars_15m\"} 0\n"),
              std::string::npos);
    EXPECT_NE(metrics.find("gs_retention_last_run_timestamp_seconds " +
                           std::to_string(now_.time_since_epoch().count()) + "\n"),
              std::string::npos)
        << metrics;

    // While another session holds the lock, a run is a skip.
    pqxx::connection other(url_);
    pqxx::nontransaction tx(other);
    tx.exec_params("SELECT pg_advisory_lock($1)", kRetentionLockKey);
    clock_now += days{31};
    EXPECT_FALSE(await(job.run_once()).ran);
    metrics.clear();
    job.render_metrics(metrics);
    EXPECT_NE(metrics.find("gs_retention_runs_total{result=\"skipped\"} 1\n"), std::string::npos);
    EXPECT_NE(metrics.find("gs_retention_partitions_dropped_total{table=\"bars_1m\"} 3\n"),
              std::string::npos);
}

TEST_F(RetentionRunTest, JobStartsStopsAndRunsAtStart) {
    RetentionJob job(pool(), io_.get_executor(), {.policy = policy(), .interval = hours{1}},
                     [this] { return now_; });
    job.start();
    // The first run happens at start.
    std::string metrics;
    EXPECT_TRUE(support::wait_until(
        [&] {
            metrics.clear();
            job.render_metrics(metrics);
            return metrics.find("result=\"done\"} 1") != std::string::npos;
        },
        seconds{30}))
        << metrics;
    await(job.stop());
    EXPECT_NE(metrics.find("result=\"done\"} 1"), std::string::npos) << metrics;
    EXPECT_EQ(partitions_of("bars_1m"), monthly_names("bars_1m", 4, 9));
}

// ---------------------------------------------------------------------------------------
// Concurrency with the service's own reads and writes

TEST_F(RetentionTest, IngestAndReadsGoOnWhilePartitionsAreDropped) {
    apply_migrations(*connection_, kSqlDir);
    const auto today = floor<days>(system_clock::now());
    ensure_all_partitions(*connection_, today);
    // Six old months of 1m bars and signals, each in its own partition.
    const auto first_old = sys_days{year_month_day{today - days{200}}.year() /
                                    year_month_day{today - days{200}}.month() / 1};
    ensure_range_partitions(*connection_, bars_table(Timeframe::k1m), first_old, 5);
    ensure_range_partitions(*connection_, signals_table(), first_old, 5);
    for (int month = 0; month < 6; ++month) {
        const auto time = sys_seconds{first_old} + days{31 * month + 2};
        for (int i = 0; i < 50; ++i) {
            insert_bar("OLD", Timeframe::k1m, time + minutes{i});
        }
        insert_signal_at(time);
    }
    const auto old_partitions = partitions_of("bars_1m").size();

    // The history read returns at most kMaxHistoryLimit rows: that many writes at most.
    constexpr int kMaxOps = static_cast<int>(kMaxHistoryLimit);
    std::atomic<bool> stop{false};
    std::atomic<int> bar_ops{0};
    std::atomic<int> signal_ops{0};
    std::vector<std::string> errors(2);
    const auto live_start = floor<minutes>(system_clock::now()) - hours{1};
    std::thread bars_worker([&] {
        try {
            pqxx::connection connection(url_);
            // At most kMaxOps: the check below reads every LIVE bar back.
            for (int i = 0; (!stop.load() || i < 20) && i < kMaxOps; ++i) {
                const Bar bar{
                    duration_cast<seconds>((live_start + minutes{i}).time_since_epoch()).count(),
                    10,
                    11,
                    9,
                    10.5,
                    1};
                upsert_bars(connection, "LIVE", Timeframe::k1m, std::span<const Bar>(&bar, 1));
                const auto loaded = load_bars(connection, "LIVE", Timeframe::k1m, kMaxOps);
                if (loaded.size() != static_cast<std::size_t>(i + 1)) {
                    throw std::runtime_error("LIVE has " + std::to_string(loaded.size()) +
                                             " bars after " + std::to_string(i + 1) + " writes");
                }
                bar_ops.fetch_add(1);
            }
        } catch (const std::exception& e) {
            errors[0] = e.what();
        }
    });
    std::thread signals_worker([&] {
        try {
            pqxx::connection connection(url_);
            for (int i = 0; (!stop.load() || i < 20) && i < kMaxOps; ++i) {
                SignalRow row;
                row.symbol = "LIVE";
                row.as_of = 1'700'000'000 + i;
                row.action = "BUY";
                row.strength = "weak";
                row.score = 0.1;
                row.confidence = 0.2;
                row.config_version = "cfg";
                row.body = "{\"n\":" + std::to_string(i) + "}";
                insert_signals(connection, std::span<const SignalRow>(&row, 1));
                HistoryQuery query;
                query.symbol = "LIVE";
                query.limit = 1000;
                const auto page = signal_history(connection, query);
                if (page.rows.size() != static_cast<std::size_t>(i + 1)) {
                    throw std::runtime_error("history of LIVE has " +
                                             std::to_string(page.rows.size()) + " rows after " +
                                             std::to_string(i + 1) + " writes");
                }
                signal_ops.fetch_add(1);
            }
        } catch (const std::exception& e) {
            errors[1] = e.what();
        }
    });
    // Let both get going before the drops.
    while ((bar_ops.load() < 5 || signal_ops.load() < 5) && errors[0].empty() &&
           errors[1].empty()) {
        std::this_thread::yield();
    }
    RetentionPolicy policy;
    policy.signals = days{30};
    policy.bars[Timeframe::k1m] = days{30};
    const auto report = run_retention(*connection_, policy, floor<seconds>(system_clock::now()));
    stop.store(true);
    bars_worker.join();
    signals_worker.join();

    EXPECT_EQ(errors[0], "");
    EXPECT_EQ(errors[1], "");
    EXPECT_TRUE(report.errors.empty()) << report.errors.front();
    EXPECT_GE(report.dropped.size(), 8u);  // at least four old months of each table
    EXPECT_LT(partitions_of("bars_1m").size(), old_partitions);
    EXPECT_GE(bar_ops.load(), 20);
    EXPECT_GE(signal_ops.load(), 20);
    EXPECT_EQ(count("SELECT count(*) FROM bars WHERE symbol = 'LIVE'"), bar_ops.load());
    EXPECT_EQ(count("SELECT count(*) FROM signals WHERE symbol = 'LIVE'"), signal_ops.load());
}

// The history read that answered 503 after a second on a fresh database: a reader holds the
// parent (it locks partitions after it) while partitions are created. Creation takes SHARE
// UPDATE EXCLUSIVE on the parent, which does not wait for readers (CREATE TABLE ... PARTITION
// OF took ACCESS EXCLUSIVE there after locking DEFAULT: a deadlock with such a reader).
TEST_F(RetentionTest, CreatingPartitionsDoesNotWaitForReadersOfTheParent) {
    apply_migrations(*connection_, kSqlDir);
    pqxx::connection reader(url_);
    pqxx::work read(reader);
    read.exec0("LOCK TABLE ONLY signals IN ACCESS SHARE MODE");
    read.exec0("LOCK TABLE ONLY bars, ONLY bars_1m IN ACCESS SHARE MODE");
    const auto today = floor<days>(system_clock::now());
    std::vector<std::string> created;
    ASSERT_NO_THROW(created = ensure_range_partitions(*connection_, signals_table(), today, 1,
                                                      milliseconds{500}));
    EXPECT_EQ(created.size(), 2u);
    ASSERT_NO_THROW(created = ensure_range_partitions(*connection_, bars_table(Timeframe::k1m),
                                                      today, 1, milliseconds{500}));
    EXPECT_EQ(created.size(), 2u);
    // The reader goes on to the partitions, new ones included.
    EXPECT_EQ(read.exec1("SELECT count(*) FROM signals")[0].as<int>(), 0);
    EXPECT_EQ(read.exec1("SELECT count(*) FROM bars")[0].as<int>(), 0);
    read.commit();
}

}  // namespace
}  // namespace gs::store
