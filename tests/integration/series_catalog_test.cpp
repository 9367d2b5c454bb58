// The catalog of stored series against a real PostgreSQL (docs/memory.md "Catalog"): after a
// restart, series that are not resident are listed (with their bar figures), scanned (the
// latest signal's summary, from memory) and backtested (loaded before they run), and a
// symbols=* snapshot has their latest signal, all without loading them where it is not needed.
#include <algorithm>
#include <cmath>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/transaction>

#include "goldensignals/agents/registry.h"
#include "goldensignals/backtest/figures.h"
#include "goldensignals/backtest/jobs.h"
#include "goldensignals/cache/signal_tier.h"
#include "goldensignals/http/api_routes.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/bar_sync.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/scan.h"
#include "goldensignals/orchestrator/signal_board.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/store/migrations.h"
#include "goldensignals/store/pg_bar_repository.h"
#include "goldensignals/store/pg_pool.h"
#include "goldensignals/store/pg_signal_store.h"
#include "support/scratch_database.h"
#include "support/wait.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
using market::Bar;
using market::Timeframe;
using testing::kNoTestDatabase;
using testing::ScratchDatabase;

const std::string kSqlDir = GS_SOURCE_DIR "/sql";
constexpr std::size_t kCapacity = 5000;
constexpr int kSeries = 6;
constexpr std::size_t kBars = 260;

std::vector<Bar> walk(std::size_t n, double seed) {
    std::vector<Bar> bars;
    bars.reserve(n);
    double close = 40 + seed;
    for (std::size_t i = 0; i < n; ++i) {
        close *= 1.0 + 0.021 * std::sin(seed + static_cast<double>(i) * 0.41) +
                 0.004 * std::cos(static_cast<double>(i) * seed);
        const double open = close * (1 + 0.005 * std::sin(static_cast<double>(i)));
        bars.push_back({static_cast<std::int64_t>(86'400 * (11'000 + i)), open,
                        std::max(open, close) * 1.01, std::min(open, close) * 0.99, close,
                        2e5 + 1e3 * static_cast<double>(i % 13)});
    }
    return bars;
}

std::string symbol_of(int i) {
    return "CT" + std::to_string(i);
}

// The repository the sync loads from, counting loads.
class CountingRepository final : public store::BarRepository {
  public:
    explicit CountingRepository(store::BarRepository& inner) : inner_(inner) {}
    asio::awaitable<std::size_t> upsert(std::string symbol, Timeframe timeframe,
                                        std::span<const Bar> bars) override {
        return inner_.upsert(std::move(symbol), timeframe, bars);
    }
    asio::awaitable<std::vector<Bar>> load(std::string symbol, Timeframe timeframe,
                                           std::size_t newest_n) override {
        loads.fetch_add(1);
        return inner_.load(std::move(symbol), timeframe, newest_n);
    }
    asio::awaitable<std::vector<store::CatalogRow>> catalog() override { return inner_.catalog(); }
    std::atomic<int> loads{0};

  private:
    store::BarRepository& inner_;
};

// One "process": a budgeted store, the sync over PostgreSQL, the signal service with the
// PostgreSQL archive (L3, where the catalog's columns are written) and the scan's board.
struct Process {
    explicit Process(const std::string& url)
        : pool({.url = url, .connections = 2}),
          pg_repository(pool),
          repository(pg_repository),
          store(kCapacity),
          sync(store, BarSync::no_bar_versions(), repository, kCapacity),
          orchestrator(compute.get_executor(), 2, agents::all_agents(), consensus::Config{}, {}),
          archive(pool, io.get_executor(), {.maintain_partitions = false}),
          service(store, orchestrator, {.key_prefix = "gs:", .l1 = {1, 1, 1}}, {l2, archive, sync}),
          board(store, service) {
        store.set_budget(std::size_t{64} << 20);
        store.enable_eviction();
        archive.start();
        for (int i = 0; i < 2; ++i) {
            threads.emplace_back([this] { io.run(); });
        }
    }
    ~Process() {
        run<std::size_t>([this] { return archive.stop(std::chrono::seconds(5)); });
        work.reset();
        for (auto& thread : threads) {
            thread.join();
        }
        compute.join();
    }

