// Kept indicator columns (issue 12) against the batch series(): for every agent, bars arrive in
// the memory store as clients and feeds send them - single new bars, shuffled batches with
// duplicates, corrections, late bars, reloads - and after each version the agent's columns
// must equal series() over the bars they took (the bars held at their last build, then every
// bar appended), at every bar they hold, bit for bit (so the JSON is byte for byte the same):
// the streaming states replay the batch kernels' arithmetic, and the agents whose verdicts do
// not (kNotStreamed in src/orchestrator/indicator_columns.cpp) are recomputed per version.
// Over 10,400 bars with --max-bars 600, so the columns slide with the window, and 3,000 bars at
// the price scales 1e-5 and 1e6.
#include "goldensignals/orchestrator/indicator_columns.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "agents/agent_test_util.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/market/bar_store.h"

namespace gs::orchestrator {
namespace {

using agents::AgentDef;
using Step = IndicatorColumns::Step;

// Bit for bit (0.0 and -0.0 differ: the JSON writes them differently), NaN equal to NaN.
bool same(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) {
        return std::isnan(a) && std::isnan(b);
    }
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

std::vector<market::Bar> bars_of(const agents::flow_agent_test::Bars& b) {
    std::vector<market::Bar> out;
    for (std::size_t i = 0; i < b.size(); ++i) {
        out.push_back({b.time[i], b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]});
    }
    return out;
}

std::vector<market::Bar> held_bars(const market::BarSeries& series) {
    std::vector<market::Bar> out;
    for (std::size_t i = 0; i < series.size(); ++i) {
        out.push_back(series.bar(i));
    }
    return out;
}

// Empty when the columns' newest `count` values equal series() over `covered` there.
std::string difference(const AgentDef& def, const IndicatorColumns& columns,
                       const std::vector<market::Bar>& covered) {
    const auto all = market::BarSeries(covered.size()).merged(covered);
    agents::SeriesSet set;
    def.series(all.view(), set);
    const IndicatorSlice slice = columns.slice(covered.size());
    if (slice.keys.size() != set.series.size()) {
        return "keys differ";
    }
    const std::size_t n = covered.size();
    for (std::size_t k = 0; k < slice.keys.size(); ++k) {
        const auto& [key, values] = set.series[k];
        if (slice.keys[k] != key) {
            return "key " + std::string(key) + " vs " + std::string(slice.keys[k]);
        }
        const auto column = slice.column(k);
        for (std::size_t i = 0; i < column.size(); ++i) {
            const std::size_t at = n - column.size() + i;
            if (!same(column[i], values[at])) {
                return std::string(key) + " at bar " + std::to_string(at) + " of " +
                       std::to_string(n) + ": " + std::to_string(column[i]) + " vs " +
                       std::to_string(values[at]);
            }
        }
    }
    return {};
}

// One agent's columns and the bars they took, followed through a store's versions.
struct Followed {
    const AgentDef* def;
    IndicatorColumns columns;
    std::vector<market::Bar> covered;
    std::size_t builds = 0;
    int failures = 0;

    explicit Followed(const AgentDef* d) : def(d), columns(*d) {}

    // Brings the columns to `series` (whose newest `fresh` bars are new to its epoch); true
    // when they were rebuilt.
    bool follow(const market::BarSeries& series) {
        const std::uint64_t before = columns.serial();
        const Step step = columns.update(series);
        if (step == Step::kRebuilt) {
            covered = held_bars(series);
            ++builds;
            return true;
        }
        if (step == Step::kAppended) {
            for (std::size_t i = series.size() - (series.serial() - before); i < series.size();
                 ++i) {
                covered.push_back(series.bar(i));
            }
        }
        return false;
    }

