// BarSync against in-memory fakes of the version registry and the bar repository: when a
// series is reloaded, what is announced, and what failures leave behind.
#include "goldensignals/orchestrator/bar_sync.h"

#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "support/fake_tiers.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
using market::Timeframe;
using testing::CallLog;

std::vector<market::Bar> daily_bars(std::size_t n, double base = 100.0) {
    std::vector<market::Bar> bars;
    for (std::size_t i = 0; i < n; ++i) {
        const double c = base + static_cast<double>(i % 7);
        bars.push_back({static_cast<std::int64_t>(i) * 86400, c, c + 1, c - 1, c, 10});
    }
    return bars;
}

std::string version_of(const std::vector<market::Bar>& bars) {
    return BarVersion::of(market::BarSeries(5000).merged(bars)).str();
}

// Runs the coroutine to completion; its exception leaves here.
void run(asio::awaitable<void> work) {
    asio::io_context io;
    asio::co_spawn(io, std::move(work), [](std::exception_ptr e) {
        if (e) {
            std::rethrow_exception(e);
        }
    });
    io.run();
}

class BarSyncTest : public ::testing::Test {
  protected:
    void ensure_fresh(const std::string& symbol) { run(sync_.ensure_fresh(symbol, kDay)); }
    std::int64_t local_newest(const std::string& symbol) {
        auto series = store_.get(symbol, kDay);
        return series ? series->last_time() : -1;
    }

    static constexpr Timeframe kDay = Timeframe::k1d;
    market::MemoryBarStore store_{5000};
    CallLog log_;
    testing::FakeBarVersionRegistry versions_{log_};
    testing::FakeBarRepository repository_{log_};
    BarSync sync_{store_, versions_, repository_, 5000};
};

TEST_F(BarSyncTest, BehindTheRecordReloadsFromTheRepository) {
    store_.upsert("ABC", kDay, daily_bars(10));
    repository_.set("ABC", kDay, daily_bars(12));
    versions_.set_record("ABC", kDay, version_of(daily_bars(12)));
    ensure_fresh("ABC");
    EXPECT_EQ(local_newest("ABC"), 11 * 86400);
    EXPECT_EQ(sync_.reloads(), 1u);
    EXPECT_EQ(log_.lines(), (std::vector<std::string>{"versions.recorded ABC", "bars.load ABC"}));
}

TEST_F(BarSyncTest, EqualToTheRecordOrRegistryUnreachableDoesNotReload) {
    store_.upsert("ABC", kDay, daily_bars(10));
    repository_.set("ABC", kDay, daily_bars(12));
    versions_.reachable = false;
    ensure_fresh("ABC");  // Redis down: the bars held answer
    versions_.reachable = true;
    versions_.set_record("ABC", kDay, version_of(daily_bars(10)));
    ensure_fresh("ABC");  // equal
    EXPECT_EQ(log_.count("bars.load"), 0u);
    EXPECT_EQ(sync_.reloads(), 0u);
    EXPECT_EQ(log_.count("versions.seed"), 0u);
}

TEST_F(BarSyncTest, AnAbsentRecordReloadsTheRepositoryOnceAndSeedsTheRecord) {
    // Another instance acked bars 11 and 12, then Redis restarted without persistence: the
    // record and the message are gone, the repository has the bars.
    store_.upsert("ABC", kDay, daily_bars(10));
    repository_.set("ABC", kDay, daily_bars(12));
    ensure_fresh("ABC");
    EXPECT_EQ(local_newest("ABC"), 11 * 86400);
    EXPECT_EQ(versions_.record("ABC", kDay), version_of(daily_bars(12)));
    ensure_fresh("ABC");  // the seeded record matches: no second load
    EXPECT_EQ(log_.count("bars.load"), 1u);
    EXPECT_TRUE(versions_.messages().empty()) << "a seed is not news for the other instances";
}

