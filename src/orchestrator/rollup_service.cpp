#include "goldensignals/orchestrator/rollup_service.h"

#include <algorithm>
#include <ctime>
#include <exception>
#include <iterator>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "goldensignals/market/bar_series.h"
#include "goldensignals/market/periods.h"

namespace gs::orchestrator {

namespace asio = boost::asio;
using market::Bar;
using market::Timeframe;

namespace {

std::string key_of(const std::string& symbol, Timeframe timeframe) {
    std::string key = symbol;
    key += '|';
    key += market::to_string(timeframe);
    return key;
}

// The base bars in [from, to) of a snapshot of the base series. nullopt when the range begins
// before the oldest bar held and the series is full: older bars may have left the window
// (--max-bars), so the period cannot be re-derived exactly.
market::BaseBarsInRange bars_in(std::shared_ptr<const market::BarSeries> series) {
    return [series = std::move(series)](std::int64_t from,
                                        std::int64_t to) -> std::optional<std::vector<Bar>> {
        std::vector<Bar> out;
        if (!series || series->empty()) {
            return out;
        }
        const auto time = series->view().time;
        if (from < time.front() && series->size() >= series->capacity()) {
            return std::nullopt;
        }
        auto first = std::lower_bound(time.begin(), time.end(), from);
        for (auto i = static_cast<std::size_t>(first - time.begin());
             i < series->size() && time[i] < to; ++i) {
            out.push_back(series->bar(i));
        }
        return out;
    };
}

}  // namespace

RollupService::RollupService(IngestService& ingest, market::BarStore& bars, RollupOptions options,
                             Clock clock)
    : ingest_(ingest), bars_(bars), options_(std::move(options)), clock_(std::move(clock)) {
    if (!clock_) {
        clock_ = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
    }
    // Plain lambdas that return the coroutine: no coroutine closure to keep alive.
    ingest_.on_posted([this](std::string symbol, Timeframe timeframe, std::vector<Bar> bars) {
        return posted(std::move(symbol), timeframe, std::move(bars));
    });
    ingest_.on_removed(
        [this](const std::string& symbol, Timeframe timeframe) { removed(symbol, timeframe); });
}

bool RollupService::rolls_up(Timeframe timeframe) const {
    if (market::longer_timeframes(timeframe).empty()) {
        return false;
    }
    return options_.from.empty() ||
           std::find(options_.from.begin(), options_.from.end(), timeframe) != options_.from.end();
}

bool RollupService::writable(const std::string& symbol, Timeframe base, Timeframe target) const {
    std::lock_guard lock(mutex_);
    for (const Timeframe timeframe : market::kAllTimeframes) {
        if (market::seconds_of(timeframe) > market::seconds_of(base) &&
            market::seconds_of(timeframe) <= market::seconds_of(target) &&
            posted_.contains({symbol, timeframe})) {
            return false;
        }
    }
    return true;
}

bool RollupService::is_posted(const std::string& symbol, Timeframe timeframe) const {
    std::lock_guard lock(mutex_);
    return posted_.contains({symbol, timeframe});
}

std::shared_ptr<RollupService::Base> RollupService::base_of(const std::string& symbol,
                                                            Timeframe timeframe) {
    std::lock_guard lock(mutex_);
    auto& slot = bases_[key_of(symbol, timeframe)];
    if (!slot) {
        slot = std::make_shared<Base>(symbol, timeframe, options_.grace.count());
    }
    return slot;
}

asio::awaitable<void> RollupService::posted(std::string symbol, Timeframe timeframe,
                                            std::vector<Bar> bars) {
    {
        std::lock_guard lock(mutex_);
        posted_.insert({symbol, timeframe});
    }
    if (!rolls_up(timeframe) || bars.empty()) {
        co_return;
    }
    auto base = base_of(symbol, timeframe);
    bool write = false;
    std::vector<market::DerivedBar> forming;
    {
        std::lock_guard lock(base->mutex);
        // The store already holds this batch: re-derive from the bars held, not fold twice.
        const auto series = bars_.get(symbol, timeframe);
        if (!series || series->empty()) {
            co_return;  // deleted meanwhile
        }
        const auto base_bars = bars_in(series);
        const std::int64_t now = clock_();
        if (!base->resumed) {
            // The first batch this process rolls up: pick up where the series stands, then
            // re-derive every period the batch touches (they are all at or before the newest).
            base->rollup.resume(series->last_time(), now, base_bars);
            base->resumed = true;
        }
        const auto changes = base->rollup.apply(bars, now, base_bars);
        if (forming_hook_) {
            for (const auto& change : changes) {
                if (!change.final) {
                    forming.push_back(change);
                }
            }
        }
        unresolved_.fetch_add(base->rollup.unresolved() - base->unresolved_seen,
                              std::memory_order_relaxed);
        base->unresolved_seen = base->rollup.unresolved();
        write = queue_locked(*base, changes);
    }
    if (write) {
        co_await write_pending(std::move(base));
    }
    // After the closed periods are written: a forming bar is then newer than its series' bars.
    for (const auto& change : forming) {
        if (writable(symbol, timeframe, change.timeframe)) {
            forming_hook_(symbol, change.timeframe, change.bar);
        }
    }
}

bool RollupService::queue_locked(Base& base, const std::vector<market::DerivedBar>& changes) {
    for (const auto& change : changes) {
        if (change.final) {
            base.pending[{change.timeframe, change.bar.time}] = change.bar;
        }
    }
    if (base.writing || base.pending.empty()) {
        return false;
    }
    base.writing = true;
    return true;
}

asio::awaitable<void> RollupService::write_pending(std::shared_ptr<Base> base) {
    const Timeframe base_timeframe = base->rollup.base();
    const auto executor = co_await asio::this_coro::executor;
    for (;;) {
        std::map<std::pair<Timeframe, std::int64_t>, Bar> batch;
        {
            std::lock_guard lock(base->mutex);
            if (base->pending.empty()) {
                base->writing = false;
                co_return;
            }
            batch.swap(base->pending);
        }
        // One ingest per timeframe, all at once: they join one group commit and their version
        // records one Redis pipeline, so a bar that closes k periods costs one chain of round
        // trips, not k (each timeframe is its own series: no order between them to keep).
        std::vector<decltype(asio::co_spawn(executor, write_timeframe(base, Timeframe{}, {}),
                                            asio::deferred))>
            writes;
        auto it = batch.begin();
        while (it != batch.end()) {
            const Timeframe target = it->first.first;
            std::vector<Bar> bars;
            for (; it != batch.end() && it->first.first == target; ++it) {
                bars.push_back(it->second);
            }
            if (!writable(base->symbol, base_timeframe, target)) {
                skipped_.fetch_add(bars.size(), std::memory_order_relaxed);
                continue;
            }
            writes.push_back(asio::co_spawn(
                executor, write_timeframe(base, target, std::move(bars)), asio::deferred));
        }
        if (writes.size() == 1) {
            co_await std::move(writes.front())(asio::use_awaitable);
        } else if (!writes.empty()) {
            co_await asio::experimental::make_parallel_group(std::move(writes))
                .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        }
    }
}

asio::awaitable<void> RollupService::write_timeframe(std::shared_ptr<Base> base, Timeframe target,
                                                     std::vector<Bar> bars) {
    const std::size_t count = bars.size();
    try {
        std::string name = base->symbol;
        co_await ingest_.ingest_derived(std::move(name), target, std::move(bars));
        written_.fetch_add(count, std::memory_order_relaxed);
    } catch (const std::exception& e) {
        failed_.fetch_add(count, std::memory_order_relaxed);
        spdlog::warn("rolled-up {} bars of {} not stored: {}", market::to_string(target),
                     base->symbol, e.what());
    }
}

void RollupService::removed(const std::string& symbol, Timeframe timeframe) {
    std::lock_guard lock(mutex_);
    posted_.erase({symbol, timeframe});
    bases_.erase(key_of(symbol, timeframe));
}

asio::awaitable<void> RollupService::close_due() {
    std::vector<std::shared_ptr<Base>> bases;
    {
        std::lock_guard lock(mutex_);
        bases.reserve(bases_.size());
        for (const auto& [key, base] : bases_) {
            bases.push_back(base);
        }
    }
    const std::int64_t now = clock_();
    for (auto& base : bases) {
        bool write = false;
        {
            std::lock_guard lock(base->mutex);
            write = queue_locked(*base, base->rollup.close_due(now));
        }
        if (write) {
            co_await write_pending(base);
        }
    }
}

std::optional<Bar> RollupService::forming(const std::string& symbol, Timeframe timeframe) const {
    // The longest posted base shorter than `timeframe` feeds it (see writable()).
    std::vector<std::shared_ptr<Base>> candidates;
    {
        std::lock_guard lock(mutex_);
        if (posted_.contains({symbol, timeframe})) {
            return std::nullopt;
        }
        for (auto it = market::kAllTimeframes.rbegin(); it != market::kAllTimeframes.rend(); ++it) {
            if (market::seconds_of(*it) >= market::seconds_of(timeframe)) {
                continue;
            }
            if (auto found = bases_.find(key_of(symbol, *it)); found != bases_.end()) {
                candidates.push_back(found->second);
                break;
            }
        }
    }
    for (const auto& base : candidates) {
        std::lock_guard lock(base->mutex);
        if (auto newest = base->rollup.newest(timeframe); newest && !newest->final) {
            return newest->bar;
        }
    }
    return std::nullopt;
}

void RollupService::start(asio::any_io_executor executor) {
    timer_ = std::make_unique<asio::steady_timer>(executor);
    timer_running_ = true;
    asio::co_spawn(executor, run_timer(), [this](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& error) {
                spdlog::error("roll-up timer stopped: {}", error.what());
            }
        }
        timer_running_ = false;
    });
}