    template <typename T>
    T run(std::function<asio::awaitable<T>()> f) {
        return asio::co_spawn(asio::make_strand(io), std::move(f), asio::use_future).get();
    }

    // The series' current signal (computed, and so archived, when none is kept).
    std::shared_ptr<const SignalEntry> signal(const std::string& symbol) {
        return run<std::shared_ptr<const SignalEntry>>(
            [this, symbol]() -> asio::awaitable<std::shared_ptr<const SignalEntry>> {
                std::string name = symbol;
                auto lookup = co_await service.current(std::move(name), Timeframe::k1d);
                co_return lookup.entry;
            });
    }
    void flush() {
        run<int>([this]() -> asio::awaitable<int> {
            co_await archive.flush();
            co_return 0;
        });
    }
    std::size_t load_catalog() {
        return run<std::size_t>([this]() -> asio::awaitable<std::size_t> {
            std::function<void(const store::CatalogRow&)> each = [this](const auto& row) {
                if (auto summary = SignalBoard::summary_of(row)) {
                    board.seed(row.key.timeframe, std::move(*summary));
                }
            };
            co_return co_await sync.load_catalog(std::move(each));
        });
    }
    SignalBoard::Answer scan(ScanQuery query) {
        return run<SignalBoard::Answer>([this, query]() -> asio::awaitable<SignalBoard::Answer> {
            co_return co_await board.scan(Timeframe::k1d, query);
        });
    }

    store::PgPool pool;
    store::PgBarRepository pg_repository;
    CountingRepository repository;
    market::MemoryBarStore store;
    BarSync sync;
    asio::thread_pool compute{2};
    Orchestrator orchestrator;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    cache::NoSignalTier l2;
    store::PgSignalStore archive;
    SignalService service;
    SignalBoard board;
    std::vector<std::thread> threads;
};

class SeriesCatalogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(db_.ok()) << kNoTestDatabase;
        pqxx::connection connection(db_.url());
        store::apply_migrations(connection, kSqlDir);
        for (int i = 0; i < kSeries; ++i) {
            store::upsert_bars(connection, symbol_of(i), Timeframe::k1d, walk(kBars, 1.5 + i));
        }
        // A first process computes every series' signal: the write path fills the catalog.
        Process first(db_.url());
        for (int i = 0; i < kSeries; ++i) {
            auto entry = first.signal(symbol_of(i));
            ASSERT_TRUE(entry);
            auto summary = parse_summary(*entry->summary_json);
            ASSERT_TRUE(summary);
            summaries_.push_back(*summary);
            summary_bodies_.push_back(*entry->summary_json);
        }
        first.flush();
    }

    ScratchDatabase db_;
    std::vector<SignalSummary> summaries_;
    std::vector<std::string> summary_bodies_;
};