TEST_F(BarSyncTest, ASeedNeverReplacesARecordWrittenMeanwhile) {
    store_.upsert("ABC", kDay, daily_bars(10));
    repository_.set("ABC", kDay, daily_bars(11));
    // The newer write's record landed between this read's GET and its seed.
    repository_.on_load = [&] { versions_.set_record("ABC", kDay, version_of(daily_bars(12))); };
    ensure_fresh("ABC");
    EXPECT_EQ(versions_.record("ABC", kDay), version_of(daily_bars(12)));
}

TEST_F(BarSyncTest, AFailedReloadSeedsNothingAndTheNextReadTriesAgain) {
    store_.upsert("ABC", kDay, daily_bars(10));
    repository_.set("ABC", kDay, daily_bars(12));
    repository_.fail = true;
    ensure_fresh("ABC");
    EXPECT_EQ(local_newest("ABC"), 9 * 86400);
    EXPECT_EQ(versions_.record("ABC", kDay), std::nullopt) << "a stale version seeded";
    repository_.fail = false;
    ensure_fresh("ABC");
    EXPECT_EQ(local_newest("ABC"), 11 * 86400);
    EXPECT_EQ(versions_.record("ABC", kDay), version_of(daily_bars(12)));
}

TEST_F(BarSyncTest, AnAbsentRecordOfASeriesTheRepositoryLacksIsNotAskedAgainAtOnce) {
    store_.upsert("MEM", kDay, daily_bars(10));
    ensure_fresh("MEM");
    ensure_fresh("MEM");
    EXPECT_EQ(log_.count("bars.load MEM"), 1u);
    EXPECT_EQ(local_newest("MEM"), 9 * 86400);
    EXPECT_EQ(log_.count("versions.seed"), 0u);
}

TEST_F(BarSyncTest, AColdSeriesWithAnAbsentRecordIsSeededFromALoadOfItsOwn) {
    repository_.set("NEW", kDay, daily_bars(5));
    ensure_fresh("NEW");
    EXPECT_EQ(local_newest("NEW"), 4 * 86400);
    EXPECT_EQ(versions_.record("NEW", kDay), version_of(daily_bars(5)));
    EXPECT_EQ(log_.count("bars.load NEW"), 1u) << "this read ran the load: it may seed from it";
}

TEST_F(BarSyncTest, AheadOfTheRecordReloadsTheRepositorysTruth) {
    // Another instance's record lags (it has not refreshed yet): the repository decides.
    store_.upsert("ABC", kDay, daily_bars(12));
    repository_.set("ABC", kDay, daily_bars(12));
    versions_.set_record("ABC", kDay, version_of(daily_bars(10)));
    ensure_fresh("ABC");
    EXPECT_EQ(log_.count("bars.load"), 1u);
    EXPECT_EQ(local_newest("ABC"), 11 * 86400);
}

TEST_F(BarSyncTest, ACorrectedBarWithTheSameNewestTimeIsANewVersion) {
    store_.upsert("ABC", kDay, daily_bars(10));
    repository_.set("ABC", kDay, daily_bars(10, 200.0));
    versions_.set_record("ABC", kDay, version_of(daily_bars(10, 200.0)));
    ensure_fresh("ABC");
    EXPECT_EQ(store_.get("ABC", kDay)->view().close.front(), 200.0);
}

TEST_F(BarSyncTest, AnUnknownSeriesIsLoadedWhenTheRepositoryHasIt) {
    repository_.set("NEW", kDay, daily_bars(5));
    ensure_fresh("NEW");
    EXPECT_EQ(local_newest("NEW"), 4 * 86400);
    // A first load (docs/memory.md), not a reload of a series held behind the record.
    EXPECT_EQ(sync_.loads(), 1u);
    EXPECT_EQ(sync_.reloads(), 0u);
}

TEST_F(BarSyncTest, AFailedFirstLoadIsAnErrorNotAnAbsentSeries) {
    repository_.set("NEW", kDay, daily_bars(5));
    repository_.fail = true;
    EXPECT_THROW(ensure_fresh("NEW"), StorageUnavailable);
    repository_.fail = false;
    ensure_fresh("NEW");
    EXPECT_EQ(local_newest("NEW"), 4 * 86400);
}