    void check(const std::string& where) {
        if (failures >= 3) {
            return;
        }
        EXPECT_LE(columns.bars(), covered.size());
        const std::string diff = difference(*def, columns, covered);
        if (!diff.empty()) {
            ADD_FAILURE() << def->name << " " << where << ": " << diff;
            ++failures;
        }
    }
};

void expect_columns_equal_batch(std::uint64_t seed, std::size_t bars, double scale) {
    const auto all = bars_of(agents::flow_agent_test::random_bars(seed, bars, scale));
    market::MemoryBarStore store{600};
    std::vector<std::unique_ptr<Followed>> followed;
    for (const AgentDef* def : agents::all_agents()) {
        followed.push_back(std::make_unique<Followed>(def));
    }
    std::mt19937_64 rng(5);
    std::size_t next = 0;
    std::uint64_t epoch = 0;
    int epochs = 0;
    int checks = 0;
    for (int step = 0; next < all.size(); ++step) {
        std::vector<market::Bar> batch_in;
        const int kind = static_cast<int>(rng() % 100);
        auto held = store.get("SYM", market::Timeframe::k1d);
        if (held && kind < 2) {
            const std::size_t back = 1 + rng() % std::min<std::size_t>(held->size(), 50);
            market::Bar b = held->bar(held->size() - back);
            b.close = (b.close + b.low) / 2.0;
            batch_in.push_back(b);
        } else if (held && kind < 3) {
            store.replace("SYM", market::Timeframe::k1d, held_bars(*held));
        } else if (held && kind < 4) {
            market::Bar b = held->bar(held->size() - 2);
            b.time += 3600;
            batch_in.push_back(b);
        } else {
            const std::size_t n = std::min<std::size_t>(1 + rng() % 5, all.size() - next);
            batch_in.assign(all.begin() + static_cast<std::ptrdiff_t>(next),
                            all.begin() + static_cast<std::ptrdiff_t>(next + n));
            next += n;
            if (rng() % 4 == 0) {
                market::Bar dup = batch_in.front();
                dup.volume += 1.0;
                batch_in.push_back(dup);
            }
            std::shuffle(batch_in.begin(), batch_in.end(), rng);
        }
        if (!batch_in.empty()) {
            store.upsert("SYM", market::Timeframe::k1d, batch_in);
        }
        const auto series = store.get("SYM", market::Timeframe::k1d);
        if (series->epoch() != epoch) {
            epoch = series->epoch();
            ++epochs;
        }
        const bool periodic = step % 50 == 0 || next == all.size();
        for (auto& f : followed) {
            const bool rebuilt = f->follow(*series);
            ASSERT_EQ(f->columns.bars(), series->size()) << f->def->name;
            if (rebuilt || periodic) {
                f->check("step " + std::to_string(step));
                ++checks;
            }
        }
    }
    EXPECT_GT(epochs, static_cast<int>(bars / 500));
    EXPECT_GT(checks, static_cast<int>(bars / 100 * followed.size()));
    for (const auto& f : followed) {
        if (columns_mode(*f->def) == ColumnsMode::kStreamed) {
            // Built once per epoch, plus while the epoch had fewer than min_bars bars: every
            // other version was appended (an agent whose verdicts did not carry its series
            // would rebuild at every step and belongs on the batch list).
            EXPECT_LE(f->builds, static_cast<std::size_t>(epochs) + 300) << f->def->name;
            EXPECT_GT(f->covered.size(), store.capacity()) << f->def->name;
        }
    }
}

TEST(IndicatorColumnsTest, EveryAgentEqualsTheBatchSeriesOverTheBarsItsColumnsTook) {
    expect_columns_equal_batch(77, 10'400, 50.0);
}

TEST(IndicatorColumnsTest, TinyAndHugePriceScales) {
    expect_columns_equal_batch(12, 3'000, 1e-5);
    expect_columns_equal_batch(13, 3'000, 1e6);
}

// The real reference bars, one new bar per version, checked every 37th bar and at the end.
TEST(IndicatorColumnsTest, ReferenceDataOneBarAtATime) {
    for (const char* name : {"finance", "finance_scaled_1e-6", "random_walk"}) {
        const auto all = bars_of(agents::flow_agent_test::load_bars(name));
        std::vector<std::unique_ptr<Followed>> followed;
        for (const AgentDef* def : agents::all_agents()) {
            followed.push_back(std::make_unique<Followed>(def));
        }
        market::MemoryBarStore store{all.size()};
        for (std::size_t i = 0; i < all.size(); ++i) {
            store.upsert("SYM", market::Timeframe::k1d, std::span(all).subspan(i, 1));
            const auto series = store.get("SYM", market::Timeframe::k1d);
            for (auto& f : followed) {
                f->follow(*series);
                if (i % 37 == 0 || i + 1 == all.size()) {
                    f->check(std::string(name) + " bar " + std::to_string(i));
                }
            }
        }
        for (const auto& f : followed) {
            EXPECT_EQ(f->covered.size(), all.size());
        }
    }
}

// The window slides: the columns hold the bars held and at most a quarter more in slack (they
// grew by doubling while the window filled, and shrink back).
TEST(IndicatorColumnsTest, MemoryFollowsTheWindow) {
    const auto all = bars_of(agents::flow_agent_test::random_bars(3, 6'000, 10.0));
    market::MemoryBarStore store{1'000};
    IndicatorColumns columns(*agents::find_agent("sma_cross"));
    store.upsert("SYM", market::Timeframe::k1d, std::span(all).first(300));
    for (std::size_t i = 300; i < all.size(); i += 3) {
        store.upsert("SYM", market::Timeframe::k1d,
                     std::span(all).subspan(i, std::min<std::size_t>(3, all.size() - i)));
        columns.update(*store.get("SYM", market::Timeframe::k1d));
    }
    EXPECT_EQ(columns.bars(), 1'000u);
    EXPECT_EQ(columns.builds(), 1u);
    EXPECT_EQ(columns.appended(), all.size() - 303);  // the first version was a build
    // Two keys of 1,000 values with a quarter (+16) of slack, and the state: the two SMAs'
    // windows (250 values) and tails.
    EXPECT_LE(columns.bytes(), 2 * 1'266 * sizeof(double) + 8'192);
}

class IndicatorColumnsCacheTest : public ::testing::Test {
  protected:
    void SetUp() override {
        all = bars_of(agents::flow_agent_test::random_bars(8, 900, 30.0));
        store.upsert("SYM", market::Timeframe::k1d, std::span(all).first(800));
    }
    std::shared_ptr<const market::BarSeries> held() const {
        return store.get("SYM", market::Timeframe::k1d);
    }
    IndicatorSlice ask(IndicatorColumnsCache& cache, const char* agent, std::size_t limit = 800) {
        return cache.slice("SYM", market::Timeframe::k1d, *agents::find_agent(agent), *held(),
                           limit);
    }

    std::vector<market::Bar> all;
    market::MemoryBarStore store{5'000};
};

TEST_F(IndicatorColumnsCacheTest, KeptOnlyForAgentsAskedForAndDroppedOnANewEpoch) {
    IndicatorColumnsCache cache(16);
    EXPECT_EQ(cache.sets(), 0u);
    ask(cache, "sma_cross");
    ask(cache, "rsi");
    EXPECT_EQ(cache.sets(), 2u);
    store.upsert("SYM", market::Timeframe::k1d, std::span(all).subspan(800, 5));
    ask(cache, "rsi");  // appended, not rebuilt
    EXPECT_EQ(cache.builds(), 2u);
    EXPECT_EQ(cache.sets(), 2u);
    market::Bar fix = held()->bar(700);
    fix.close = (fix.close + fix.low) / 2.0;
    store.upsert("SYM", market::Timeframe::k1d, std::span(&fix, 1));  // a correction
    ask(cache, "rsi");
    EXPECT_EQ(cache.sets(), 1u);  // sma_cross's columns were of the old epoch
    EXPECT_EQ(cache.builds(), 3u);
}

TEST_F(IndicatorColumnsCacheTest, AtMostMaxSetsTheLeastRecentlyUsedGo) {
    IndicatorColumnsCache cache(2);
    ask(cache, "sma_cross");
    ask(cache, "rsi");
    ask(cache, "sma_cross");
    ask(cache, "macd");  // rsi goes
    EXPECT_EQ(cache.sets(), 2u);
    EXPECT_EQ(cache.builds(), 3u);
    ask(cache, "sma_cross");
    EXPECT_EQ(cache.builds(), 3u);
    ask(cache, "rsi");
    EXPECT_EQ(cache.builds(), 4u);
}

TEST_F(IndicatorColumnsCacheTest, ConcurrentFirstRequestsBuildOnce) {
    IndicatorColumnsCache cache(16);
    std::vector<std::thread> threads;
    std::vector<IndicatorSlice> got(8);
    for (std::size_t t = 0; t < got.size(); ++t) {
        threads.emplace_back([&, t] { got[t] = ask(cache, "macd", 100); });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(cache.builds(), 1u);
    for (const auto& slice : got) {
        EXPECT_EQ(slice.values.size(), got[0].values.size());
        EXPECT_TRUE(std::equal(slice.values.begin(), slice.values.end(), got[0].values.begin(),
                               [](double a, double b) { return same(a, b); }));
    }
}

// Readers asking while a writer appends (the TSan suite runs this): each gets the values of its
// own snapshot, equal to series() over it, whether the columns were behind it (appended),
// at it, or already past it (an older snapshot's own columns).
TEST_F(IndicatorColumnsCacheTest, ReadersWhileAWriterAppendsGetTheirSnapshotsValues) {
    IndicatorColumnsCache cache(16);
    const auto& def = *agents::find_agent("ema_cross");
    std::atomic<bool> done{false};
    std::atomic<int> mismatches{0};
    std::atomic<int> reads{0};
    auto reader = [&] {
        while (!done.load()) {
            const auto series = held();
            const auto slice = cache.slice("SYM", market::Timeframe::k1d, def, *series, 20);
            agents::SeriesSet set;
            def.series(series->view(), set);
            for (std::size_t k = 0; k < slice.keys.size(); ++k) {
                for (std::size_t i = 0; i < slice.count; ++i) {
                    if (!same(slice.column(k)[i],
                              set.series[k].second[series->size() - slice.count + i])) {
                        ++mismatches;
                    }
                }
            }
            ++reads;
        }
    };
    std::thread a(reader);
    std::thread b(reader);
    // Appends start once a reader has read: on a loaded machine (ASan in CI) the threads could
    // otherwise start after the last append and read nothing while appends run.
    while (reads.load() == 0) {
        std::this_thread::yield();
    }
    for (std::size_t i = 800; i < all.size(); ++i) {
        store.upsert("SYM", market::Timeframe::k1d, std::span(all).subspan(i, 1));
        std::this_thread::yield();
    }
    done = true;
    a.join();
    b.join();
    EXPECT_EQ(mismatches.load(), 0);
    EXPECT_GT(reads.load(), 0);
    EXPECT_EQ(cache.builds(), 1u);
}

// The rendered body is kept until the series changes or another limit is asked for.
TEST_F(IndicatorColumnsCacheTest, TheBodyIsKeptUntilTheNextVersion) {
    IndicatorColumnsCache cache(16);
    const auto& def = *agents::find_agent("macd");
    int renders = 0;
    auto render = [&renders](const IndicatorSlice& slice) {
        ++renders;
        return std::to_string(slice.count) + ":" + std::to_string(slice.values.back());
    };
    const auto first = cache.body("SYM", market::Timeframe::k1d, def, *held(), 50, render);
    EXPECT_EQ(cache.body("SYM", market::Timeframe::k1d, def, *held(), 50, render), first);
    EXPECT_EQ(renders, 1);
    cache.body("SYM", market::Timeframe::k1d, def, *held(), 60, render);
    EXPECT_EQ(renders, 2);
    store.upsert("SYM", market::Timeframe::k1d, std::span(all).subspan(800, 1));
    const auto next = cache.body("SYM", market::Timeframe::k1d, def, *held(), 60, render);
    EXPECT_EQ(renders, 3);
    EXPECT_NE(*next, *first);
    EXPECT_EQ(cache.builds(), 1u);
}

// A request holding a snapshot older than the columns gets the values of its own bars, and
// the columns do not go back.
TEST_F(IndicatorColumnsCacheTest, AnOlderSnapshotGetsItsOwnValues) {
    IndicatorColumnsCache cache(16);
    const auto older = held();
    store.upsert("SYM", market::Timeframe::k1d, std::span(all).subspan(800, 10));
    const auto newer = held();
    const auto& def = *agents::find_agent("ema_cross");
    const auto now = cache.slice("SYM", market::Timeframe::k1d, def, *newer, 5);
    const auto before = cache.slice("SYM", market::Timeframe::k1d, def, *older, 5);
    agents::SeriesSet set;
    def.series(older->view(), set);
    ASSERT_EQ(before.count, 5u);
    for (std::size_t k = 0; k < before.keys.size(); ++k) {
        for (std::size_t i = 0; i < 5; ++i) {
            EXPECT_EQ(before.column(k)[i], set.series[k].second[older->size() - 5 + i]);
        }
    }
    const auto again = cache.slice("SYM", market::Timeframe::k1d, def, *newer, 5);
    EXPECT_EQ(again.values, now.values);
    EXPECT_EQ(cache.builds(), 1u);
}

}  // namespace
}  // namespace gs::orchestrator
