// Every tier path of SignalService::current against in-memory fakes of the I/O seams: what
// answers, what is written where, in which order, and what a failing tier costs.
#include <algorithm>
#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/orchestrator/signal_service.h"
#include "support/fake_tiers.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
using market::Timeframe;
using testing::CallLog;

std::vector<market::Bar> daily_bars(std::size_t n, double drift, std::int64_t first_day = 0) {
    std::vector<market::Bar> bars;
    for (std::size_t i = 0; i < n; ++i) {
        const double c = 100.0 + drift * static_cast<double>(i) + (i % 3) * 0.4;
        bars.push_back({(first_day + static_cast<std::int64_t>(i)) * 86400, c - 0.2, c + 1, c - 1.2,
                        c, 1000.0 + i});
    }
    return bars;
}

class SignalTiersTest : public ::testing::Test {
  protected:
    SignalTiersTest()
        : orchestrator_(pool_.get_executor(), 2, agents::all_agents(), consensus::Config{}, {}),
          service_(store_, orchestrator_, {}, {l2_, l3_, sync_}) {
        service_.on_new_signal([this](std::shared_ptr<const SignalEntry> entry) {
            log_.add("listener " + entry->symbol);
        });
    }

    Lookup lookup(const std::string& symbol) {
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

    // A read of `service` (this instance's by default) that needs `need`.
    Lookup read(const std::string& symbol, Need need, SignalService* service = nullptr) {
        SignalService& target = service != nullptr ? *service : service_;
        asio::io_context io;
        Lookup out;
        asio::co_spawn(
            asio::make_strand(io),
            [&]() -> asio::awaitable<void> {
                std::string name = symbol;
                out = co_await target.current(std::move(name), Timeframe::k1d, need);
            },
            [](std::exception_ptr e) {
                if (e) {
                    std::rethrow_exception(e);
                }
            });
        io.run();
        return out;
    }

    // The signal an ingest computes right after storing the series' bars, then published.
    Lookup ingested(const std::string& symbol) {
        asio::io_context io;
        Lookup out;
        asio::co_spawn(
            asio::make_strand(io),
            [&]() -> asio::awaitable<void> {
                std::string name = symbol;
                auto signal = co_await service_.compute_ingested(std::move(name), Timeframe::k1d);
                service_.publish(signal.unpublished);
                out = signal.lookup;
            },
            [](std::exception_ptr e) {
                if (e) {
                    std::rethrow_exception(e);
                }
            });
        io.run();
        return out;
    }

    std::string key_of(const std::string& symbol) {
        return service_.cache_key(symbol, Timeframe::k1d, *store_.get(symbol, Timeframe::k1d));
    }

    asio::thread_pool pool_{2};
    market::MemoryBarStore store_{5000};
    CallLog log_;
    testing::FakeSignalTier l2_{log_};
    testing::FakeSignalArchive l3_{log_};
    BarSync sync_{store_};  // memory-only bars: the sync has its own tests
    Orchestrator orchestrator_;
    SignalService service_;
};

TEST_F(SignalTiersTest, MissComputesWritesL2ThenL3ThenTellsTheListenerOnce) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto key = key_of("ABC");
    auto first = lookup("ABC");
    ASSERT_NE(first.entry, nullptr);
    EXPECT_EQ(first.tier, Tier::kMiss);
    EXPECT_EQ(log_.lines(),
              (std::vector<std::string>{"l2.get " + key, "l3.latest ABC", "l2.put " + key,
                                        "l3.enqueue ABC", "listener ABC"}));
    auto stored = l2_.value(key);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->full, *first.entry->full_json());
    EXPECT_EQ(stored->summary, *first.entry->summary_json);
    auto rows = l3_.rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].as_of, store_.get("ABC", Timeframe::k1d)->last_time());
    EXPECT_EQ(rows[0].config_version, service_.archive_version(*store_.get("ABC", Timeframe::k1d)));
    EXPECT_EQ(rows[0].body_text(), *first.entry->full_json());
    EXPECT_EQ(rows[0].shared_body, first.entry->full_json()) << "the row shares the entry's body";

    // Then L1: no tier is asked, nobody is told again.
    log_.clear();
    auto second = lookup("ABC");
    EXPECT_EQ(second.tier, Tier::kL1);
    EXPECT_EQ(second.entry->full_json(), first.entry->full_json());
    EXPECT_TRUE(log_.lines().empty());
    EXPECT_EQ(service_.computations(), 1u);
}