TEST_F(BarSyncTest, AnUnknownSymbolIsNotAskedForAgainAtOnce) {
    ensure_fresh("NOPE");
    ensure_fresh("NOPE");
    ensure_fresh("NOPE");
    EXPECT_EQ(log_.count("bars.load NOPE"), 1u);
    EXPECT_EQ(local_newest("NOPE"), -1);
    // Only that symbol: another unknown one is still asked.
    ensure_fresh("OTHER");
    EXPECT_EQ(log_.count("bars.load OTHER"), 1u);
}

TEST_F(BarSyncTest, RepositoryFailureLeavesTheLocalSeries) {
    store_.upsert("ABC", kDay, daily_bars(10));
    versions_.set_record("ABC", kDay, version_of(daily_bars(12)));
    repository_.fail = true;
    EXPECT_NO_THROW(ensure_fresh("ABC"));
    EXPECT_EQ(local_newest("ABC"), 9 * 86400);
    EXPECT_EQ(sync_.reloads(), 0u);
    // Failure is not "unknown": the next read tries again.
    repository_.fail = false;
    repository_.set("ABC", kDay, daily_bars(12));
    ensure_fresh("ABC");
    EXPECT_EQ(local_newest("ABC"), 11 * 86400);
}

TEST_F(BarSyncTest, ARecordNewerThanTheRepositoryReturnsKeepsReloading) {
    // The record of a commit the repository's read does not show yet (a version race): take
    // what it has now and ask again on the next read rather than settle.
    store_.upsert("ABC", kDay, daily_bars(10));
    repository_.set("ABC", kDay, daily_bars(11));
    versions_.set_record("ABC", kDay, version_of(daily_bars(12)));
    ensure_fresh("ABC");
    EXPECT_EQ(local_newest("ABC"), 10 * 86400);
    repository_.set("ABC", kDay, daily_bars(12));
    ensure_fresh("ABC");
    EXPECT_EQ(local_newest("ABC"), 11 * 86400);
    EXPECT_EQ(log_.count("bars.load"), 2u);
    ensure_fresh("ABC");  // caught up: no more loads
    EXPECT_EQ(log_.count("bars.load"), 2u);
}

TEST_F(BarSyncTest, AnnounceRecordsTheVersionAndSendsTheMessage) {
    auto result = store_.upsert("ABC", kDay, daily_bars(10));
    run(sync_.announce("ABC", kDay, *result.series));
    const auto version = version_of(daily_bars(10));
    EXPECT_EQ(versions_.record("ABC", kDay), version);
    EXPECT_EQ(versions_.messages(), std::vector<std::string>{"1d|ABC|" + version});
    EXPECT_EQ(sync_.channel(), "fake:bars");
}

TEST_F(BarSyncTest, AMessageOfANewerVersionReloadsAndOfTheSameVersionDoesNot) {
    store_.upsert("ABC", kDay, daily_bars(10));
    run(sync_.on_message("1d|ABC|" + version_of(daily_bars(10))));
    EXPECT_EQ(log_.count("bars.load"), 0u);
    repository_.set("ABC", kDay, daily_bars(12));
    run(sync_.on_message("1d|abc|" + version_of(daily_bars(12))));  // symbols are normalised
    EXPECT_EQ(local_newest("ABC"), 11 * 86400);
    for (std::string bad : {"", "1d", "1d|ABC", "7x|ABC|1:0", "1d||1:0", "1d|A B|1:0"}) {
        run(sync_.on_message(bad));
    }
    EXPECT_EQ(log_.count("bars.load"), 1u);
}

TEST_F(BarSyncTest, AnIngestOnOneInstanceReachesAnotherThroughTheAnnouncement) {
    market::MemoryBarStore other_store(5000);
    BarSync other(other_store, versions_, repository_, 5000);
    versions_.subscribe([&](std::string payload) { run(other.on_message(std::move(payload))); });
    other_store.upsert("ABC", kDay, daily_bars(10));

    repository_.set("ABC", kDay, daily_bars(11));
    auto result = store_.upsert("ABC", kDay, daily_bars(11));
    run(sync_.announce("ABC", kDay, *result.series));
    EXPECT_EQ(other_store.get("ABC", kDay)->last_time(), 10 * 86400);
    EXPECT_EQ(other.reloads(), 1u);
}

