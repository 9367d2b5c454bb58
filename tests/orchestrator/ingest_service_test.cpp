// IngestService against in-memory fakes: the durable repository first, then memory, then the
// announcement, then the signal; a refusal anywhere stores nothing anywhere.
#include "goldensignals/orchestrator/ingest_service.h"

#include <algorithm>
#include <chrono>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "goldensignals/agents/registry.h"
#include "support/fake_tiers.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
using market::Timeframe;
using testing::CallLog;

std::vector<market::Bar> daily_bars(std::size_t n) {
    std::vector<market::Bar> bars;
    for (std::size_t i = 0; i < n; ++i) {
        const double c = 100.0 + static_cast<double>(i % 11);
        bars.push_back({static_cast<std::int64_t>(i) * 86400, c, c + 1, c - 1, c, 10});
    }
    return bars;
}

std::size_t index_of(const std::vector<std::string>& lines, const std::string& prefix) {
    auto it = std::find_if(lines.begin(), lines.end(),
                           [&](const std::string& line) { return line.starts_with(prefix); });
    return static_cast<std::size_t>(it - lines.begin());
}

class IngestServiceTest : public ::testing::Test {
  protected:
    explicit IngestServiceTest(std::size_t max_series = market::kDefaultMaxSeries)
        : store_(5000, max_series),
          orchestrator_(pool_.get_executor(), 2, agents::all_agents(), consensus::Config{}, {}),
          signals_(store_, orchestrator_, {}, {l2_, l3_, sync_}),
          ingest_(store_, repository_, sync_, signals_) {
        signals_.on_new_signal([this](std::shared_ptr<const SignalEntry> entry) {
            log_.add("listener " + entry->symbol);
        });
    }

    market::UpsertResult ingest(const std::string& symbol, std::vector<market::Bar> bars) {
        asio::io_context io;
        market::UpsertResult result;
        asio::co_spawn(
            asio::make_strand(io),
            [&]() -> asio::awaitable<void> {
                std::string name = symbol;
                result = co_await ingest_.ingest(std::move(name), Timeframe::k1d, std::move(bars));
            },
            [](std::exception_ptr e) {
                if (e) {
                    std::rethrow_exception(e);
                }
            });
        io.run();
        return result;
    }

    // Runs the coroutine to completion; its exception leaves here.
    static void run(std::function<asio::awaitable<void>()> work) {
        asio::io_context io;
        asio::co_spawn(asio::make_strand(io), std::move(work), [](std::exception_ptr e) {
            if (e) {
                std::rethrow_exception(e);
            }
        });
        io.run();
    }

    asio::thread_pool pool_{2};
    market::MemoryBarStore store_;
    CallLog log_;
    testing::FakeSignalTier l2_{log_};
    testing::FakeSignalArchive l3_{log_};
    testing::FakeBarVersionRegistry versions_{log_};
    testing::FakeBarRepository repository_{log_};
    BarSync sync_{store_, versions_, repository_, 5000};
    Orchestrator orchestrator_;
    SignalService signals_;
    IngestService ingest_;
};

TEST_F(IngestServiceTest, DurableFirstThenMemoryThenTheAnnouncementThenTheSignal) {
    auto result = ingest("ABC", daily_bars(60));
    EXPECT_EQ(result.accepted, 60u);
    EXPECT_EQ(repository_.size("ABC", Timeframe::k1d), 60u);
    const auto series = store_.get("ABC", Timeframe::k1d);
    ASSERT_NE(series, nullptr);
    const auto version = BarVersion::of(*series).str();
    EXPECT_EQ(versions_.record("ABC", Timeframe::k1d), version);

    const auto lines = log_.lines();
    const auto upsert = index_of(lines, "bars.upsert ABC");
    const auto announce = index_of(lines, "versions.announce ABC " + version);
    const auto told = index_of(lines, "listener ABC");
    ASSERT_LT(told, lines.size());
    EXPECT_LT(upsert, announce);
    EXPECT_LT(announce, told);
    EXPECT_EQ(log_.count("listener"), 1u);
    // A series not in memory is loaded before the merge (its stored history, none here:
    // docs/memory.md), once; the fresh record matches, so the read after the ingest does not
    // reload.
    EXPECT_EQ(log_.count("bars.load"), 1u);
    EXPECT_LT(index_of(lines, "bars.load ABC"), upsert);
    // The bars just changed, so nothing could answer from the version record, L2 or L3: the
    // signal is computed without asking them (three round trips per bar), then cached and
    // archived.
    EXPECT_EQ(log_.count("versions.recorded"), 0u);
    EXPECT_EQ(log_.count("l2.get"), 0u);
    EXPECT_EQ(log_.count("l3.latest"), 0u);
    EXPECT_EQ(log_.count("l2.put "), 1u);
    EXPECT_EQ(log_.count("l3.enqueue ABC"), 1u);
}