TEST_F(SignalTiersTest, AnIngestHandsTheTiersTheSummaryAndWritesTheFullBodyOnFirstUse) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto key = key_of("ABC");
    auto computed = ingested("ABC");
    ASSERT_NE(computed.entry, nullptr);
    ASSERT_NE(computed.computed, nullptr);
    EXPECT_EQ(computed.tier, Tier::kMiss);
    EXPECT_FALSE(computed.entry->has_full_json()) << "nothing wrote it for the tiers";
    // L2 and the archive keep the summary alone ("" for the full body in L2).
    auto stored = l2_.value(key);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->full, "");
    EXPECT_EQ(stored->summary, *computed.entry->summary_json);
    auto rows = l3_.rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].shared_body, computed.entry->summary_json);
    ASSERT_TRUE(rows[0].packed) << "the history keeps the packed agents as before";
    // This instance still answers the agents: from the signal its entry keeps.
    auto read = this->read("ABC", Need::kWithAgents);
    EXPECT_EQ(read.tier, Tier::kL1);
    EXPECT_EQ(*read.entry->full_json(), to_json(*computed.computed, true));
    EXPECT_EQ(service_.computations(), 1u);
}

TEST_F(SignalTiersTest, AnotherInstanceServesTheKeptSummaryAndRecomputesOnlyTheAgents) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto key = key_of("ABC");
    auto computed = ingested("ABC");
    ASSERT_NE(computed.computed, nullptr);
    // Instance B: the same tiers and bars, its own L1.
    SignalService other(store_, orchestrator_, {}, {l2_, l3_, sync_});
    std::vector<std::string> heard;
    other.on_new_signal([&](std::shared_ptr<const SignalEntry> e) { heard.push_back(e->symbol); });
    log_.clear();

    auto summary = read("ABC", Need::kSummary, &other);
    EXPECT_EQ(summary.tier, Tier::kL2);
    EXPECT_EQ(*summary.entry->summary_json, *computed.entry->summary_json);
    EXPECT_FALSE(summary.entry->carries_agents());
    EXPECT_EQ(other.computations(), 0u);

    // Wanting the agents: recomputed from B's bars once, spliced into the kept summary (so the
    // body keeps the summary's computed_at and consensus), cached in L1 and L2; the signal is
    // not new, so nobody hears of it and the archive gets no row.
    auto full = read("ABC", Need::kWithAgents, &other);
    EXPECT_EQ(full.tier, Tier::kL1) << "the summary came from L1, the agents were added";
    ASSERT_NE(full.entry->full_json(), nullptr);
    auto body = nlohmann::json::parse(*full.entry->full_json());
    auto expected = nlohmann::json::parse(to_json(*computed.computed, true));
    EXPECT_EQ(body["agents"], expected["agents"]);
    body.erase("agents");
    EXPECT_EQ(body, nlohmann::json::parse(*computed.entry->summary_json));
    EXPECT_EQ(other.computations(), 1u);
    EXPECT_TRUE(heard.empty());
    EXPECT_EQ(l3_.rows().size(), 1u);
    ASSERT_TRUE(l2_.value(key));
    EXPECT_EQ(l2_.value(key)->full, *full.entry->full_json());
    EXPECT_EQ(read("ABC", Need::kWithAgents, &other).entry, full.entry) << "then L1";
    EXPECT_EQ(other.computations(), 1u);

    // A third instance finds the full body in L2 now: no compute.
    SignalService third(store_, orchestrator_, {}, {l2_, l3_, sync_});
    auto from_l2 = read("ABC", Need::kWithAgents, &third);
    EXPECT_EQ(from_l2.tier, Tier::kL2);
    EXPECT_EQ(*from_l2.entry->full_json(), *full.entry->full_json());
    EXPECT_EQ(third.computations(), 0u);
}

TEST_F(SignalTiersTest, ASummaryTheArchiveKeptIsCompletedWithTheAgentsFromL3) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto series = store_.get("ABC", Timeframe::k1d);
    auto computed = ingested("ABC");
    ASSERT_NE(computed.computed, nullptr);
    // After a restart: Redis empty, the archive's latest row holds the summary.
    SignalService restarted(store_, orchestrator_, {}, {l2_, l3_, sync_});
    l2_.erase(key_of("ABC"));
    l3_.set_latest(
        "ABC", Timeframe::k1d,
        {series->last_time(), restarted.archive_version(*series), *computed.entry->summary_json});
    auto full = read("ABC", Need::kWithAgents, &restarted);
    EXPECT_EQ(full.tier, Tier::kL3);
    auto body = nlohmann::json::parse(*full.entry->full_json());
    EXPECT_EQ(body["computed_at"],
              nlohmann::json::parse(*computed.entry->summary_json)["computed_at"]);
    EXPECT_EQ(body["agents"], nlohmann::json::parse(to_json(*computed.computed, true))["agents"]);
    EXPECT_EQ(restarted.computations(), 1u);
    EXPECT_EQ(*full.entry->summary_json, *computed.entry->summary_json);
}

