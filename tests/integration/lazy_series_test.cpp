// Lazy series under a memory budget against a real PostgreSQL (issue 15 item 3,
// docs/memory.md): a cold series' first read equals a warm one, concurrent first reads share one
// load, a tiny budget evicts and reloads transparently, written and streamed (pinned) series
// stay, and a fresh process serves before anything is warm.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
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
#include "goldensignals/cache/signal_tier.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/orchestrator/bar_sync.h"
#include "goldensignals/orchestrator/ingest_service.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "goldensignals/store/migrations.h"
#include "goldensignals/store/pg_bar_repository.h"
#include "goldensignals/store/pg_pool.h"
#include "goldensignals/store/signal_archive.h"
#include "support/scratch_database.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
using market::Bar;
using market::Timeframe;
using testing::kNoTestDatabase;
using testing::ScratchDatabase;

const std::string kSqlDir = GS_SOURCE_DIR "/sql";
constexpr std::size_t kCapacity = 5000;

std::vector<Bar> walk(std::size_t n, double seed) {
    std::vector<Bar> bars;
    bars.reserve(n);
    double close = 50 + seed;
    for (std::size_t i = 0; i < n; ++i) {
        close *= 1.0 + 0.02 * std::sin(seed + static_cast<double>(i) * 0.37) +
                 0.003 * std::cos(static_cast<double>(i) * seed);
        const double open = close * (1 + 0.004 * std::sin(static_cast<double>(i)));
        bars.push_back({static_cast<std::int64_t>(86'400 * (10'000 + i)), open,
                        std::max(open, close) * 1.01, std::min(open, close) * 0.99, close,
                        1e5 + 1e3 * static_cast<double>(i % 17)});
    }
    return bars;
}

std::string symbol_of(int i) {
    return "LZ" + std::to_string(i);
}

// The signal's JSON without computed_at (the only field that names when, not what).
std::string without_clock(const std::string& json) {
    auto body = nlohmann::json::parse(json);
    body.erase("computed_at");
    return body.dump();
}

// The repository the sync loads from, counting loads and running a hook inside each commit.
class CountingRepository final : public store::BarRepository {
  public:
    explicit CountingRepository(store::BarRepository& inner) : inner_(inner) {}

    asio::awaitable<std::size_t> upsert(std::string symbol, Timeframe timeframe,
                                        std::span<const Bar> bars) override {
        return inner_.upsert(std::move(symbol), timeframe, bars);
    }
    asio::awaitable<void> upsert_batch(std::vector<store::SeriesBars> writes) override {
        if (during_commit) {
            during_commit();
        }
        co_await inner_.upsert_batch(std::move(writes));
    }
    asio::awaitable<std::vector<Bar>> load(std::string symbol, Timeframe timeframe,
                                           std::size_t newest_n) override {
        loads.fetch_add(1);
        return inner_.load(std::move(symbol), timeframe, newest_n);
    }
    asio::awaitable<std::vector<store::SeriesKey>> recent_series(std::size_t limit) override {
        return inner_.recent_series(limit);
    }

    std::atomic<int> loads{0};
    std::function<void()> during_commit;

  private:
    store::BarRepository& inner_;
};

// One "process": the bar store under a budget, the sync over PostgreSQL, the orchestrator
// and the signal service without L2/L3 (they would answer from stored signals instead of
// computing from the loaded bars).
struct Process {
    Process(const std::string& url, std::size_t budget)
        : pool({.url = url, .connections = 2}),
          pg_repository(pool),
          repository(pg_repository),
          store(kCapacity),
          sync(store, BarSync::no_bar_versions(), repository, kCapacity),
          orchestrator(compute.get_executor(), 2, agents::all_agents(), consensus::Config{}, {}),
          // No L1 either: every read is a computation over the bars in memory.
          service(store, orchestrator, {.key_prefix = "gs:", .l1 = {1, 1, 1}}, {l2, l3, sync}),
          ingest(store, repository, sync, service) {
        store.set_budget(budget);
        store.enable_eviction();
        store.on_evict([this](const std::string& symbol, Timeframe timeframe) {
            orchestrator.forget(symbol, timeframe);
        });
        for (int i = 0; i < 2; ++i) {
            threads.emplace_back([this] { io.run(); });
        }
    }
    ~Process() {
        work.reset();
        for (auto& thread : threads) {
            thread.join();
        }
        compute.join();
    }