TEST_F(IngestServiceTest, BeforeTheAckItWaitsOutTheRegistrysAckDelay) {
    ingest("ABC", daily_bars(60));
    versions_.ack_delay_for_tests = std::chrono::milliseconds(60);
    const auto started = std::chrono::steady_clock::now();
    run([&]() -> asio::awaitable<void> { co_await ingest_.before_ack(); });
    // A lower bound only: the other instances' read leases must have run out.
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(60));
}

TEST_F(IngestServiceTest, RemoveDeletesDurablyThenInMemoryThenLeavesATombstone) {
    ingest("ABC", daily_bars(60));
    std::size_t removed = 0;
    run([&]() -> asio::awaitable<void> {
        std::string name = "ABC";
        removed = co_await ingest_.remove(std::move(name), Timeframe::k1d);
    });
    EXPECT_EQ(removed, 60u);
    EXPECT_EQ(repository_.size("ABC", Timeframe::k1d), 0u);
    EXPECT_EQ(store_.get("ABC", Timeframe::k1d), nullptr);
    EXPECT_EQ(versions_.record("ABC", Timeframe::k1d), std::string(kRemovedVersion));
    const auto lines = log_.lines();
    EXPECT_LT(
        index_of(lines, "bars.erase ABC"),
        index_of(lines, std::string("versions.announce ABC ") + std::string(kRemovedVersion)));
}

TEST_F(IngestServiceTest, RemoveThatTheRepositoryRefusesKeepsEverything) {
    ingest("ABC", daily_bars(60));
    repository_.fail = true;
    EXPECT_THROW(run([&]() -> asio::awaitable<void> {
                     std::string name = "ABC";
                     co_await ingest_.remove(std::move(name), Timeframe::k1d);
                 }),
                 StorageUnavailable);
    EXPECT_NE(store_.get("ABC", Timeframe::k1d), nullptr);
    EXPECT_NE(versions_.record("ABC", Timeframe::k1d), std::string(kRemovedVersion));
}

// A series stored but not in memory (evicted, or never loaded since the start): the write
// loads its history first and merges into it, never replaces it by the new bars alone.
TEST_F(IngestServiceTest, AWriteToASeriesNotInMemoryMergesIntoItsStoredHistory) {
    const auto stored = daily_bars(60);
    repository_.set("OLD", Timeframe::k1d, {stored.begin(), stored.end() - 1});
    auto result = ingest("OLD", {stored.back()});
    ASSERT_NE(result.series, nullptr);
    EXPECT_EQ(result.series->size(), 60u);
    EXPECT_EQ(log_.count("bars.load OLD"), 1u);
    EXPECT_EQ(*versions_.record("OLD", Timeframe::k1d), BarVersion::of(*result.series).str());
}

TEST_F(IngestServiceTest, RepositoryFailureIsStorageUnavailableAndNothingIsStored) {
    repository_.fail = true;
    EXPECT_THROW(ingest("ABC", daily_bars(60)), StorageUnavailable);
    EXPECT_EQ(store_.get("ABC", Timeframe::k1d), nullptr);
    EXPECT_EQ(store_.series_count(), 0u);  // the reserved slot was given back
    EXPECT_FALSE(versions_.record("ABC", Timeframe::k1d));
    EXPECT_EQ(log_.count("versions.announce"), 0u);
    EXPECT_EQ(log_.count("listener"), 0u);
    EXPECT_EQ(signals_.computations(), 0u);
}