TEST_F(SignalTiersTest, ArchiveThatKeepsNoRowsIsHandedNone) {
    // Standalone (NoSignalArchive) the service builds no row: each would copy the full body.
    l3_.keeps = false;
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto key = key_of("ABC");
    auto first = lookup("ABC");
    ASSERT_NE(first.entry, nullptr);
    EXPECT_EQ(first.tier, Tier::kMiss);
    EXPECT_EQ(log_.lines(), (std::vector<std::string>{"l2.get " + key, "l3.latest ABC",
                                                      "l2.put " + key, "listener ABC"}));
    EXPECT_TRUE(l3_.rows().empty());
    EXPECT_FALSE(store::NoSignalArchive().keeps_rows());
}

TEST_F(SignalTiersTest, L2HitAnswersWithoutTheArchiveOrACompute) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto key = key_of("ABC");
    l2_.set(key, {R"({"from":"l2","agents":[]})", R"({"from":"l2"})"});
    auto result = lookup("ABC");
    EXPECT_EQ(result.tier, Tier::kL2);
    EXPECT_EQ(*result.entry->full_json(), R"({"from":"l2","agents":[]})");
    EXPECT_EQ(*result.entry->summary_json, R"({"from":"l2"})");
    EXPECT_EQ(result.entry->as_of, store_.get("ABC", Timeframe::k1d)->last_time());
    EXPECT_EQ(log_.lines(), std::vector<std::string>{"l2.get " + key});
    EXPECT_EQ(service_.computations(), 0u);
    EXPECT_EQ(lookup("ABC").tier, Tier::kL1);
}

TEST_F(SignalTiersTest, L3HitOfTheSameBarsAndConfigIsCopiedToL2) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto series = store_.get("ABC", Timeframe::k1d);
    const auto key = key_of("ABC");
    l3_.set_latest(
        "ABC", Timeframe::k1d,
        {series->last_time(), service_.archive_version(*series), R"({"from":"l3","agents":[1]})"});
    auto result = lookup("ABC");
    EXPECT_EQ(result.tier, Tier::kL3);
    EXPECT_EQ(*result.entry->full_json(), R"({"from":"l3","agents":[1]})");
    EXPECT_EQ(*result.entry->summary_json, R"({"from":"l3"})");
    EXPECT_EQ(log_.lines(),
              (std::vector<std::string>{"l2.get " + key, "l3.latest ABC", "l2.put " + key}));
    ASSERT_TRUE(l2_.value(key));
    EXPECT_EQ(l2_.value(key)->summary, R"({"from":"l3"})");
    EXPECT_EQ(service_.computations(), 0u);
    EXPECT_TRUE(l3_.rows().empty());
}

TEST_F(SignalTiersTest, L3RowOfOtherBarsOrAnotherConfigIsNotServed) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto series = store_.get("ABC", Timeframe::k1d);
    // Same newest bar, another config (or corrected older bars): another version.
    l3_.set_latest("ABC", Timeframe::k1d,
                   {series->last_time(), "0000000000000000-0000000000000000", R"({"a":1})"});
    EXPECT_EQ(lookup("ABC").tier, Tier::kMiss);
    // The right version of an older newest bar.
    store_.upsert("XYZ", Timeframe::k1d, daily_bars(300, 0.1));
    const auto xyz = store_.get("XYZ", Timeframe::k1d);
    l3_.set_latest("XYZ", Timeframe::k1d,
                   {xyz->last_time() - 86400, service_.archive_version(*xyz), R"({"a":1})"});
    EXPECT_EQ(lookup("XYZ").tier, Tier::kMiss);
    EXPECT_EQ(service_.computations(), 2u);
}

TEST_F(SignalTiersTest, FailingL2IsAMissAndTheSignalIsStillServed) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    l2_.fail = true;
    auto result = lookup("ABC");
    ASSERT_NE(result.entry, nullptr);
    EXPECT_EQ(result.tier, Tier::kMiss);
    EXPECT_EQ(log_.count("l3.latest"), 1u);  // fell through to L3, then computed
    EXPECT_EQ(log_.count("l3.enqueue"), 1u);
    EXPECT_EQ(log_.count("listener"), 1u);
    EXPECT_EQ(service_.computations(), 1u);
}

TEST_F(SignalTiersTest, FailingArchiveMeansComputeAndTheSignalIsStillServed) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    l3_.fail_latest = true;
    l3_.fail_enqueue = true;
    auto result = lookup("ABC");
    ASSERT_NE(result.entry, nullptr);
    EXPECT_EQ(result.tier, Tier::kMiss);
    EXPECT_EQ(service_.computations(), 1u);
    EXPECT_EQ(log_.count("l2.put"), 1u);
    EXPECT_EQ(log_.count("listener"), 1u);
}

