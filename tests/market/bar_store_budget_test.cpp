// The memory budget of the bar store (issue 15 item 3, docs/memory.md): accounting, least
// recently used eviction, pins, memory-only series and the standalone mode that never evicts.
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "goldensignals/agents/agent_states.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/market/bar_store.h"

// tcmalloc's own count when the tests run on it (GS_MALLOC=tcmalloc), resolved at run time so
// that the system-malloc builds need no gperftools header.
extern "C" int MallocExtension_GetNumericProperty(const char* property, std::size_t* value)
    __attribute__((weak));

namespace gs::market {
namespace {

// Bytes the heap has handed out and not taken back: tcmalloc's figure, else glibc's.
std::size_t heap_bytes_in_use() {
    std::size_t bytes = 0;
    if (MallocExtension_GetNumericProperty != nullptr &&
        MallocExtension_GetNumericProperty("generic.current_allocated_bytes", &bytes) != 0) {
        return bytes;
    }
    return mallinfo2().uordblks;
}

std::vector<Bar> bars(std::size_t n, double start = 100) {
    std::vector<Bar> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double c = start + 10 * std::sin(static_cast<double>(i) / 7.0) + 0.01 * i;
        out.push_back({static_cast<std::int64_t>(86'400 * (i + 1)), c, c + 1, c - 1, c,
                       1000.0 + static_cast<double>(i % 13)});
    }
    return out;
}

// The estimate of one series of `n` bars in a store of capacity 100.
std::size_t one_series(std::size_t n) {
    MemoryBarStore probe(100);
    probe.replace("P", Timeframe::k1d, bars(n));
    return probe.resident_bytes();
}

// Whether the series is resident, without touching its recency (get() would).
bool held(const MemoryBarStore& store, const std::string& symbol) {
    const auto all = store.list_series(Timeframe::k1d);
    return std::any_of(all.begin(), all.end(),
                       [&](const SeriesRef& ref) { return ref.symbol == symbol; });
}

TEST(SeriesBudgetTest, ResidentBytesFollowWritesAndErases) {
    MemoryBarStore store(100);
    EXPECT_EQ(store.resident_bytes(), 0u);
    store.upsert("A", Timeframe::k1d, bars(50));
    const std::size_t a = store.resident_bytes();
    EXPECT_GE(a, 50 * 48 + kAgentStatesBytes);
    EXPECT_EQ(a, resident_bytes_of(*store.get("A", Timeframe::k1d)));
    store.replace("B", Timeframe::k1d, bars(50));
    EXPECT_EQ(store.resident_bytes(), 2 * a);
    store.erase("A", Timeframe::k1d);
    EXPECT_EQ(store.resident_bytes(), a);
    store.erase("B", Timeframe::k1d);
    EXPECT_EQ(store.resident_bytes(), 0u);
}

TEST(SeriesBudgetTest, EvictsTheLeastRecentlyUsedSeriesOverTheBudget) {
    const std::size_t each = one_series(50);
    MemoryBarStore store(100);
    store.set_budget(3 * each + each / 2);  // room for three
    store.enable_eviction();
    std::vector<std::string> evicted;
    store.on_evict([&](const std::string& symbol, Timeframe) { evicted.push_back(symbol); });
    store.replace("A", Timeframe::k1d, bars(50));
    store.replace("B", Timeframe::k1d, bars(50));
    store.replace("C", Timeframe::k1d, bars(50));
    ASSERT_NE(store.get("A", Timeframe::k1d), nullptr);  // A is now more recent than B
    store.replace("D", Timeframe::k1d, bars(50));
    EXPECT_EQ(evicted, std::vector<std::string>{"B"});
    EXPECT_EQ(store.get("B", Timeframe::k1d), nullptr);
    EXPECT_NE(store.get("A", Timeframe::k1d), nullptr);
    EXPECT_EQ(store.series_count(), 3u);
    EXPECT_EQ(store.evictions(), 1u);
    EXPECT_LE(store.resident_bytes(), store.budget());
}

// The catalog (docs/memory.md): a series evicted or only stored stays listed, with its
// figures, until it is resident again or erased; never listed twice.
TEST(SeriesBudgetTest, TheCatalogListsEvictedAndStoredSeries) {
    const std::size_t each = one_series(50);
    MemoryBarStore store(100);
    store.set_budget(2 * each + each / 2);  // room for two
    store.enable_eviction();
    const auto a = bars(50);
    store.replace("A", Timeframe::k1d, a);
    store.replace("B", Timeframe::k1d, bars(50));
    store.replace("C", Timeframe::k1d, bars(50));  // evicts A
    ASSERT_FALSE(held(store, "A"));
    store.add_stored("S", Timeframe::k1d, {7, 100, 700});  // read at start, never loaded
    store.add_stored("B", Timeframe::k1d, {1, 1, 1});      // resident: ignored
    store.add_stored("W", Timeframe::k1w, {3, 5, 9});      // another timeframe

    auto listed = store.list_catalog(Timeframe::k1d);
    std::sort(listed.begin(), listed.end(),
              [](const auto& x, const auto& y) { return x.symbol < y.symbol; });
    ASSERT_EQ(listed.size(), 4u);
    EXPECT_EQ(listed[0].symbol, "A");
    EXPECT_FALSE(listed[0].series);
    EXPECT_EQ(listed[0].stored.bars, 50u);
    EXPECT_EQ(listed[0].stored.first, a.front().time);
    EXPECT_EQ(listed[0].stored.last, a.back().time);
    EXPECT_EQ(listed[1].symbol, "B");
    EXPECT_TRUE(listed[1].series);
    EXPECT_EQ(listed[3].symbol, "S");
    EXPECT_EQ(listed[3].stored.bars, 7u);
    EXPECT_EQ(store.symbols(Timeframe::k1d), (std::vector<std::string>{"A", "B", "C", "S"}));
    EXPECT_EQ(store.symbols(Timeframe::k1w), std::vector<std::string>{"W"});
    EXPECT_EQ(store.list_catalog(std::nullopt).size(), 5u);

    // Loaded again: listed once, resident. Erased: gone from the catalog too.
    store.replace("S", Timeframe::k1d, bars(7));
    store.erase("A", Timeframe::k1d);
    EXPECT_EQ(store.symbols(Timeframe::k1d), (std::vector<std::string>{"B", "C", "S"}));
    for (const auto& ref : store.list_catalog(Timeframe::k1d)) {
        if (ref.symbol == "S") {
            EXPECT_TRUE(ref.series);
        }
    }
}

TEST(SeriesBudgetTest, NeverEvictsAPinnedSeries) {
    const std::size_t each = one_series(50);
    MemoryBarStore store(100);
    store.set_budget(2 * each + each / 2);
    store.enable_eviction();
    // Pinned before it is resident (a stream naming it), then loaded.
    auto pin = store.pin("A", Timeframe::k1d);
    EXPECT_TRUE(store.pinned("A", Timeframe::k1d));
    store.replace("A", Timeframe::k1d, bars(50));
    for (const char* symbol : {"B", "C", "D", "E"}) {
        store.replace(symbol, Timeframe::k1d, bars(50));
    }
    EXPECT_TRUE(held(store, "A"));
    EXPECT_EQ(store.evictions(), 3u);
    // Released: A is the oldest now and goes with the next load.
    { auto released = std::move(pin); }
    EXPECT_FALSE(store.pinned("A", Timeframe::k1d));
    EXPECT_EQ(store.pinned(), 0u);
    store.replace("F", Timeframe::k1d, bars(50));
    EXPECT_FALSE(held(store, "A"));
    EXPECT_TRUE(held(store, "E"));
}

TEST(SeriesBudgetTest, PinsCountTheirHolders) {
    MemoryBarStore store(100);
    auto first = store.pin("A", Timeframe::k1d);
    {
        auto second = store.pin("A", Timeframe::k1d);
        EXPECT_EQ(store.pinned(), 1u);
    }
    EXPECT_TRUE(store.pinned("A", Timeframe::k1d));
}

TEST(SeriesBudgetTest, SeriesHeldBeforeEvictionWasEnabledStay) {
    const std::size_t each = one_series(50);
    MemoryBarStore store(100);
    store.replace("DEMO", Timeframe::k1d, bars(50));  // memory only (the demo bars)
    store.set_budget(2 * each + each / 2);
    store.enable_eviction();
    for (const char* symbol : {"B", "C", "D", "E"}) {
        store.replace(symbol, Timeframe::k1d, bars(50));
    }
    EXPECT_NE(store.get("DEMO", Timeframe::k1d), nullptr);
    // Still memory-only after a later write.
    store.upsert("DEMO", Timeframe::k1d, bars(60));
    store.replace("F", Timeframe::k1d, bars(50));
    EXPECT_NE(store.get("DEMO", Timeframe::k1d), nullptr);
}

TEST(SeriesBudgetTest, WithoutEvictionTheBudgetIsOnlyReported) {
    const std::size_t each = one_series(50);
    MemoryBarStore store(100);
    store.set_budget(each);
    for (const char* symbol : {"A", "B", "C"}) {
        store.upsert(symbol, Timeframe::k1d, bars(50));
    }
    EXPECT_EQ(store.series_count(), 3u);
    EXPECT_EQ(store.evictions(), 0u);
    EXPECT_GT(store.resident_bytes(), store.budget());
    std::string metrics;
    store.render_metrics(metrics);
    EXPECT_NE(metrics.find("gs_series_resident 3\n"), std::string::npos);
    EXPECT_NE(metrics.find("gs_memory_budget_bytes " + std::to_string(each) + "\n"),
              std::string::npos);
    EXPECT_NE(metrics.find("gs_series_evictions_total 0\n"), std::string::npos);
}

TEST(SeriesBudgetTest, AGrowingSeriesCanEvictOthers) {
    const std::size_t small = one_series(10);
    MemoryBarStore store(100);
    store.set_budget(2 * small + 1000);
    store.enable_eviction();
    store.replace("A", Timeframe::k1d, bars(10));
    store.replace("B", Timeframe::k1d, bars(10));
    // B's columns grow (twice the bars needed) as it takes more bars: A, older, goes.
    auto pin = store.pin("B", Timeframe::k1d);
    store.upsert("B", Timeframe::k1d, bars(100));
    EXPECT_EQ(store.get("A", Timeframe::k1d), nullptr);
    EXPECT_NE(store.get("B", Timeframe::k1d), nullptr);
}

// The constant the estimate uses for the agents' streaming states covers what building them
// allocates (a block plus the rings of the windowed indicators) without being far above it.
TEST(SeriesBudgetTest, AgentStatesEstimateCoversTheMeasuredSize) {
    MemoryBarStore store(600);
    store.replace("M", Timeframe::k1d, bars(500));
    const auto series = store.get("M", Timeframe::k1d);
    const auto before = heap_bytes_in_use();
    auto states = std::make_unique<agents::AgentStates>(
        agents::AgentStates::built_from(agents::all_agents(), series->view()));
    const auto after = heap_bytes_in_use();
    if (after <= before) {
        GTEST_SKIP() << "neither tcmalloc nor mallinfo2 sees this allocator (a sanitizer build)";
    }
    const std::size_t measured = after - before;
    EXPECT_LE(measured, kAgentStatesBytes);
    EXPECT_GE(measured, kAgentStatesBytes / 4) << "the estimate is far above the real size";
    std::printf("agent states of one series: %zu bytes (estimate %zu)\n", measured,
                kAgentStatesBytes);
}

}  // namespace
}  // namespace gs::market