TEST_F(IngestServiceTest, MetricsCountStoredBatchesAndBarsAndTheSignalsByAction) {
    ingest("ABC", daily_bars(60));
    auto more = daily_bars(62);
    more.erase(more.begin(), more.begin() + 59);  // 59 again, 60 and 61 new: 3 bars taken
    ingest("ABC", more);
    repository_.fail = true;
    EXPECT_THROW(ingest("XYZ", daily_bars(10)), StorageUnavailable);

    std::string out;
    ingest_.render_metrics(out);
    EXPECT_NE(out.find("# TYPE gs_ingest_bars_total counter\ngs_ingest_bars_total 63\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("\ngs_ingest_batches_total 2\n"), std::string::npos) << out;
    // Each step timed per stored batch; the failed one stopped at its load (the repository it
    // reads a series it does not hold from is down) and is in none.
    EXPECT_NE(out.find("\ngs_ingest_stage_seconds_count{stage=\"load\"} 2\n"), std::string::npos)
        << out;
    EXPECT_NE(out.find("\ngs_ingest_stage_seconds_count{stage=\"store\"} 2\n"), std::string::npos)
        << out;
    EXPECT_NE(out.find("\ngs_ingest_stage_seconds_count{stage=\"signal\"} 2\n"), std::string::npos)
        << out;
    // The group commit's own: one transaction per stored batch, one write each.
    EXPECT_NE(out.find("\ngs_bar_commit_transactions_total 2\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\ngs_bar_commit_writes_total 2\n"), std::string::npos) << out;

    // One signal per stored batch, under its consensus action; the other actions at 0.
    std::string signals;
    signals_.render_metrics(signals);
    std::uint64_t total = 0;
    for (const char* action : {"BUY", "SELL", "HOLD", "ABSTAIN"}) {
        const std::string prefix =
            fmt::format("gs_signals_computed_total{{action=\"{}\"}} ", action);
        const auto at = signals.find(prefix);
        ASSERT_NE(at, std::string::npos) << signals;
        total += std::stoull(signals.substr(at + prefix.size()));
    }
    EXPECT_EQ(total, 2u);
    EXPECT_EQ(total, signals_.computations());
}

// Several ingests started together, then run to the end: {accepted, or -1 when it threw
// StorageUnavailable}, in start order.
std::vector<long> ingest_together(
    IngestService& service,
    const std::vector<std::pair<std::string, std::vector<market::Bar>>>& posts) {
    asio::io_context io;
    std::vector<long> outcomes(posts.size(), -2);
    for (std::size_t i = 0; i < posts.size(); ++i) {
        asio::co_spawn(
            asio::make_strand(io),
            [&, i]() -> asio::awaitable<void> {
                std::string name = posts[i].first;
                auto bars = posts[i].second;
                try {
                    auto result =
                        co_await service.ingest(std::move(name), Timeframe::k1d, std::move(bars));
                    outcomes[i] = static_cast<long>(result.accepted);
                } catch (const StorageUnavailable&) {
                    outcomes[i] = -1;
                }
            },
            [](std::exception_ptr e) {
                if (e) {
                    std::rethrow_exception(e);
                }
            });
    }
    io.run();
    return outcomes;
}

TEST_F(IngestServiceTest, ConcurrentIngestsShareOneRepositoryCall) {
    std::vector<std::pair<std::string, std::vector<market::Bar>>> posts;
    for (int i = 0; i < 6; ++i) {
        posts.emplace_back("S" + std::to_string(i), daily_bars(40));
    }
    const auto outcomes = ingest_together(ingest_, posts);
    EXPECT_EQ(outcomes, std::vector<long>(6, 40));
    EXPECT_EQ(log_.count("bars.batch"), 1u);
    EXPECT_EQ(log_.count("bars.batch 6"), 1u);
    for (int i = 0; i < 6; ++i) {
        const std::string symbol = "S" + std::to_string(i);
        EXPECT_EQ(repository_.size(symbol, Timeframe::k1d), 40u) << symbol;
        ASSERT_NE(store_.get(symbol, Timeframe::k1d), nullptr) << symbol;
        // Each is announced and gets its signal, as a lone ingest does.
        EXPECT_TRUE(versions_.record(symbol, Timeframe::k1d)) << symbol;
        EXPECT_EQ(log_.count("listener " + symbol), 1u) << symbol;
    }
}

TEST_F(IngestServiceTest, AFailedBatchFailsEveryIngestInItAndStoresNothing) {
    repository_.fail_writes = true;
    std::vector<std::pair<std::string, std::vector<market::Bar>>> posts;
    for (int i = 0; i < 4; ++i) {
        posts.emplace_back("S" + std::to_string(i), daily_bars(40));
    }
    const auto outcomes = ingest_together(ingest_, posts);
    EXPECT_EQ(outcomes, std::vector<long>(4, -1));
    EXPECT_EQ(log_.count("bars.batch"), 1u);
    EXPECT_EQ(store_.series_count(), 0u);  // nothing in memory, every slot given back
    EXPECT_EQ(log_.count("versions.announce"), 0u);
    EXPECT_EQ(log_.count("listener"), 0u);
}

TEST_F(IngestServiceTest, IngestsOfOneSeriesInOneBatchLandInTheirOrder) {
    auto first = daily_bars(40);
    auto second = daily_bars(40);
    second.back().close = second.back().open;  // one bar corrected by the later post
    second.back().volume = 77;
    const auto outcomes = ingest_together(ingest_, {{"ABC", first}, {"ABC", second}});
    EXPECT_EQ(outcomes, (std::vector<long>{40, 40}));
    EXPECT_EQ(log_.count("bars.batch"), 1u);
    const auto series = store_.get("ABC", Timeframe::k1d);
    ASSERT_NE(series, nullptr);
    EXPECT_EQ(series->bar(series->size() - 1).volume, 77);
    const auto stored = repository_.bar("ABC", Timeframe::k1d, second.back().time);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->volume, 77);
}

class IngestServiceLimitTest : public IngestServiceTest {
  protected:
    IngestServiceLimitTest() : IngestServiceTest(1) {}
};

TEST_F(IngestServiceLimitTest, ASeriesPastTheLimitIsRefusedBeforeTheRepositorySeesIt) {
    ingest("ABC", daily_bars(30));
    EXPECT_THROW(ingest("XYZ", daily_bars(30)), market::SeriesLimitError);
    EXPECT_EQ(log_.count("bars.upsert XYZ"), 0u);
    EXPECT_EQ(repository_.size("XYZ", Timeframe::k1d), 0u);
    EXPECT_EQ(store_.get("XYZ", Timeframe::k1d), nullptr);
    // An existing series still takes bars.
    EXPECT_EQ(ingest("ABC", daily_bars(31)).accepted, 31u);
}

// The number after `name ` in the service's metrics.
std::string metric(const SignalService& signals, const std::string& name) {
    std::string out;
    signals.render_metrics(out);
    const auto at = out.find("\n" + name + " ");
    return at == std::string::npos
               ? "absent"
               : out.substr(at + name.size() + 2, out.find('\n', at + 1) - at - name.size() - 2);
}

TEST_F(IngestServiceTest, ANewBarRetiresTheSeriesPreviousSignalFromL1) {
    // Each ingest caches the series' new signal; the one it replaces is keyed by bars the series
    // no longer holds, so it leaves L1 right away (it used to stay until the LRU evicted it).
    ingest("ABC", daily_bars(40));
    ingest("XYZ", daily_bars(40));
    EXPECT_EQ(metric(signals_, "gs_l1_entries"), "2");
    ingest("ABC", daily_bars(41));
    ingest("ABC", daily_bars(42));
    EXPECT_EQ(metric(signals_, "gs_l1_entries"), "2");
    // The same bars again: the signal is found, and stays.
    ingest("ABC", daily_bars(42));
    EXPECT_EQ(metric(signals_, "gs_l1_entries"), "2");

    asio::io_context io;
    Lookup lookup;
    asio::co_spawn(
        asio::make_strand(io),
        [&]() -> asio::awaitable<void> {
            lookup = co_await signals_.current("ABC", Timeframe::k1d);
        },
        asio::detached);
    io.run();
    ASSERT_NE(lookup.entry, nullptr);
    EXPECT_EQ(lookup.tier, Tier::kL1);
    EXPECT_EQ(lookup.entry->as_of, 41 * 86400);
}

TEST(IngestServiceStandaloneTest, BarsGoToMemoryAndTheSignalToTheListener) {
    asio::thread_pool pool(2);
    market::MemoryBarStore store(5000);
    Orchestrator orchestrator(pool.get_executor(), 2, agents::all_agents(), consensus::Config{},
                              {});
    SignalService signals(store, orchestrator, {});
    IngestService ingest(store, signals);
    int told = 0;
    signals.on_new_signal([&](std::shared_ptr<const SignalEntry>) { ++told; });

    asio::io_context io;
    market::UpsertResult result;
    asio::co_spawn(
        asio::make_strand(io),
        [&]() -> asio::awaitable<void> {
            std::string name = "ABC";
            result = co_await ingest.ingest(std::move(name), Timeframe::k1d, daily_bars(40));
        },
        asio::detached);
    io.run();
    EXPECT_EQ(result.accepted, 40u);
    ASSERT_NE(store.get("ABC", Timeframe::k1d), nullptr);
    EXPECT_EQ(told, 1);
    EXPECT_FALSE(signals.bar_sync().active());
}

}  // namespace
}  // namespace gs::orchestrator