    // Runs `f` on a strand of the I/O threads and waits for it.
    template <typename T>
    T run(std::function<asio::awaitable<T>()> f) {
        return asio::co_spawn(asio::make_strand(io), std::move(f), asio::use_future).get();
    }
    std::shared_ptr<const SignalEntry> signal(const std::string& symbol) {
        return run<std::shared_ptr<const SignalEntry>>(
            [this, symbol]() -> asio::awaitable<std::shared_ptr<const SignalEntry>> {
                std::string name = symbol;
                auto lookup = co_await service.current(std::move(name), Timeframe::k1d);
                co_return lookup.entry;
            });
    }
    bool held(const std::string& symbol) const {
        const auto all = store.list_series(Timeframe::k1d);
        return std::any_of(all.begin(), all.end(),
                           [&](const market::SeriesRef& ref) { return ref.symbol == symbol; });
    }

    store::PgPool pool;
    store::PgBarRepository pg_repository;
    CountingRepository repository;
    market::MemoryBarStore store;
    BarSync sync;
    asio::thread_pool compute{2};
    Orchestrator orchestrator;
    cache::NoSignalTier l2;
    store::NoSignalArchive l3;
    SignalService service;
    IngestService ingest;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::vector<std::thread> threads;
};

class LazySeriesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(db_.ok()) << kNoTestDatabase;
        pqxx::connection connection(db_.url());
        store::apply_migrations(connection, kSqlDir);
        for (int i = 0; i < kSeries; ++i) {
            store::upsert_bars(connection, symbol_of(i), Timeframe::k1d, walk(300, 1.0 + i));
        }
    }

    // The estimate of one stored series once resident.
    static std::size_t one_series() {
        market::MemoryBarStore probe(kCapacity);
        probe.replace("P", Timeframe::k1d, walk(300, 1));
        return probe.resident_bytes();
    }

    static constexpr int kSeries = 12;
    ScratchDatabase db_;
};

TEST_F(LazySeriesTest, ColdFirstReadEqualsAWarmOne) {
    Process process(db_.url(), std::size_t{64} << 20);
    EXPECT_EQ(process.store.series_count(), 0u);  // nothing loaded before the first read
    const auto cold = process.signal(symbol_of(3));
    ASSERT_NE(cold, nullptr);
    EXPECT_EQ(process.sync.loads(), 1u);
    EXPECT_EQ(process.repository.loads.load(), 1);

    // Warm: the same bars put in memory directly, as the former start-up load did.
    market::MemoryBarStore warm_store(kCapacity);
    warm_store.replace(symbol_of(3), Timeframe::k1d, walk(300, 4.0));
    asio::thread_pool compute(2);
    Orchestrator orchestrator(compute.get_executor(), 2, agents::all_agents(), consensus::Config{},
                              {});
    SignalService warm_service(warm_store, orchestrator, {});
    asio::io_context io;
    auto future = asio::co_spawn(
        asio::make_strand(io),
        [&]() -> asio::awaitable<std::shared_ptr<const SignalEntry>> {
            std::string name = symbol_of(3);
            auto lookup = co_await warm_service.current(std::move(name), Timeframe::k1d);
            co_return lookup.entry;
        },
        asio::use_future);
    io.run();
    const auto warm = future.get();
    ASSERT_NE(warm, nullptr);
    compute.join();

    EXPECT_EQ(without_clock(*cold->full_json()), without_clock(*warm->full_json()));
    EXPECT_EQ(without_clock(*cold->summary_json), without_clock(*warm->summary_json));
    const auto cold_bars = process.store.get(symbol_of(3), Timeframe::k1d);
    const auto warm_bars = warm_store.get(symbol_of(3), Timeframe::k1d);
    ASSERT_EQ(cold_bars->size(), warm_bars->size());
    EXPECT_EQ(cold_bars->content_hash(), warm_bars->content_hash());
    for (std::size_t i = 0; i < cold_bars->size(); ++i) {
        const auto a = cold_bars->bar(i);
        const auto b = warm_bars->bar(i);
        ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "bar " << i;
    }
    // A second read is warm: no load.
    EXPECT_EQ(without_clock(*process.signal(symbol_of(3))->full_json()),
              without_clock(*cold->full_json()));
    EXPECT_EQ(process.sync.loads(), 1u);
}