TEST_F(BarSyncTest, ADeletionOnOneInstanceDropsTheCopyOfAnother) {
    market::MemoryBarStore other_store(5000);
    BarSync other(other_store, versions_, repository_, 5000);
    versions_.subscribe([&](std::string payload) { run(other.on_message(std::move(payload))); });
    other_store.upsert("ABC", kDay, daily_bars(10));
    run(sync_.announce_removed("ABC", kDay));
    EXPECT_EQ(versions_.record("ABC", kDay), std::string(kRemovedVersion));
    EXPECT_EQ(other_store.get("ABC", kDay), nullptr);
    EXPECT_EQ(log_.count("bars.load"), 0u);
}

TEST_F(BarSyncTest, AReadAfterADeletionDropsTheCopyEvenIfTheMessageWasLost) {
    // The record is the tombstone, but the message never came (pub/sub is at most once).
    store_.upsert("ABC", kDay, daily_bars(10));
    versions_.set_record("ABC", kDay, std::string(kRemovedVersion));
    ensure_fresh("ABC");
    EXPECT_EQ(store_.get("ABC", kDay), nullptr);
    EXPECT_EQ(log_.count("bars.load"), 0u);
    // Posted again: a new version replaces the tombstone and the series is back.
    repository_.set("ABC", kDay, daily_bars(3));
    versions_.set_record("ABC", kDay, version_of(daily_bars(3)));
    ensure_fresh("ABC");
    EXPECT_EQ(local_newest("ABC"), 2 * 86400);
}

TEST(BarSyncStandaloneTest, MemoryOnlyBarsNeedNothing) {
    market::MemoryBarStore store(5000);
    BarSync sync(store);
    EXPECT_FALSE(sync.active());
    run(sync.ensure_fresh("ABC", Timeframe::k1d));
    run(sync.on_message("1d|ABC|1:0000000000000000"));
    EXPECT_EQ(store.get("ABC", Timeframe::k1d), nullptr);
    EXPECT_EQ(sync.reloads(), 0u);
}

TEST(BarUpdateMessageTest, RoundTrips) {
    auto message = format_bar_update("BRK.B", Timeframe::k1h, "5:00000000000000ff");
    EXPECT_EQ(message, "1h|BRK.B|5:00000000000000ff");
    auto parsed = parse_bar_update(message);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->timeframe, Timeframe::k1h);
    EXPECT_EQ(parsed->symbol, "BRK.B");
    EXPECT_EQ(parsed->version, "5:00000000000000ff");
    EXPECT_EQ((BarVersion{5, 255}.str()), "5:00000000000000ff");
}

// The version text is written by hand (it is on every cached read's path): it must be what
// the records other instances and earlier builds wrote say, printf's "%lld:%016llx".
TEST(BarVersionTextTest, IsPrintfsDecimalColonSixteenHexDigits) {
    std::vector<BarVersion> versions = {{0, 0},
                                        {-1, 1},
                                        {std::numeric_limits<std::int64_t>::min(), ~0ULL},
                                        {std::numeric_limits<std::int64_t>::max(), 1ULL << 63},
                                        {1704153600, 0x0123456789abcdefULL}};
    std::mt19937_64 random(7);
    for (int i = 0; i < 10000; ++i) {
        versions.push_back({static_cast<std::int64_t>(random()) >> (random() % 64), random()});
    }
    for (const auto& version : versions) {
        char expected[64];
        std::snprintf(expected, sizeof expected, "%lld:%016llx",
                      static_cast<long long>(version.newest),
                      static_cast<unsigned long long>(version.fingerprint));
        ASSERT_EQ(version.str(), expected);
        ASSERT_EQ(fmt::format("{}", version), expected);
    }
}

}  // namespace
}  // namespace gs::orchestrator