TEST_F(SignalTiersTest, ConcurrentMissesOfOneKeyShareOneFlight) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    l2_.hold_gets = true;
    asio::io_context io;
    constexpr int kReaders = 20;
    std::vector<Lookup> results(kReaders);
    for (int i = 0; i < kReaders; ++i) {
        asio::co_spawn(
            asio::make_strand(io),
            [&, i]() -> asio::awaitable<void> {
                std::string name = "ABC";
                results[i] = co_await service_.current(std::move(name), Timeframe::k1d);
            },
            asio::detached);
    }
    // Every reader has started; the first is parked in L2, the rest wait for its flight.
    io.poll();
    EXPECT_EQ(l2_.parked(), 1u);
    EXPECT_EQ(log_.count("l2.get"), 1u);
    l2_.release();
    io.run();
    for (const auto& result : results) {
        ASSERT_NE(result.entry, nullptr);
        EXPECT_EQ(result.entry->full_json(), results[0].entry->full_json());
    }
    EXPECT_EQ(log_.count("l2.get"), 1u);
    EXPECT_EQ(log_.count("l3.latest"), 1u);
    EXPECT_EQ(log_.count("listener"), 1u);
    EXPECT_EQ(service_.computations(), 1u);
}

TEST_F(SignalTiersTest, ANewOrCorrectedBarMakesANewKey) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto first_key = key_of("ABC");
    lookup("ABC");
    store_.upsert("ABC", Timeframe::k1d, daily_bars(1, 0.3, 300));
    const auto second_key = key_of("ABC");
    EXPECT_NE(second_key, first_key);
    log_.clear();
    EXPECT_EQ(lookup("ABC").tier, Tier::kMiss);
    EXPECT_EQ(log_.lines().front(), "l2.get " + second_key);
    // A corrected old bar keeps the newest time, and still makes a new key.
    std::vector<market::Bar> fix = {{0, 99.8, 102, 98, 100.5, 5000}};
    store_.upsert("ABC", Timeframe::k1d, fix);
    EXPECT_NE(key_of("ABC"), second_key);
    EXPECT_EQ(lookup("ABC").tier, Tier::kMiss);
    EXPECT_EQ(service_.computations(), 3u);
}

TEST_F(SignalTiersTest, KeyEmbedsTheBarVersion) {
    store_.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto series = store_.get("ABC", Timeframe::k1d);
    const auto key = key_of("ABC");
    EXPECT_TRUE(key.starts_with("gs:sig:1d:ABC:" + BarVersion::of(*series).str() + ":")) << key;
    const auto version = service_.archive_version(*series);
    EXPECT_TRUE(key.ends_with(":" + version.substr(0, version.find('-')))) << key;
}

// With durable bars, the sync runs before the read: a series behind the shared record is
// reloaded first, and the signal is of the reloaded bars.
TEST(SignalServiceSyncTest, ASeriesBehindTheRecordIsReloadedBeforeTheRead) {
    asio::thread_pool pool(2);
    market::MemoryBarStore store(5000);
    CallLog log;
    testing::FakeSignalTier l2(log);
    testing::FakeSignalArchive l3(log);
    testing::FakeBarVersionRegistry versions(log);
    testing::FakeBarRepository repository(log);
    BarSync sync(store, versions, repository, 5000);
    Orchestrator orchestrator(pool.get_executor(), 2, agents::all_agents(), consensus::Config{},
                              {});
    SignalService service(store, orchestrator, {}, {l2, l3, sync});

    store.upsert("ABC", Timeframe::k1d, daily_bars(300, 0.3));
    const auto newer = daily_bars(301, 0.3);
    repository.set("ABC", Timeframe::k1d, newer);
    versions.set_record("ABC", Timeframe::k1d,
                        BarVersion::of(market::BarSeries(5000).merged(newer)).str());

    asio::io_context io;
    Lookup result;
    asio::co_spawn(
        asio::make_strand(io),
        [&]() -> asio::awaitable<void> {
            std::string name = "ABC";
            result = co_await service.current(std::move(name), Timeframe::k1d);
        },
        asio::detached);
    io.run();
    ASSERT_NE(result.entry, nullptr);
    EXPECT_EQ(result.entry->as_of, 300 * 86400);
    const auto lines = log.lines();
    ASSERT_GE(lines.size(), 3u);
    EXPECT_EQ(lines[0], "versions.recorded ABC");
    EXPECT_EQ(lines[1], "bars.load ABC");
    EXPECT_TRUE(lines[2].starts_with("l2.get ")) << lines[2];
    EXPECT_EQ(sync.reloads(), 1u);
}

}  // namespace
}  // namespace gs::orchestrator