TEST_F(SeriesCatalogTest, ARestartedProcessListsEveryStoredSeriesWithoutLoadingOne) {
    Process process(db_.url());
    EXPECT_EQ(process.load_catalog(), static_cast<std::size_t>(kSeries));
    EXPECT_EQ(process.store.series_count(), 0u);  // nothing resident

    const auto bars = walk(kBars, 1.5);
    auto listed = process.store.list_catalog(Timeframe::k1d);
    ASSERT_EQ(listed.size(), static_cast<std::size_t>(kSeries));
    for (const auto& ref : listed) {
        EXPECT_FALSE(ref.series) << ref.symbol;
        EXPECT_EQ(ref.stored.bars, kBars) << ref.symbol;
        EXPECT_EQ(ref.stored.first, bars.front().time) << ref.symbol;
        EXPECT_EQ(ref.stored.last, bars.back().time) << ref.symbol;
    }
    std::vector<std::string> expected;
    for (int i = 0; i < kSeries; ++i) {
        expected.push_back(symbol_of(i));
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(process.store.symbols(Timeframe::k1d), expected);  // what "*" resolves to
    EXPECT_EQ(process.repository.loads.load(), 0);
}

TEST_F(SeriesCatalogTest, AScanCoversStoredSeriesFromMemoryWithTheirLatestSignal) {
    Process process(db_.url());
    process.load_catalog();
    // One series resident (read), the others only stored.
    process.signal(symbol_of(0));
    const int loads = process.repository.loads.load();
    EXPECT_EQ(loads, 1);

    const auto answer = process.scan({.sort = ScanSort::kSymbol, .limit = 500});
    ASSERT_EQ(answer.total, static_cast<std::size_t>(kSeries));
    ASSERT_EQ(answer.rows.size(), static_cast<std::size_t>(kSeries));
    for (const auto& row : answer.rows) {
        const int i = std::stoi(row.symbol.substr(2));
        const SignalSummary& want = summaries_[static_cast<std::size_t>(i)];
        EXPECT_EQ(row.action, want.action) << row.symbol;
        EXPECT_EQ(row.strength, want.strength) << row.symbol;
        EXPECT_EQ(row.score, want.score) << row.symbol;  // exact: typed columns, not rounded
        EXPECT_EQ(row.confidence, want.confidence) << row.symbol;
        EXPECT_EQ(row.as_of, want.as_of) << row.symbol;
        EXPECT_EQ(row.category_scores, want.category_scores) << row.symbol;
        EXPECT_EQ(row.category_voters, want.category_voters) << row.symbol;
    }
    // Served from memory: nothing more loaded, only the read series resident.
    EXPECT_EQ(process.repository.loads.load(), loads);
    EXPECT_EQ(process.store.series_count(), 1u);

    // A stored series' snapshot (symbols=*) is its latest kept summary, bars not loaded.
    auto snapshot = process.run<std::shared_ptr<const std::string>>(
        [&process]() { return process.service.stored_summary(symbol_of(3), Timeframe::k1d); });
    ASSERT_TRUE(snapshot);
    EXPECT_EQ(*snapshot, summary_bodies_[3]);
    EXPECT_EQ(process.repository.loads.load(), loads);
}

TEST_F(SeriesCatalogTest, AUniverseBacktestLoadsStoredSeriesBeforeRunningThem) {
    Process process(db_.url());
    process.load_catalog();
    auto jobs = http::make_backtest_jobs(process.store, process.orchestrator,
                                         process.compute.get_executor(), {}, &process.sync);
    backtest::JobSpec spec;
    spec.timeframe = Timeframe::k1d;
    spec.symbols = process.store.symbols(Timeframe::k1d);  // "*"
    spec.options.periods_per_year = backtest::periods_per_year(Timeframe::k1d);
    ASSERT_EQ(spec.symbols.size(), static_cast<std::size_t>(kSeries));
    const std::string id = jobs->submit(spec);
    ASSERT_TRUE(support::wait_until(
        [&] {
            auto d = jobs->describe(id, false);
            return d && (*d)["status"] == "done";
        },
        std::chrono::seconds(60)));
    const auto d = *jobs->describe(id);
    ASSERT_EQ(d["results"].size(), static_cast<std::size_t>(kSeries));
    for (const auto& result : d["results"]) {
        EXPECT_FALSE(result.contains("error")) << result.dump();
        EXPECT_GT(result.value("bars", 0), 0) << result.dump();
    }
    EXPECT_EQ(d["aggregate"]["failed"], 0);
    EXPECT_EQ(d["progress"]["bars_done"], d["progress"]["bars_total"]);
    EXPECT_GT(d["progress"]["bars_total"].get<std::size_t>(), 0u);
    // One load per series, each through the single flight.
    EXPECT_EQ(process.repository.loads.load(), kSeries);
}

}  // namespace
}  // namespace gs::orchestrator
