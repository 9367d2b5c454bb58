#include "goldensignals/orchestrator/provisional_service.h"

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "goldensignals/agents/registry.h"
#include "goldensignals/orchestrator/ingest_service.h"

namespace gs::orchestrator {
namespace {

namespace asio = boost::asio;
using market::Bar;
using market::Timeframe;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::int64_t kDay = 86400;

std::vector<Bar> trend_bars(std::size_t n) {
    std::vector<Bar> bars;
    for (std::size_t i = 0; i < n; ++i) {
        const double c = 100.0 + 0.3 * static_cast<double>(i) + (i % 5) * 0.7 - (i % 3) * 0.5;
        bars.push_back({static_cast<std::int64_t>(i) * kDay, c - 0.2, c + 1, c - 1.2, c,
                        1000.0 + static_cast<double>(i % 7) * 50});
    }
    return bars;
}

Bar bar_at(std::int64_t time, double close) {
    return {time, close - 0.5, close + 1.5, close - 2, close, 1500};
}

// The rate limit's time, moved by the test: sleepers wake when advance() passes their time.
// Used from the io_context's thread only (the test's own).
class ManualClock final : public ProvisionalClock {
  public:
    TimePoint now() const override { return now_; }

    asio::awaitable<void> sleep_until(TimePoint when) override {
        while (when > now_) {
            auto executor = co_await asio::this_coro::executor;
            auto timer = std::make_shared<asio::steady_timer>(executor, TimePoint::max());
            sleepers_.push_back({when, timer});
            co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }

    void advance(std::chrono::milliseconds by) {
        now_ += by;
        std::erase_if(sleepers_, [this](const Sleeper& s) {
            if (s.when <= now_) {
                s.timer->cancel();
                return true;
            }
            return false;
        });
    }

    std::size_t sleepers() const { return sleepers_.size(); }

  private:
    struct Sleeper {
        TimePoint when;
        std::shared_ptr<asio::steady_timer> timer;
    };
    TimePoint now_{std::chrono::hours(1)};
    std::vector<Sleeper> sleepers_;
};

// A store, its engine and services: the path a posted bar takes, without a server.
struct Stack {
    Stack(asio::thread_pool& pool, asio::io_context& io, std::chrono::milliseconds interval,
          std::shared_ptr<ProvisionalClock> clock)
        : orchestrator(pool.get_executor(), 2, agents::all_agents(), consensus::Config{}, {}),
          signals(store, orchestrator, {}),
          ingest(store, signals),
          provisional(store, orchestrator, io.get_executor(), pool.get_executor(),
                      // No pool share cap: the rate limit alone, on the manual clock (the cap
                      // follows measured costs; ComputeBudgetTest covers it).
                      {.interval = interval, .share = 0.0}, std::move(clock)) {
        ingest.set_provisional(&provisional);
        signals.on_new_signal(
            [this](std::shared_ptr<const SignalEntry> e) { finals.push_back(e); });
        provisional.on_provisional(
            [this](std::shared_ptr<const SignalEntry> e) { provisionals.push_back(e); });
    }

    market::MemoryBarStore store{5000};
    Orchestrator orchestrator;
    SignalService signals;
    IngestService ingest;
    ProvisionalService provisional;
    std::vector<std::shared_ptr<const SignalEntry>> finals;
    std::vector<std::shared_ptr<const SignalEntry>> provisionals;
};

class ProvisionalServiceTest : public ::testing::Test {
  protected:
    // Runs the io_context on this thread until `done` (the compute pool answers meanwhile);
    // fails after a generous bound rather than hang.
    void run_until(const std::function<bool()>& done) {
        const auto give_up = std::chrono::steady_clock::now() + 30s;
        while (!done()) {
            ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "condition never met";
            io.restart();
            io.run_one_for(10ms);
        }
    }
    // Everything ready to run now, without waiting for the pool.
    void settle() {
        io.restart();
        io.poll();
    }

    void ingest(Stack& stack, std::vector<Bar> bars) {
        bool done = false;
        asio::co_spawn(
            asio::make_strand(io),
            [&]() -> asio::awaitable<void> {
                co_await stack.ingest.ingest("ABC", Timeframe::k1d, std::move(bars));
                done = true;
            },
            asio::detached);
        run_until([&] { return done; });
    }