TEST_F(LazySeriesTest, ConcurrentFirstReadsShareOneLoad) {
    Process process(db_.url(), std::size_t{64} << 20);
    constexpr int kReaders = 16;
    std::vector<std::future<std::shared_ptr<const SignalEntry>>> readers;
    std::vector<std::future<std::shared_ptr<const market::BarSeries>>> bar_readers;
    for (int i = 0; i < kReaders; ++i) {
        readers.push_back(asio::co_spawn(
            asio::make_strand(process.io),
            [&process]() -> asio::awaitable<std::shared_ptr<const SignalEntry>> {
                std::string name = symbol_of(5);
                auto lookup = co_await process.service.current(std::move(name), Timeframe::k1d);
                co_return lookup.entry;
            },
            asio::use_future));
        // The routes that read bars take the same flight.
        bar_readers.push_back(asio::co_spawn(
            asio::make_strand(process.io),
            [&process]() -> asio::awaitable<std::shared_ptr<const market::BarSeries>> {
                co_return co_await process.sync.resident(symbol_of(5), Timeframe::k1d);
            },
            asio::use_future));
    }
    std::shared_ptr<const SignalEntry> first;
    for (auto& reader : readers) {
        auto entry = reader.get();
        ASSERT_NE(entry, nullptr);
        if (!first) {
            first = entry;
        }
        EXPECT_EQ(without_clock(*entry->full_json()), without_clock(*first->full_json()));
    }
    for (auto& reader : bar_readers) {
        auto series = reader.get();
        ASSERT_NE(series, nullptr);
        EXPECT_EQ(series->size(), 300u);
    }
    EXPECT_EQ(process.repository.loads.load(), 1);
    EXPECT_EQ(process.sync.loads(), 1u);
}

TEST_F(LazySeriesTest, TinyBudgetEvictsAndReloadsTransparently) {
    const std::size_t each = one_series();
    Process process(db_.url(), 3 * each + each / 2);
    std::vector<std::string> first_reads;
    for (int i = 0; i < kSeries; ++i) {
        const auto entry = process.signal(symbol_of(i));
        ASSERT_NE(entry, nullptr);
        first_reads.push_back(without_clock(*entry->full_json()));
        EXPECT_LE(process.store.resident_bytes(), process.store.budget());
    }
    EXPECT_LE(process.store.series_count(), 3u);
    EXPECT_GE(process.store.evictions(), static_cast<std::uint64_t>(kSeries - 3));
    // The evicted series' agent states went with their bars.
    EXPECT_LE(process.orchestrator.series_with_states(), 3u);
    EXPECT_EQ(process.sync.loads(), static_cast<std::uint64_t>(kSeries));
    // Read again: each evicted one is loaded again and answers the same.
    for (int i = 0; i < kSeries; ++i) {
        const auto entry = process.signal(symbol_of(i));
        ASSERT_NE(entry, nullptr);
        EXPECT_EQ(without_clock(*entry->full_json()), first_reads[i]) << symbol_of(i);
    }
    EXPECT_GT(process.sync.loads(), static_cast<std::uint64_t>(kSeries));
    // A series PostgreSQL does not hold is absent, not an error.
    EXPECT_EQ(process.signal("NOSUCH"), nullptr);
}

TEST_F(LazySeriesTest, AStreamedSeriesIsNeverEvicted) {
    const std::size_t each = one_series();
    Process process(db_.url(), 2 * each + each / 2);
    // What a stream naming LZ0 holds while it is open (StreamOptions::hold in main).
    auto stream_pin = process.store.pin(symbol_of(0), Timeframe::k1d);
    ASSERT_NE(process.signal(symbol_of(0)), nullptr);
    for (int i = 1; i < kSeries; ++i) {
        ASSERT_NE(process.signal(symbol_of(i)), nullptr);
    }
    EXPECT_TRUE(process.held(symbol_of(0)));
    EXPECT_EQ(process.sync.loads(), static_cast<std::uint64_t>(kSeries));
    // The stream closes: LZ0 is the least recently used and goes with the next load.
    { auto closed = std::move(stream_pin); }
    ASSERT_NE(process.signal(symbol_of(1)), nullptr);
    ASSERT_NE(process.signal(symbol_of(2)), nullptr);
    EXPECT_FALSE(process.held(symbol_of(0)));
}

