// RollupService over IngestService with in-memory fakes: posted 1-minute bars fill every
// longer series with the closed periods (checked against a plain aggregation written here), a
// correction re-derives, a posted longer series stays authoritative, the clock closes a
// forming period, and the derived bars take the ingest path (durable, signal published).
#include "goldensignals/orchestrator/rollup_service.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/market/periods.h"
#include "support/fake_tiers.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
using market::Bar;
using market::Timeframe;
using testing::CallLog;

constexpr std::int64_t kMonday = 1'704'067'200;  // 2024-01-01T00:00:00Z, a Monday

// 1-minute bars from `start`, `minutes` of them less every 7th and 61st minute (gaps).
std::vector<Bar> minute_bars(std::int64_t start, int minutes, double drift = 0) {
    std::vector<Bar> bars;
    for (int i = 0; i < minutes; ++i) {
        if (i % 7 == 3 || i % 61 == 5) {
            continue;
        }
        const double open = 100 + (i % 17) * 0.5 + drift;
        const double close = 100 + (i % 13) * 0.5 + drift;
        bars.push_back({start + i * 60, open, std::max(open, close) + 0.25 + (i % 5) * 0.1,
                        std::min(open, close) - 0.25 - (i % 3) * 0.1, close,
                        static_cast<double>(10 + i % 23)});
    }
    return bars;
}

// Independent of market::aggregate: the period of each bar by plain arithmetic (weeks from
// Monday 1970-01-05), then open = first, high = max, low = min, close = last, volume = sum.
std::vector<Bar> expected(const std::vector<Bar>& sorted, Timeframe timeframe) {
    const std::int64_t length = market::seconds_of(timeframe);
    const std::int64_t origin = timeframe == Timeframe::k1w ? 4 * 86'400 : 0;
    std::map<std::int64_t, Bar> periods;
    for (const Bar& bar : sorted) {
        const std::int64_t start = (bar.time - origin) / length * length + origin;
        auto [it, fresh] = periods.try_emplace(start, bar);
        Bar& period = it->second;
        if (fresh) {
            period.time = start;
            continue;
        }
        period.high = std::max(period.high, bar.high);
        period.low = std::min(period.low, bar.low);
        period.close = bar.close;
        period.volume += bar.volume;
    }
    std::vector<Bar> out;
    for (const auto& [start, bar] : periods) {
        out.push_back(bar);
    }
    return out;
}

class RollupServiceTest : public ::testing::Test {
  protected:
    explicit RollupServiceTest(RollupOptions options = {})
        : store_(5000),
          orchestrator_(pool_.get_executor(), 2, agents::all_agents(), consensus::Config{}, {}),
          signals_(store_, orchestrator_, {}, {l2_, l3_, sync_}),
          ingest_(store_, repository_, sync_, signals_),
          rollup_(ingest_, store_, std::move(options), [this] { return now_.load(); }) {
        signals_.on_new_signal([this](std::shared_ptr<const SignalEntry> entry) {
            log_.add("signal " + entry->symbol + " " +
                     std::string(market::to_string(entry->timeframe)));
        });
    }

    void run(std::function<asio::awaitable<void>()> work) {
        asio::io_context io;
        asio::co_spawn(asio::make_strand(io), std::move(work), [](std::exception_ptr e) {
            if (e) {
                std::rethrow_exception(e);
            }
        });
        io.run();
    }

    void post(const std::string& symbol, Timeframe timeframe, std::vector<Bar> bars) {
        run([&]() -> asio::awaitable<void> {
            std::string name = symbol;
            co_await ingest_.ingest(std::move(name), timeframe, std::move(bars));
        });
    }

    std::vector<Bar> held(const std::string& symbol, Timeframe timeframe) const {
        std::vector<Bar> out;
        if (auto series = store_.get(symbol, timeframe)) {
            for (std::size_t i = 0; i < series->size(); ++i) {
                out.push_back(series->bar(i));
            }
        }
        return out;
    }