    asio::io_context io;
    asio::thread_pool pool{2};
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
    Stack stack{pool, io, 1000ms, clock};
};

// The body without what differs between two computations of one signal.
json comparable(const std::string& body) {
    auto j = json::parse(body);
    j.erase("computed_at");
    j.erase("provisional");
    return j;
}

TEST_F(ProvisionalServiceTest, AFormingBarGetsAProvisionalSignalAndTheSeriesStaysAsItWas) {
    ingest(stack, trend_bars(300));
    const auto held = stack.store.get("ABC", Timeframe::k1d);
    const auto computations = stack.signals.computations();
    const Bar forming = bar_at(300 * kDay, 190);

    EXPECT_EQ(stack.provisional.offer("ABC", Timeframe::k1d, forming),
              ProvisionalService::Offer::kScheduled);
    run_until([&] { return stack.provisionals.size() == 1; });

    const auto& entry = stack.provisionals[0];
    EXPECT_EQ(entry->as_of, forming.time);
    // The streams' entry carries the summary; the full body is written on request.
    EXPECT_EQ(entry->full_json(), nullptr);
    const auto full_body = stack.provisional.full_json("ABC", Timeframe::k1d);
    ASSERT_NE(full_body, nullptr);
    EXPECT_EQ(stack.provisional.full_json("ABC", Timeframe::k1d), full_body);  // written once
    const auto full = json::parse(*full_body);
    EXPECT_EQ(full["provisional"], true);
    EXPECT_EQ(full["bars_used"], 301);
    EXPECT_EQ(json::parse(*entry->summary_json)["provisional"], true);
    EXPECT_FALSE(json::parse(*entry->summary_json).contains("agents"));
    EXPECT_EQ(stack.provisional.latest("ABC", Timeframe::k1d), entry);
    // Nothing stored, cached or computed through the final path.
    EXPECT_EQ(stack.store.get("ABC", Timeframe::k1d), held);
    EXPECT_EQ(stack.signals.computations(), computations);
    EXPECT_EQ(stack.finals.size(), 1u);
    EXPECT_EQ(stack.provisional.computed(), 1u);
}

TEST_F(ProvisionalServiceTest, FinalSignalsAfterFormingBarsEqualThoseComputedWithoutThem) {
    Stack plain{pool, io, 1000ms, std::make_shared<ManualClock>()};
    auto bars = trend_bars(300);
    ingest(stack, bars);
    ingest(plain, bars);

    // Forming bars of day 300 (two coalesced), then its final bar, then day 301: the stack
    // that saw forming bars must end where the other does, bar for bar.
    const Bar final_300 = bar_at(300 * kDay, 188);
    stack.provisional.offer("ABC", Timeframe::k1d, bar_at(300 * kDay, 170));
    run_until([&] { return stack.provisionals.size() == 1; });
    const auto first_full = stack.provisional.full_json("ABC", Timeframe::k1d);
    stack.provisional.offer("ABC", Timeframe::k1d, bar_at(300 * kDay, 210));
    stack.provisional.offer("ABC", Timeframe::k1d, final_300);
    clock->advance(1000ms);
    run_until([&] { return stack.provisionals.size() == 2; });
    const auto second_full = stack.provisional.full_json("ABC", Timeframe::k1d);
    ASSERT_NE(first_full, nullptr);
    ASSERT_NE(second_full, nullptr);

    ingest(stack, {final_300});
    ingest(plain, {final_300});
    ASSERT_EQ(stack.finals.size(), 2u);
    ASSERT_EQ(plain.finals.size(), 2u);
    EXPECT_EQ(comparable(*stack.finals[1]->full_json()), comparable(*plain.finals[1]->full_json()));
    // The provisional signal of the bar that then closed as it was is that bar's final signal.
    EXPECT_EQ(comparable(*second_full), comparable(*plain.finals[1]->full_json()));
    EXPECT_NE(comparable(*first_full), comparable(*second_full));
    // The final signal replaced the provisional one: no full body is left to serve.
    EXPECT_EQ(stack.provisional.full_json("ABC", Timeframe::k1d), nullptr);

    const Bar next = bar_at(301 * kDay, 185);
    ingest(stack, {next});
    ingest(plain, {next});
    EXPECT_EQ(comparable(*stack.finals[2]->full_json()), comparable(*plain.finals[2]->full_json()));
    EXPECT_EQ(stack.finals[2]->as_of, 301 * kDay);
}

TEST_F(ProvisionalServiceTest, WithinTheIntervalTheNewestFormingBarIsComputedWhenItEnds) {
    ingest(stack, trend_bars(300));
    const std::int64_t t = 300 * kDay;
    // The first bar after a quiet interval: computed at once (leading edge).
    stack.provisional.offer("ABC", Timeframe::k1d, bar_at(t, 190));
    run_until([&] { return stack.provisional.computed() == 1 && clock->sleepers() == 0; });

    // Three more within the interval: one waits, each newer one replaces it.
    EXPECT_EQ(stack.provisional.offer("ABC", Timeframe::k1d, bar_at(t + 1, 191)),
              ProvisionalService::Offer::kScheduled);
    run_until([&] { return clock->sleepers() == 1; });
    EXPECT_EQ(stack.provisional.offer("ABC", Timeframe::k1d, bar_at(t + 2, 192)),
              ProvisionalService::Offer::kCoalesced);
    EXPECT_EQ(stack.provisional.offer("ABC", Timeframe::k1d, bar_at(t + 3, 193)),
              ProvisionalService::Offer::kCoalesced);
    EXPECT_EQ(stack.provisional.coalesced(), 2u);

    clock->advance(999ms);
    settle();
    EXPECT_EQ(stack.provisional.computed(), 1u);
    EXPECT_EQ(stack.provisionals.size(), 1u);

    // The interval ends: the newest of the three, not dropped, and only it.
    clock->advance(1ms);
    run_until([&] { return stack.provisionals.size() == 2; });
    EXPECT_EQ(stack.provisionals[1]->as_of, t + 3);
    EXPECT_EQ(stack.provisional.computed(), 2u);
    EXPECT_EQ(stack.provisional.latest("ABC", Timeframe::k1d)->as_of, t + 3);
    // Nothing left: the worker ends instead of sleeping again.
    clock->advance(5000ms);
    settle();
    EXPECT_EQ(stack.provisional.computed(), 2u);
    EXPECT_EQ(clock->sleepers(), 0u);
}

TEST_F(ProvisionalServiceTest, TheFinalBarReplacesTheProvisionalSignalAndDropsAPendingBar) {
    ingest(stack, trend_bars(300));
    const std::int64_t t = 300 * kDay;
    stack.provisional.offer("ABC", Timeframe::k1d, bar_at(t, 190));
    run_until([&] { return stack.provisionals.size() == 1; });
    stack.provisional.offer("ABC", Timeframe::k1d, bar_at(t, 195));  // waits for the interval
    run_until([&] { return clock->sleepers() == 1; });
    ASSERT_NE(stack.provisional.latest("ABC", Timeframe::k1d), nullptr);

    ingest(stack, {bar_at(t, 193)});
    EXPECT_EQ(stack.provisional.latest("ABC", Timeframe::k1d), nullptr);
    EXPECT_EQ(stack.provisional.dropped(), 1u);
    clock->advance(1000ms);
    settle();
    EXPECT_EQ(stack.provisional.computed(), 1u);
    EXPECT_EQ(stack.provisionals.size(), 1u);
    // A late forming bar of the closed period is stale.
    EXPECT_EQ(stack.provisional.offer("ABC", Timeframe::k1d, bar_at(t, 196)),
              ProvisionalService::Offer::kStale);
    EXPECT_EQ(stack.provisional.offer("ABC", Timeframe::k1d, bar_at(t - kDay, 196)),
              ProvisionalService::Offer::kStale);
}

TEST_F(ProvisionalServiceTest, UnknownSeriesAndAZeroIntervalComputeNothing) {
    EXPECT_EQ(stack.provisional.offer("NOPE", Timeframe::k1d, bar_at(0, 10)),
              ProvisionalService::Offer::kNoSeries);
    Stack off{pool, io, 0ms, clock};
    ingest(off, trend_bars(50));
    EXPECT_FALSE(off.provisional.enabled());
    EXPECT_EQ(off.provisional.offer("ABC", Timeframe::k1d, bar_at(50 * kDay, 10)),
              ProvisionalService::Offer::kDisabled);
    settle();
    EXPECT_EQ(off.provisional.computed(), 0u);
    std::string metrics;
    stack.provisional.render_metrics(metrics);
    EXPECT_NE(metrics.find("gs_provisional_computed_total 0\n"), std::string::npos);
    EXPECT_NE(metrics.find("gs_provisional_coalesced_total 0\n"), std::string::npos);
}

}  // namespace
}  // namespace gs::orchestrator