TEST_F(LazySeriesTest, AWrittenSeriesIsLoadedBeforeTheMergeAndStaysThroughItsCommit) {
    const std::size_t each = one_series();
    Process process(db_.url(), 2 * each + each / 2);
    // While the write's transaction is in flight, other series come into memory and push the
    // total past the budget: the written series is the least recently used, but pinned.
    process.repository.during_commit = [&process] {
        for (int i = 0; i < 4; ++i) {
            process.store.replace("PRESSURE" + std::to_string(i), Timeframe::k1d, walk(300, i));
        }
    };
    const std::vector<Bar> next = {walk(301, 7.0).back()};
    const auto result = process.run<market::UpsertResult>(
        [&process, &next]() -> asio::awaitable<market::UpsertResult> {
            std::string name = symbol_of(6);
            std::vector<Bar> bars = next;
            co_return co_await process.ingest.ingest(std::move(name), Timeframe::k1d,
                                                     std::move(bars));
        });
    // The 300 stored bars were loaded first and the new one merged: 301, not 1.
    ASSERT_NE(result.series, nullptr);
    EXPECT_EQ(result.series->size(), 301u);
    EXPECT_EQ(process.repository.loads.load(), 1);
    EXPECT_GE(process.store.evictions(), 2u);
    EXPECT_EQ(process.store.pinned(), 0u);
    // PostgreSQL and memory agree after the write.
    process.repository.during_commit = nullptr;
    pqxx::connection connection(db_.url());
    EXPECT_EQ(store::load_bars(connection, symbol_of(6), Timeframe::k1d, kCapacity).size(), 301u);
}

TEST_F(LazySeriesTest, AFreshProcessServesBeforeWarmAndWarmsTheMostRecentFirst) {
    // Series with a latest signal, the most recent last: the warm-up takes those first.
    {
        pqxx::connection connection(db_.url());
        pqxx::work tx(connection);
        for (int i : {2, 9, 4}) {
            tx.exec_params(
                "INSERT INTO latest_signals (symbol, timeframe, as_of, config_version, body, "
                "updated_at) VALUES ($1, '1d', now(), 'v', '{}', now() + make_interval(secs => "
                "$2))",
                symbol_of(i), i == 4 ? 3 : (i == 9 ? 2 : 1));
        }
        tx.commit();
    }
    Process process(db_.url(), std::size_t{64} << 20);
    // Serving at once: a first read of any series loads it, nothing else is loaded.
    ASSERT_NE(process.signal(symbol_of(11)), nullptr);
    EXPECT_EQ(process.store.series_count(), 1u);
    const auto stop = std::make_shared<std::atomic<bool>>(false);
    const auto loaded =
        process.run<std::size_t>([&process, stop]() -> asio::awaitable<std::size_t> {
            std::function<bool()> never = [] { return false; };
            co_return co_await process.sync.warm(3, std::move(never), stop);
        });
    EXPECT_EQ(loaded, 3u);
    EXPECT_TRUE(process.held(symbol_of(4)));
    EXPECT_TRUE(process.held(symbol_of(9)));
    EXPECT_TRUE(process.held(symbol_of(2)));
    EXPECT_FALSE(process.held(symbol_of(0)));
    // Bounded by its predicate too (the budget's half in main).
    const auto more = process.run<std::size_t>([&process, stop]() -> asio::awaitable<std::size_t> {
        std::function<bool()> six = [&process] { return process.store.series_count() >= 6; };
        co_return co_await process.sync.warm(100, std::move(six), stop);
    });
    EXPECT_EQ(more, 2u);
    EXPECT_EQ(process.store.series_count(), 6u);
}

}  // namespace
}  // namespace gs::orchestrator
