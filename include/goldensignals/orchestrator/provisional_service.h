#pragma once

// Provisional signals (issue 16, item 2): the signal a series would get if its forming bar (a
// period not yet closed) were final. Computed over the held bars plus the forming bar without
// touching them, the agents' states or any cache tier; never archived; published to the live
// streams as their own event type and kept, one per series, until the period's final bar
// arrives. See docs/rollup.md ("Forming bars and provisional signals").

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/market/timeframe.h"
#include "goldensignals/orchestrator/compute_budget.h"
#include "goldensignals/orchestrator/orchestrator.h"
#include "goldensignals/orchestrator/signal_service.h"

namespace gs::orchestrator {

struct ProvisionalOptions {
    // At most one provisional computation per series in this interval; 0 turns provisional
    // signals off (forming bars are then ignored).
    std::chrono::milliseconds interval{1000};
    // At most this share of the compute pool's time (of `compute_threads` threads) goes to
    // provisional computations, whatever the number of series: beyond it they wait their turn
    // (and keep coalescing), so a feed for many series cannot starve final signals. 0: no cap.
    double share = 0.1;
    unsigned compute_threads = 1;
};

// The rate limit's time and sleep (tests drive a manual one).
class ProvisionalClock {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    virtual ~ProvisionalClock() = default;
    virtual TimePoint now() const = 0;
    // Returns at `when` or later, on the caller's executor.
    virtual boost::asio::awaitable<void> sleep_until(TimePoint when) = 0;
};

// std::chrono::steady_clock and an Asio timer.
class SteadyProvisionalClock final : public ProvisionalClock {
  public:
    TimePoint now() const override { return std::chrono::steady_clock::now(); }
    boost::asio::awaitable<void> sleep_until(TimePoint when) override;
};

// Per series: at most one pending forming bar (a newer one replaces it: the newest wins) and at
// most one computation per interval. The first forming bar after a quiet interval is computed
// at once (leading edge); those arriving within the interval coalesce into the last of them,
// computed when the interval ends (trailing edge). One worker coroutine per busy series, which
// hops to the compute pool for the computation only, so a fast feed costs each series at most
// one computation per interval however many bars it sends. Across series, a compute budget
// (ComputeBudget) caps the pool time all provisional computations take together.
class ProvisionalService final {
  public:
    using Listener = std::function<void(std::shared_ptr<const SignalEntry>)>;

    // `io` runs the workers (each on a strand of its own), `compute` the computations.
    ProvisionalService(market::BarStore& bars, Orchestrator& orchestrator,
                       boost::asio::any_io_executor io, boost::asio::any_io_executor compute,
                       ProvisionalOptions options,
                       std::shared_ptr<ProvisionalClock> clock = nullptr);
    ProvisionalService(const ProvisionalService&) = delete;
    ProvisionalService& operator=(const ProvisionalService&) = delete;

    bool enabled() const noexcept { return options_.interval.count() > 0; }

    // Told of every provisional signal computed here (the live stream publishes it). Called
    // under the service's lock, so it must only hand the entry on.
    void on_provisional(Listener listener) {
        std::lock_guard lock(mutex_);  // the workers read it under the lock
        listener_ = std::move(listener);
    }

    enum class Offer {
        kScheduled,  // computed now or when the series' interval ends
        kCoalesced,  // replaced a pending forming bar of the series (that one is dropped)
        kStale,      // not newer than the series' newest final bar: the period is closed
        kNoSeries,   // the series holds no bars here
        kDisabled,   // interval 0
    };
    // A forming bar of the series. Returns at once.
    Offer offer(const std::string& symbol, market::Timeframe timeframe, const market::Bar& forming);

    // Final bars up to `last_time` were stored: the provisional signal of any period up to it
    // and a pending forming bar of one are dropped (the final signal replaces them). On the
    // ingest path: one relaxed load while no forming bar was ever offered.
    void final_stored(const std::string& symbol, market::Timeframe timeframe,
                      std::int64_t last_time);

    // The series' provisional signal, when one is newer than its final bars; null otherwise.
    // Its summary body only (what the streams carry): full_json is null.
    std::shared_ptr<const SignalEntry> latest(const std::string& symbol,
                                              market::Timeframe timeframe) const;
    // The latest provisional signal's full body (with the agents), written on the first request
    // for it: most provisional signals are never asked for with their agents, and the agents
    // are most of a body's bytes and of its writing time. Null when latest() is.
    std::shared_ptr<const std::string> full_json(const std::string& symbol,
                                                 market::Timeframe timeframe) const;

    // Workers stop taking bars (those sleeping end with the io_context).
    void stop() noexcept { stopping_.store(true); }

    // A provisional signal's entry: its summary body, the signal's JSON without the agents and
    // with "provisional": true (in key order, as every body is written); full_json null.
    static std::shared_ptr<const SignalEntry> make_entry(const Signal& signal);
    // Its full body: with the agents and "provisional": true.
    static std::string full_body(const Signal& signal);

    std::uint64_t computed() const noexcept { return computed_.load(); }
    std::uint64_t coalesced() const noexcept { return coalesced_.load(); }
    std::uint64_t dropped() const noexcept { return dropped_.load(); }

    // gs_provisional_computed_total, gs_provisional_coalesced_total,
    // gs_provisional_dropped_total, gs_provisional_series, gs_provisional_compute_seconds_total,
    // gs_provisional_budget_wait_seconds_total.
    void render_metrics(std::string& out) const;

  private:
    struct Slot {
        std::optional<market::Bar> pending;
        bool worker = false;
        std::optional<ProvisionalClock::TimePoint> last_run;
        std::int64_t final_time = INT64_MIN;  // newest final bar time stored since
        std::shared_ptr<const SignalEntry> latest;
        std::shared_ptr<const Signal> latest_signal;             // for full_json()
        mutable std::shared_ptr<const std::string> latest_full;  // written on demand
    };

    boost::asio::awaitable<void> work(std::string key, std::string symbol,
                                      market::Timeframe timeframe);

    market::BarStore& bars_;
    Orchestrator& orchestrator_;
    boost::asio::any_io_executor io_;
    boost::asio::any_io_executor compute_;
    ProvisionalOptions options_;
    std::shared_ptr<ProvisionalClock> clock_;
    Listener listener_;

    mutable std::mutex mutex_;
    ComputeBudget budget_;                         // under mutex_
    std::unordered_map<std::string, Slot> slots_;  // by "<timeframe>|<symbol>"
    std::atomic<std::size_t> slot_count_{0};
    std::atomic<bool> stopping_{false};

    std::atomic<std::uint64_t> computed_{0};
    std::atomic<std::uint64_t> coalesced_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> compute_ns_{0};
    std::atomic<std::uint64_t> budget_wait_ns_{0};
};

}  // namespace gs::orchestrator
