#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "goldensignals/market/bar.h"
#include "goldensignals/market/bar_store.h"
#include "goldensignals/market/rollup.h"
#include "goldensignals/market/timeframe.h"
#include "goldensignals/orchestrator/ingest_service.h"

namespace gs::orchestrator {

struct RollupOptions {
    // The posted timeframes that roll up; empty = every one.
    std::vector<market::Timeframe> from;
    // A period closes by the clock this long after its end (market::Rollup's grace).
    std::chrono::seconds grace{60};
    // How often the clock closes due periods (start()).
    std::chrono::milliseconds close_interval{1000};
};

// Rolls posted bars up into every longer timeframe and writes each closed period's bar into
// that timeframe's series through IngestService::ingest_derived (stored, cached, its signal
// computed and streamed, as a posted bar). One market::Rollup per posted series, created at
// its first posted batch and resumed from the bars the store holds then. See docs/rollup.md.
//
// A series that received posted bars on this instance is authoritative: roll-up never writes
// into it, nor into a longer one that a posted series between the base and it feeds (1m and
// 1h posted: 5m..30m come from 1m, 4h..1w from 1h). Forming periods stay out of the series;
// forming() shows them.
class RollupService final {
  public:
    // UTC epoch seconds.
    using Clock = std::function<std::int64_t()>;

    // Hooks itself into `ingest` (on_posted, on_removed); `ingest` must outlive it.
    RollupService(IngestService& ingest, market::BarStore& bars, RollupOptions options,
                  Clock clock = {});
    RollupService(const RollupService&) = delete;
    RollupService& operator=(const RollupService&) = delete;

    // A batch of posted bars, already stored: rolls it up and writes the periods it closed or
    // re-derived. Returns once they are written (or handed to a write of the same series
    // already in progress, which writes them before it ends).
    boost::asio::awaitable<void> posted(std::string symbol, market::Timeframe timeframe,
                                        std::vector<market::Bar> bars);
    // The series was deleted: a posted base starts over, a posted longer one is no longer
    // authoritative.
    void removed(const std::string& symbol, market::Timeframe timeframe);
    // Closes the periods whose end the clock passed by the grace and writes them (one round
    // of the timer that start() runs).
    boost::asio::awaitable<void> close_due();

    // The timer that runs close_due() every close_interval, on `executor` (a strand).
    void start(boost::asio::any_io_executor executor);
    boost::asio::awaitable<void> stop();

    // The forming (not yet closed) bar of a derived series; nullopt when there is none.
    std::optional<market::Bar> forming(const std::string& symbol,
                                       market::Timeframe timeframe) const;
    // Told of the forming bar of every longer timeframe a batch of posted bars moved (and that
    // roll-up writes), after the batch is rolled up: provisional signals. Set before start().
    using FormingHook = std::function<void(const std::string& symbol, market::Timeframe timeframe,
                                           const market::Bar& forming)>;
    void on_forming(FormingHook hook) { forming_hook_ = std::move(hook); }

    // Whether the series received posted bars (and roll-up leaves it alone).
    bool is_posted(const std::string& symbol, market::Timeframe timeframe) const;

    // gs_rollup_series, gs_rollup_bars_total, gs_rollup_skipped_total,
    // gs_rollup_failed_total, gs_rollup_unresolved_total.
    void render_metrics(std::string& out) const;

  private:
    // One posted series and its roll-up.
    struct Base {
        Base(std::string symbol, market::Timeframe timeframe, std::int64_t grace)
            : symbol(std::move(symbol)), rollup(timeframe, grace) {}
        const std::string symbol;
        std::mutex mutex;
        market::Rollup rollup;              // guarded by mutex
        bool resumed = false;               // rollup picked up the bars held before its first batch
        std::uint64_t unresolved_seen = 0;  // rollup.unresolved() already counted
        // Closed periods waiting to be written, by (timeframe, start): a period re-derived
        // before its write leaves only its newest bar.
        std::map<std::pair<market::Timeframe, std::int64_t>, market::Bar> pending;
        bool writing = false;  // a coroutine is writing `pending`
    };

    bool rolls_up(market::Timeframe timeframe) const;
    std::shared_ptr<Base> base_of(const std::string& symbol, market::Timeframe timeframe);
    // Queues the final bars of `changes`; true when the caller is to write them (no writer).
    bool queue_locked(Base& base, const std::vector<market::DerivedBar>& changes);
    // Writes `base`'s pending bars until none are left, then clears `writing`.
    boost::asio::awaitable<void> write_pending(std::shared_ptr<Base> base);
    // Ingests one timeframe's bars of `base`; never throws (a failure is counted and logged).
    boost::asio::awaitable<void> write_timeframe(std::shared_ptr<Base> base,
                                                 market::Timeframe target,
                                                 std::vector<market::Bar> bars);
    // Whether roll-up of `base` may write into `target` (see the class comment).
    bool writable(const std::string& symbol, market::Timeframe base,
                  market::Timeframe target) const;
    boost::asio::awaitable<void> run_timer();

    IngestService& ingest_;
    market::BarStore& bars_;
    RollupOptions options_;
    Clock clock_;

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Base>> bases_;  // by series key
    std::set<std::pair<std::string, market::Timeframe>> posted_;

    FormingHook forming_hook_;
    std::unique_ptr<boost::asio::steady_timer> timer_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> timer_running_{false};

    std::atomic<std::uint64_t> written_{0};
    std::atomic<std::uint64_t> skipped_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::atomic<std::uint64_t> unresolved_{0};
};

}  // namespace gs::orchestrator