asio::awaitable<void> RollupService::run_timer() {
    while (!stopping_) {
        timer_->expires_after(options_.close_interval);
        auto [ec] = co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec || stopping_) {
            co_return;
        }
        co_await close_due();
    }
}

asio::awaitable<void> RollupService::stop() {
    stopping_ = true;
    if (!timer_) {
        co_return;
    }
    asio::post(timer_->get_executor(), [this] { timer_->cancel(); });
    // The timer's coroutine ends at its next step (a write in progress finishes first).
    asio::steady_timer wait(co_await asio::this_coro::executor);
    while (timer_running_) {
        wait.expires_after(std::chrono::milliseconds(10));
        co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

void RollupService::render_metrics(std::string& out) const {
    std::size_t series = 0;
    {
        std::lock_guard lock(mutex_);
        series = bases_.size();
    }
    fmt::format_to(
        std::back_inserter(out),
        "# HELP gs_rollup_series Posted series rolled up into longer timeframes.\n"
        "# TYPE gs_rollup_series gauge\ngs_rollup_series {}\n"
        "# HELP gs_rollup_bars_total Closed periods roll-up wrote into longer timeframes.\n"
        "# TYPE gs_rollup_bars_total counter\ngs_rollup_bars_total {}\n"
        "# HELP gs_rollup_skipped_total Rolled-up bars not written: the series is posted "
        "directly.\n"
        "# TYPE gs_rollup_skipped_total counter\ngs_rollup_skipped_total {}\n"
        "# HELP gs_rollup_failed_total Rolled-up bars the store did not take.\n"
        "# TYPE gs_rollup_failed_total counter\ngs_rollup_failed_total {}\n"
        "# HELP gs_rollup_unresolved_total Periods a correction touched that could not be "
        "re-derived (their base bars are no longer held).\n"
        "# TYPE gs_rollup_unresolved_total counter\ngs_rollup_unresolved_total {}\n",
        series, written_.load(std::memory_order_relaxed), skipped_.load(std::memory_order_relaxed),
        failed_.load(std::memory_order_relaxed), unresolved_.load(std::memory_order_relaxed));
}

}  // namespace gs::orchestrator