    void expect_rolled_up(const std::string& symbol, const std::vector<Bar>& base,
                          Timeframe from = Timeframe::k5m) {
        for (const Timeframe timeframe : market::kAllTimeframes) {
            if (market::seconds_of(timeframe) < market::seconds_of(from)) {
                continue;
            }
            const auto want = expected(base, timeframe);
            const auto got = held(symbol, timeframe);
            ASSERT_EQ(got.size(), want.size()) << market::to_string(timeframe);
            for (std::size_t i = 0; i < want.size(); ++i) {
                SCOPED_TRACE(::testing::Message() << market::to_string(timeframe) << " #" << i);
                EXPECT_EQ(got[i].time, want[i].time);
                EXPECT_DOUBLE_EQ(got[i].open, want[i].open);
                EXPECT_DOUBLE_EQ(got[i].high, want[i].high);
                EXPECT_DOUBLE_EQ(got[i].low, want[i].low);
                EXPECT_DOUBLE_EQ(got[i].close, want[i].close);
                EXPECT_DOUBLE_EQ(got[i].volume, want[i].volume);
            }
        }
    }

    std::string metrics() const {
        std::string out;
        rollup_.render_metrics(out);
        return out;
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
    // Long after the bars: every period has closed by the clock.
    std::atomic<std::int64_t> now_{kMonday + 30 * 86'400};
    RollupService rollup_;
};

TEST_F(RollupServiceTest, PostedMinuteBarsFillEveryLongerTimeframeWithItsClosedPeriods) {
    // Sunday 22:00 to Tuesday 02:00: a week, two days and their hours change on the way.
    const auto bars = minute_bars(kMonday - 2 * 3600, 28 * 60);
    // Live-like: small batches in order, then the rest in one.
    const std::size_t live = 500;
    for (std::size_t i = 0; i < live; i += 50) {
        post("ABC", Timeframe::k1m, {bars.begin() + i, bars.begin() + i + 50});
    }
    post("ABC", Timeframe::k1m, {bars.begin() + live, bars.end()});
    expect_rolled_up("ABC", bars);
    // Through the ingest path: durable first, and a signal for each derived series.
    EXPECT_EQ(repository_.size("ABC", Timeframe::k1h), expected(bars, Timeframe::k1h).size());
    EXPECT_GE(log_.count("signal ABC 5m"), 1u);
    EXPECT_GE(log_.count("signal ABC 1w"), 1u);
    // Derived bars are not counted as ingested (the posted ones are).
    std::string ingested;
    ingest_.render_metrics(ingested);
    EXPECT_NE(ingested.find("gs_ingest_batches_total 11\n"), std::string::npos) << ingested;
    EXPECT_NE(metrics().find("gs_rollup_series 1\n"), std::string::npos);
}

TEST_F(RollupServiceTest, ACorrectionAndALateBarReDeriveThePeriodsTheyTouch) {
    auto bars = minute_bars(kMonday + 9 * 3600, 6 * 60);
    post("ABC", Timeframe::k1m, bars);
    // A correction deep inside (a spike), and a bar in a gap, posted together.
    Bar corrected = bars[100];
    corrected.high += 50;
    corrected.volume = 1000;
    Bar late{kMonday + 9 * 3600 + 3 * 60, 101, 102, 99, 100.5, 77};  // minute 3 was a gap
    post("ABC", Timeframe::k1m, {corrected, late});
    bars[100] = corrected;
    bars.push_back(late);
    std::sort(bars.begin(), bars.end(), [](const Bar& a, const Bar& b) { return a.time < b.time; });
    expect_rolled_up("ABC", bars);
}

TEST_F(RollupServiceTest, ADirectlyPostedLongerSeriesStaysAuthoritative) {
    const auto minutes = minute_bars(kMonday, 8 * 60);
    // Hourly bars that do not agree with the minutes: roll-up must not touch them.
    std::vector<Bar> hours;
    for (int h = 0; h < 8; ++h) {
        hours.push_back({kMonday + h * 3600, 500, 510, 490, 505, 1});
    }
    post("ABC", Timeframe::k1h, hours);
    post("ABC", Timeframe::k1m, minutes);
    EXPECT_TRUE(rollup_.is_posted("ABC", Timeframe::k1h));
    EXPECT_FALSE(rollup_.is_posted("ABC", Timeframe::k5m));
    // 5m..30m from the minutes; 1h as posted; 4h..1w from the posted hours.
    for (const Timeframe tf : {Timeframe::k5m, Timeframe::k15m, Timeframe::k30m}) {
        EXPECT_EQ(held("ABC", tf).size(), expected(minutes, tf).size());
    }
    const auto hourly = held("ABC", Timeframe::k1h);
    ASSERT_EQ(hourly.size(), 8u);
    EXPECT_DOUBLE_EQ(hourly[3].open, 500);
    const auto four = held("ABC", Timeframe::k4h);
    ASSERT_EQ(four.size(), 2u);
    EXPECT_DOUBLE_EQ(four[0].high, 510);
    EXPECT_DOUBLE_EQ(four[0].volume, 4);
    EXPECT_EQ(metrics().find("gs_rollup_skipped_total 0\n"), std::string::npos) << metrics();
}

TEST_F(RollupServiceTest, TheClockClosesAFormingPeriodAFeedLeftOpen) {
    const std::int64_t start = kMonday + 10 * 3600;
    now_ = start + 130;
    std::vector<Bar> bars{{start, 10, 11, 9, 10.5, 1},
                          {start + 60, 10.5, 12, 10, 11, 2},
                          {start + 120, 11, 11.5, 8, 9, 3}};
    post("ABC", Timeframe::k1m, bars);
    EXPECT_TRUE(held("ABC", Timeframe::k5m).empty());
    const auto forming = rollup_.forming("ABC", Timeframe::k5m);
    ASSERT_TRUE(forming.has_value());
    EXPECT_EQ(forming->time, start);
    EXPECT_DOUBLE_EQ(forming->high, 12);
    EXPECT_DOUBLE_EQ(forming->low, 8);
    EXPECT_DOUBLE_EQ(forming->volume, 6);

    // The period ends at start + 300; the grace (60 s) has not passed yet.
    now_ = start + 330;
    run([&]() -> asio::awaitable<void> { co_await rollup_.close_due(); });
    EXPECT_TRUE(held("ABC", Timeframe::k5m).empty());
    now_ = start + 361;
    run([&]() -> asio::awaitable<void> { co_await rollup_.close_due(); });
    const auto closed = held("ABC", Timeframe::k5m);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_DOUBLE_EQ(closed[0].close, 9);
    EXPECT_DOUBLE_EQ(closed[0].volume, 6);
    EXPECT_FALSE(rollup_.forming("ABC", Timeframe::k5m).has_value());
    // 15m has not ended: still forming, not stored.
    EXPECT_TRUE(held("ABC", Timeframe::k15m).empty());
    EXPECT_TRUE(rollup_.forming("ABC", Timeframe::k15m).has_value());
}

TEST_F(RollupServiceTest, PicksUpASeriesHeldBeforeItsFirstPostedBatch) {
    // As after a restart: the store holds the first half (loaded, never rolled up here).
    const auto bars = minute_bars(kMonday, 3 * 60);
    const std::vector<Bar> first(bars.begin(), bars.begin() + bars.size() / 2);
    const std::vector<Bar> rest(bars.begin() + bars.size() / 2, bars.end());
    store_.upsert("ABC", Timeframe::k1m, first);
    post("ABC", Timeframe::k1m, rest);
    // The period the two halves share is complete; the periods before the restart were not
    // touched by the batch and are not written.
    const auto want = expected(bars, Timeframe::k1h);
    const auto got = held("ABC", Timeframe::k1h);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.back().time, want.back().time);
    EXPECT_DOUBLE_EQ(got.back().volume, want.back().volume);
    const auto shared = std::find_if(got.begin(), got.end(), [&](const Bar& bar) {
        return bar.time == market::period_start(Timeframe::k1h, rest.front().time);
    });
    ASSERT_NE(shared, got.end());
    const auto want_shared = std::find_if(want.begin(), want.end(),
                                          [&](const Bar& bar) { return bar.time == shared->time; });
    EXPECT_DOUBLE_EQ(shared->volume, want_shared->volume);
    EXPECT_DOUBLE_EQ(shared->open, want_shared->open);
}

TEST_F(RollupServiceTest, DeletingTheBaseStartsItsRollUpOver) {
    post("ABC", Timeframe::k1m, minute_bars(kMonday, 60));
    run([&]() -> asio::awaitable<void> {
        std::string name = "ABC";
        co_await ingest_.remove(std::move(name), Timeframe::k1m);
    });
    EXPECT_FALSE(rollup_.is_posted("ABC", Timeframe::k1m));
    EXPECT_NE(metrics().find("gs_rollup_series 0\n"), std::string::npos);
    const auto again = minute_bars(kMonday + 86'400, 60, 7);
    post("ABC", Timeframe::k1m, again);
    const auto hourly = held("ABC", Timeframe::k1h);
    ASSERT_EQ(hourly.size(), 2u);
    EXPECT_EQ(hourly[1].time, kMonday + 86'400);
    EXPECT_DOUBLE_EQ(hourly[1].volume, expected(again, Timeframe::k1h)[0].volume);
}

class RollupFromTest : public RollupServiceTest {
  protected:
    RollupFromTest() : RollupServiceTest(RollupOptions{.from = {Timeframe::k5m}}) {}
};

TEST_F(RollupFromTest, OnlyTheListedTimeframesRollUp) {
    post("ABC", Timeframe::k1m, minute_bars(kMonday, 60));
    EXPECT_TRUE(held("ABC", Timeframe::k5m).empty());
    EXPECT_TRUE(held("ABC", Timeframe::k1h).empty());
    const auto fives = expected(minute_bars(kMonday, 60), Timeframe::k5m);
    post("ABC", Timeframe::k5m, fives);
    EXPECT_EQ(held("ABC", Timeframe::k15m).size(), 4u);
    EXPECT_EQ(held("ABC", Timeframe::k1h).size(), 1u);
}

TEST_F(RollupServiceTest, TellsTheFormingHookOfEveryOpenPeriodAfterABatch) {
    now_ = kMonday + 12 * 60;  // the clock closed nothing yet
    std::map<Timeframe, Bar> forming;
    rollup_.on_forming([&forming](const std::string& symbol, Timeframe timeframe, const Bar& bar) {
        EXPECT_EQ(symbol, "FORM");
        forming[timeframe] = bar;
    });
    const auto bars = minute_bars(kMonday, 12);
    post("FORM", Timeframe::k1m, bars);
    ASSERT_EQ(forming.size(), 7u);  // 5m ... 1w
    EXPECT_FALSE(forming.contains(Timeframe::k1m));
    EXPECT_EQ(forming[Timeframe::k5m].time, kMonday + 10 * 60);
    EXPECT_DOUBLE_EQ(forming[Timeframe::k5m].close, bars.back().close);
    for (const Timeframe timeframe :
         {Timeframe::k15m, Timeframe::k1h, Timeframe::k1d, Timeframe::k1w}) {
        const auto want = expected(bars, timeframe);
        ASSERT_EQ(want.size(), 1u);
        EXPECT_EQ(forming[timeframe].time, want[0].time) << market::to_string(timeframe);
        EXPECT_DOUBLE_EQ(forming[timeframe].volume, want[0].volume);
    }
    // The forming periods are not in the series; the closed 5m ones are.
    EXPECT_EQ(held("FORM", Timeframe::k5m).size(), 2u);
    EXPECT_TRUE(held("FORM", Timeframe::k1h).empty());
}

}  // namespace
}  // namespace gs::orchestrator
