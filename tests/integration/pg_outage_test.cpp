// Postgres going away and coming back, on a private server this test starts and stops
// itself (initdb + pg_ctl, as scripts/lib/services.sh does), so other tests never notice.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include "goldensignals/store/error.h"
#include "goldensignals/store/migrations.h"
#include "goldensignals/store/pg_pool.h"
#include "goldensignals/store/pg_signal_store.h"

namespace gs::store {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

unsigned short free_port() {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

// A throwaway PostgreSQL server on loopback, stopped and deleted at the end.
class PrivatePostgres final {
  public:
    PrivatePostgres() {
        const char* bin = std::getenv("GS_TEST_PG_BIN");
        bin_ = bin != nullptr && *bin != '\0' ? bin : "/usr/lib/postgresql/15/bin";
        if (!fs::exists(fs::path(bin_) / "pg_ctl")) {
            error_ = "no pg_ctl in " + bin_ + " (set GS_TEST_PG_BIN)";
            return;
        }
        char pattern[] = "/tmp/gs-pg-outage.XXXXXX";
        if (mkdtemp(pattern) == nullptr) {
            error_ = "mkdtemp failed";
            return;
        }
        dir_ = pattern;
        fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
        // initdb refuses to run as root: run the server as the postgres user then.
        if (geteuid() == 0) {
            prefix_ = "runuser -u postgres -- ";
            shell("chown postgres:postgres " + dir_);
        }
        port_ = free_port();
        if (!shell(prefix_ + bin_ + "/initdb -D " + dir_ + "/data -U postgres -A trust -E UTF8" +
                   " --locale=C.UTF-8 --no-sync > " + dir_ + "/initdb.log 2>&1")) {
            error_ = "initdb failed, see " + dir_ + "/initdb.log";
            return;
        }
        if (!start()) {
            error_ = "pg_ctl start failed, see " + dir_ + "/postgres.log";
        }
    }
    ~PrivatePostgres() {
        if (!dir_.empty()) {
            shell(prefix_ + bin_ + "/pg_ctl -D " + dir_ +
                  "/data -m immediate stop > /dev/null 2>&1");
            std::error_code ignored;
            fs::remove_all(dir_, ignored);
        }
    }
    PrivatePostgres(const PrivatePostgres&) = delete;
    PrivatePostgres& operator=(const PrivatePostgres&) = delete;

    bool start() {
        return shell(prefix_ + bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ +
                     "/postgres.log -w -t 30 -o \"-p " + std::to_string(port_) + " -k " + dir_ +
                     " -c listen_addresses=127.0.0.1 -c fsync=off\" start > /dev/null");
    }
    bool stop() {
        return shell(prefix_ + bin_ + "/pg_ctl -D " + dir_ + "/data -m fast -w stop > /dev/null");
    }

    const std::string& error() const { return error_; }
    std::string url() const {
        return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
    }

  private:
    static bool shell(const std::string& command) { return std::system(command.c_str()) == 0; }

    std::string bin_;
    std::string dir_;
    std::string prefix_;
    std::string error_;
    unsigned short port_ = 0;
};

std::vector<SignalRow> rows_for(const std::string& symbol, int n) {
    std::vector<SignalRow> rows;
    for (int i = 0; i < n; ++i) {
        SignalRow row;
        row.symbol = symbol;
        row.as_of = 1'700'000'000 + i;
        row.action = "HOLD";
        row.strength = "weak";
        row.config_version = "cfg";
        row.body = "{\"i\":" + std::to_string(i) + "}";
        rows.push_back(std::move(row));
    }
    return rows;
}

asio::awaitable<void> enqueue_all(PgSignalStore& store, std::vector<SignalRow> rows) {
    for (auto& row : rows) {
        co_await store.enqueue(std::move(row));
    }
}

TEST(PgOutageTest, QueuedSignalsSurviveAPostgresRestart) {
    PrivatePostgres pg;
    ASSERT_EQ(pg.error(), "");
    {
        pqxx::connection connection(pg.url());
        ASSERT_FALSE(apply_migrations(connection, GS_SOURCE_DIR "/sql").empty());
    }
    PgPoolOptions pool_options;
    pool_options.url = pg.url();
    pool_options.connections = 2;
    pool_options.backoff_initial = 50ms;
    pool_options.backoff_max = 400ms;
    PgPool pool(pool_options);
    std::atomic<int> ups{0};
    std::atomic<int> downs{0};
    pool.on_state_change([&](bool up) { ++(up ? ups : downs); });

    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    auto await = [&io](auto operation) {
        return asio::co_spawn(io, std::move(operation), asio::use_future).get();
    };
    auto count = [&](const std::string& symbol) {
        return await(pool.run([symbol](pqxx::connection& c) {
            pqxx::nontransaction tx(c);
            return tx.exec_params1("SELECT count(*) FROM signals WHERE symbol = $1", symbol)[0]
                .as<std::int64_t>();
        }));
    };

    PgSignalStoreOptions store_options;
    store_options.queue_capacity = 60;
    store_options.batch_size = 20;
    store_options.retry_initial = 50ms;
    store_options.retry_max = 400ms;
    PgSignalStore store(pool, io.get_executor(), store_options);
    store.start();

    await(enqueue_all(store, rows_for("BEFORE", 50)));
    await(store.flush());
    EXPECT_EQ(count("BEFORE"), 50);
    EXPECT_TRUE(pool.healthy());

    ASSERT_TRUE(pg.stop());
    // While Postgres is down rows wait in the queue...
    await(enqueue_all(store, rows_for("DURING", 50)));
    // ...and once it is full, enqueue waits for room instead of dropping.
    auto blocked =
        asio::co_spawn(io, enqueue_all(store, rows_for("BLOCKED", 20)), asio::use_future);
    // run() fails quickly, as unavailable, rather than hanging.
    const auto start = std::chrono::steady_clock::now();
    try {
        count("BEFORE");
        ADD_FAILURE() << "a query succeeded with Postgres stopped";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kUnavailable) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_FALSE(pool.healthy());
    EXPECT_GE(downs.load(), 1);
    EXPECT_EQ(blocked.wait_for(500ms), std::future_status::timeout)
        << "enqueue returned although the queue was full";
    EXPECT_EQ(store.queued(), 60u);
    EXPECT_EQ(store.written(), 50u);
    auto flushed = asio::co_spawn(io, store.flush(), asio::use_future);
    EXPECT_EQ(flushed.wait_for(300ms), std::future_status::timeout);

    ASSERT_TRUE(pg.start());
    ASSERT_EQ(blocked.wait_for(30s), std::future_status::ready);
    blocked.get();
    ASSERT_EQ(flushed.wait_for(30s), std::future_status::ready);
    flushed.get();
    await(store.flush());
    EXPECT_EQ(count("BEFORE"), 50);
    EXPECT_EQ(count("DURING"), 50);
    EXPECT_EQ(count("BLOCKED"), 20);
    EXPECT_EQ(store.written(), 120u);
    EXPECT_EQ(store.rejected(), 0u);
    EXPECT_TRUE(pool.healthy());
    EXPECT_GE(ups.load(), 2);
    const auto latest = await(store.latest("DURING", market::kDefaultTimeframe));
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->as_of, 1'700'000'049);

    EXPECT_EQ(await(store.stop(5s)), 0u);
    work.reset();
    runner.join();
}

}  // namespace
}  // namespace gs::store
