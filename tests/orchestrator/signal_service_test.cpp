#include "goldensignals/orchestrator/signal_service.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/cache/redis_signal_cache.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;

std::vector<market::Bar> trend_bars(std::size_t n, double drift) {
    std::vector<market::Bar> bars;
    for (std::size_t i = 0; i < n; ++i) {
        const double c = 100.0 + drift * static_cast<double>(i) + (i % 3) * 0.4;
        bars.push_back(
            {static_cast<std::int64_t>(i) * 86400, c - 0.2, c + 1, c - 1.2, c, 1000.0 + i});
    }
    return bars;
}

class SignalServiceTest : public ::testing::Test {
  protected:
    SignalServiceTest()
        : orchestrator_(pool_.get_executor(), 2, agents::all_agents(), consensus::Config{}, {}),
          service_(store_, orchestrator_, {}) {}

    Lookup lookup(const std::string& symbol, Need need = Need::kWithAgents) {
        asio::io_context io;
        Lookup out;
        asio::co_spawn(
            asio::make_strand(io),
            [&]() -> asio::awaitable<void> {
                std::string name = symbol;
                out = co_await service_.current(std::move(name), market::Timeframe::k1d, need);
            },
            asio::detached);
        io.run();
        return out;
    }

    asio::thread_pool pool_{2};
    market::MemoryBarStore store_{5000};
    Orchestrator orchestrator_;
    SignalService service_;
};

TEST_F(SignalServiceTest, MissThenL1AndNewBarsMakeANewKey) {
    auto bars = trend_bars(300, 0.3);
    store_.upsert("ABC", market::Timeframe::k1d, bars);
    auto first = lookup("ABC");
    ASSERT_NE(first.entry, nullptr);
    EXPECT_EQ(first.tier, Tier::kMiss);
    auto second = lookup("ABC");
    EXPECT_EQ(second.tier, Tier::kL1);
    EXPECT_EQ(second.entry->full_json(), first.entry->full_json());  // the same buffer, no copy
    EXPECT_EQ(service_.computations(), 1u);

    // Correcting an old bar keeps the newest time but changes the key.
    std::vector<market::Bar> fix = {{0, 99.8, 102, 98, 100.5, 5000}};
    store_.upsert("ABC", market::Timeframe::k1d, fix);
    auto third = lookup("ABC");
    EXPECT_EQ(third.tier, Tier::kMiss);
    EXPECT_EQ(third.entry->as_of, first.entry->as_of);
    EXPECT_EQ(service_.computations(), 2u);
}

TEST_F(SignalServiceTest, UnknownSymbolHasNoEntry) {
    EXPECT_EQ(lookup("NOPE").entry, nullptr);
}

TEST_F(SignalServiceTest, HundredConcurrentMissesComputeOnce) {
    auto bars = trend_bars(500, -0.2);
    store_.upsert("XYZ", market::Timeframe::k1d, bars);
    asio::io_context io(2);
    std::atomic<int> answered{0};
    std::atomic<int> same{0};
    std::shared_ptr<const std::string> body;
    std::mutex body_mutex;
    for (int i = 0; i < 100; ++i) {
        asio::co_spawn(
            asio::make_strand(io),
            [&]() -> asio::awaitable<void> {
                std::string name = "XYZ";
                auto result = co_await service_.current(std::move(name), market::Timeframe::k1d);
                std::lock_guard lock(body_mutex);
                if (!body) {
                    body = result.entry->full_json();
                }
                if (result.entry->full_json() == body) {
                    ++same;
                }
                ++answered;
            },
            asio::detached);
    }
    std::thread second([&] { io.run(); });
    io.run();
    second.join();
    EXPECT_EQ(answered.load(), 100);
    EXPECT_EQ(same.load(), 100);
    EXPECT_EQ(service_.computations(), 1u);
}

TEST_F(SignalServiceTest, SummaryDerivedFromTheFullBodyIsByteForByteTheComputedOne) {
    auto bars = trend_bars(260, 0.1);
    store_.upsert("SUM", market::Timeframe::k1d, bars);
    auto entry = lookup("SUM").entry;
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(SignalService::summary_of(*entry->full_json()), *entry->summary_json);
}

TEST_F(SignalServiceTest, AComputedSignalWritesItsFullBodyOnFirstUseOnceForEveryReader) {
    store_.upsert("LZY", market::Timeframe::k1d, trend_bars(300, 0.2));
    // A summary reader computes it (a reader wanting the agents has the body written at once).
    const auto computed = lookup("LZY", Need::kSummary);
    ASSERT_NE(computed.entry, nullptr);
    ASSERT_NE(computed.computed, nullptr);
    // Standalone no tier stores the full body: it is not written until a reader asks.
    EXPECT_FALSE(computed.entry->has_full_json());
    EXPECT_EQ(*computed.entry->summary_json, to_json(*computed.computed, false));

    // Concurrent first readers get one body, the one the signal serialises to.
    std::vector<std::shared_ptr<const std::string>> bodies(8);
    std::vector<std::thread> readers;
    for (auto& body : bodies) {
        readers.emplace_back([&body, &computed] { body = computed.entry->full_json(); });
    }
    for (auto& reader : readers) {
        reader.join();
    }
    EXPECT_TRUE(computed.entry->has_full_json());
    ASSERT_NE(bodies[0], nullptr);
    EXPECT_EQ(*bodies[0], to_json(*computed.computed, true));
    for (const auto& body : bodies) {
        EXPECT_EQ(body, bodies[0]) << "written once, shared";
    }
    EXPECT_EQ(lookup("LZY").entry->full_json(), bodies[0]) << "the L1 entry is the same";
}

TEST_F(SignalServiceTest, TheFullBodyOfAKeptSummaryIsTheSummaryWithTheAgentListSplicedIn) {
    store_.upsert("SPL", market::Timeframe::k1d, trend_bars(300, 0.3));
    const auto computed = lookup("SPL");
    ASSERT_NE(computed.computed, nullptr);
    const Signal& signal = *computed.computed;
    EXPECT_EQ(full_json_with_summary(signal, to_json(signal, false)), to_json(signal, true));
    // The summary's own figures win: another computed_at stays.
    Signal later = signal;
    later.computed_at += 3600;
    const std::string kept = to_json(later, false);
    EXPECT_EQ(full_json_with_summary(signal, kept), to_json(later, true));
    // Not a summary to_json wrote: the signal's own full body.
    EXPECT_EQ(full_json_with_summary(signal, R"({"x":1})"), to_json(signal, true));
    EXPECT_EQ(full_json_with_summary(signal, to_json(signal, true)), to_json(signal, true));
}

TEST(SignalEntryTest, ASummaryOnlyEntryCarriesNoAgents) {
    auto summary = std::make_shared<const std::string>(R"({"action":"BUY"})");
    auto entry = SignalEntry::summary_only("ABC", market::Timeframe::k1d, 86400, summary);
    EXPECT_FALSE(entry->carries_agents());
    EXPECT_FALSE(entry->has_full_json());
    EXPECT_EQ(entry->full_json(), nullptr);
    EXPECT_EQ(entry->summary_json, summary);
    entry->set_full_json(std::make_shared<const std::string>(R"({"action":"BUY","agents":[]})"));
    EXPECT_TRUE(entry->carries_agents());
    EXPECT_TRUE(entry->has_full_json());
    EXPECT_TRUE(SignalService::has_agent_list(*entry->full_json()));
    EXPECT_FALSE(SignalService::has_agent_list(*summary));
}

TEST(RedisEnvelopeTest, RoundTripsAndRejectsForeignValues) {
    auto value = cache::encode_bodies(R"({"a":1})", R"({"b":2})");
    auto decoded = cache::decode_bodies(value);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->full, R"({"a":1})");
    EXPECT_EQ(decoded->summary, R"({"b":2})");
    // A value kept without its full body (not written when it was stored).
    auto summary_only = cache::decode_bodies(cache::encode_bodies("", R"({"b":2})"));
    ASSERT_TRUE(summary_only);
    EXPECT_EQ(summary_only->full, "");
    EXPECT_EQ(summary_only->summary, R"({"b":2})");
    for (std::string bad :
         {std::string("hello"), std::string("GS1 99\n{}{}"), std::string("GS1 x\n{}{}"),
          value.substr(0, value.size() - 1), std::string("GS1 2\n{}nope")}) {
        EXPECT_FALSE(cache::decode_bodies(bad)) << bad;
    }
}

}  // namespace
}  // namespace gs::orchestrator
