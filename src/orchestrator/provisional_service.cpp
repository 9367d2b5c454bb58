#include "goldensignals/orchestrator/provisional_service.h"

#include <algorithm>
#include <exception>
#include <functional>
#include <iterator>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gs::orchestrator {

namespace asio = boost::asio;

namespace {

std::string key_of(const std::string& symbol, market::Timeframe timeframe) {
    std::string key(market::to_string(timeframe));
    key += '|';
    key += symbol;
    return key;
}

// `"provisional":true` among the top-level keys, which are in byte order: before the top-level
// "score", the last one in the body (the agents' scores come earlier, "votes" holds none).
std::string mark_provisional(std::string body) {
    const auto at = body.rfind(R"(,"score":)");
    if (at == std::string::npos) {
        throw std::logic_error("signal body without a score");
    }
    body.insert(at, R"(,"provisional":true)");
    return body;
}

}  // namespace

asio::awaitable<void> SteadyProvisionalClock::sleep_until(TimePoint when) {
    asio::steady_timer timer(co_await asio::this_coro::executor, when);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

ProvisionalService::ProvisionalService(market::BarStore& bars, Orchestrator& orchestrator,
                                       asio::any_io_executor io, asio::any_io_executor compute,
                                       ProvisionalOptions options,
                                       std::shared_ptr<ProvisionalClock> clock)
    : bars_(bars),
      orchestrator_(orchestrator),
      io_(std::move(io)),
      compute_(std::move(compute)),
      options_(options),
      clock_(clock ? std::move(clock) : std::make_shared<SteadyProvisionalClock>()),
      budget_(options.share, std::max(1u, options.compute_threads)) {}

std::shared_ptr<const SignalEntry> ProvisionalService::make_entry(const Signal& signal) {
    auto entry = std::make_shared<SignalEntry>();
    entry->symbol = signal.symbol;
    entry->timeframe = signal.timeframe;
    entry->as_of = signal.as_of;
    entry->summary_json =
        std::make_shared<const std::string>(mark_provisional(to_json(signal, false)));
    return entry;
}

std::string ProvisionalService::full_body(const Signal& signal) {
    return mark_provisional(to_json(signal, true));
}

ProvisionalService::Offer ProvisionalService::offer(const std::string& symbol,
                                                    market::Timeframe timeframe,
                                                    const market::Bar& forming) {
    if (!enabled()) {
        return Offer::kDisabled;
    }
    const auto held = bars_.get(symbol, timeframe);
    if (!held || held->empty()) {
        return Offer::kNoSeries;
    }
    if (forming.time <= held->last_time()) {
        return Offer::kStale;
    }
    std::string key = key_of(symbol, timeframe);
    bool start = false;
    Offer result = Offer::kScheduled;
    {
        std::lock_guard lock(mutex_);
        auto [it, inserted] = slots_.try_emplace(key);
        if (inserted) {
            slot_count_.fetch_add(1, std::memory_order_relaxed);
        }
        Slot& slot = it->second;
        if (forming.time <= slot.final_time) {
            return Offer::kStale;
        }
        if (slot.pending) {
            coalesced_.fetch_add(1, std::memory_order_relaxed);
            result = Offer::kCoalesced;
        }
        slot.pending = forming;
        if (!slot.worker && !stopping_.load()) {
            slot.worker = true;
            start = true;
        }
    }
    if (start) {
        asio::co_spawn(asio::make_strand(io_), work(std::move(key), symbol, timeframe),
                       [symbol](std::exception_ptr e) {
                           if (e) {
                               try {
                                   std::rethrow_exception(e);
                               } catch (const std::exception& error) {
                                   spdlog::error("provisional signals of {} stopped: {}", symbol,
                                                 error.what());
                               }
                           }
                       });
    }
    return result;
}

asio::awaitable<void> ProvisionalService::work(std::string key, std::string symbol,
                                               market::Timeframe timeframe) {
    for (;;) {
        std::optional<ProvisionalClock::TimePoint> due;
        {
            std::lock_guard lock(mutex_);
            Slot& slot = slots_[key];
            if (!slot.pending || stopping_.load()) {
                slot.worker = false;
                co_return;
            }
            if (slot.last_run) {
                due = *slot.last_run + options_.interval;
            }
        }
        // The trailing edge: the newest bar offered until then is the one computed.
        if (due && clock_->now() < *due) {
            co_await clock_->sleep_until(*due);
        }
        // Then this series' turn in the pool's share for provisional work.
        ProvisionalClock::TimePoint turn;
        {
            std::lock_guard lock(mutex_);
            turn = budget_.reserve(clock_->now());
        }
        if (const auto now = clock_->now(); now < turn) {
            budget_wait_ns_.fetch_add(
                static_cast<std::uint64_t>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(turn - now).count()),
                std::memory_order_relaxed);
            co_await clock_->sleep_until(turn);
        }
        market::Bar forming;
        {
            std::lock_guard lock(mutex_);
            Slot& slot = slots_[key];
            if (!slot.pending || stopping_.load()) {
                budget_.refund();
                slot.worker = false;
                co_return;
            }
            forming = *slot.pending;
            slot.pending.reset();
            slot.last_run = clock_->now();
        }
        const auto held = bars_.get(symbol, timeframe);
        if (!held || held->empty() || forming.time <= held->last_time()) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            std::lock_guard lock(mutex_);
            budget_.refund();
            continue;
        }
        // On the compute pool (co_spawn runs it there and resumes this worker on its strand;
        // a post(compute, use_awaitable) would resume here at once, on the I/O thread). Its
        // cost is measured there, on the real clock: it is the pool's time the budget shares.
        struct Computed {
            std::shared_ptr<const Signal> signal;
            std::shared_ptr<const SignalEntry> entry;
            std::chrono::nanoseconds cost{};
        };
        Computed computed;
        std::function<asio::awaitable<Computed>()> job = [this, symbol, timeframe, held,
                                                          forming]() -> asio::awaitable<Computed> {
            const auto began = std::chrono::steady_clock::now();
            Computed out;
            out.signal = orchestrator_.compute_provisional(symbol, timeframe, *held, forming);
            out.entry = make_entry(*out.signal);
            out.cost = std::chrono::steady_clock::now() - began;
            co_return out;
        };
        try {
            computed = co_await asio::co_spawn(compute_, std::move(job), asio::use_awaitable);
        } catch (const std::exception& e) {
            spdlog::error("provisional signal of {} {} failed: {}", symbol,
                          market::to_string(timeframe), e.what());
            std::lock_guard lock(mutex_);
            budget_.refund();
            continue;
        }
        compute_ns_.fetch_add(static_cast<std::uint64_t>(computed.cost.count()),
                              std::memory_order_relaxed);
        computed_.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(mutex_);
        budget_.settle(computed.cost);
        Slot& slot = slots_[key];
        // The period's final bar came in while this was computed: the final signal replaces it.
        if (forming.time <= slot.final_time) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        slot.latest = computed.entry;
        slot.latest_signal = std::move(computed.signal);
        slot.latest_full.reset();
        if (listener_) {
            listener_(std::move(computed.entry));
        }
    }
}

void ProvisionalService::final_stored(const std::string& symbol, market::Timeframe timeframe,
                                      std::int64_t last_time) {
    if (slot_count_.load(std::memory_order_relaxed) == 0) {
        return;  // no forming bar offered yet: the final path pays nothing else
    }
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key_of(symbol, timeframe));
    if (it == slots_.end()) {
        return;
    }
    Slot& slot = it->second;
    slot.final_time = std::max(slot.final_time, last_time);
    if (slot.latest && slot.latest->as_of <= last_time) {
        slot.latest.reset();
        slot.latest_signal.reset();
        slot.latest_full.reset();
    }
    if (slot.pending && slot.pending->time <= last_time) {
        slot.pending.reset();
        dropped_.fetch_add(1, std::memory_order_relaxed);
    }
}

std::shared_ptr<const SignalEntry> ProvisionalService::latest(const std::string& symbol,
                                                              market::Timeframe timeframe) const {
    if (slot_count_.load(std::memory_order_relaxed) == 0) {
        return nullptr;
    }
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key_of(symbol, timeframe));
    return it == slots_.end() ? nullptr : it->second.latest;
}

std::shared_ptr<const std::string> ProvisionalService::full_json(
    const std::string& symbol, market::Timeframe timeframe) const {
    if (slot_count_.load(std::memory_order_relaxed) == 0) {
        return nullptr;
    }
    const std::string key = key_of(symbol, timeframe);
    std::shared_ptr<const Signal> signal;
    {
        std::lock_guard lock(mutex_);
        auto it = slots_.find(key);
        if (it == slots_.end() || !it->second.latest_signal) {
            return nullptr;
        }
        if (it->second.latest_full) {
            return it->second.latest_full;
        }
        signal = it->second.latest_signal;
    }
    // Written outside the lock; kept if the signal is still the latest.
    auto body = std::make_shared<const std::string>(full_body(*signal));
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key);
    if (it != slots_.end() && it->second.latest_signal == signal) {
        it->second.latest_full = body;
    }
    return body;
}

void ProvisionalService::render_metrics(std::string& out) const {
    fmt::format_to(
        std::back_inserter(out),
        "# HELP gs_provisional_computed_total Provisional signals computed on forming bars.\n"
        "# TYPE gs_provisional_computed_total counter\ngs_provisional_computed_total {}\n"
        "# HELP gs_provisional_coalesced_total Forming bars replaced by a newer one of their "
        "series before their computation (rate limit).\n"
        "# TYPE gs_provisional_coalesced_total counter\ngs_provisional_coalesced_total {}\n"
        "# HELP gs_provisional_dropped_total Forming bars or provisional signals dropped because "
        "their period's final bar arrived first.\n"
        "# TYPE gs_provisional_dropped_total counter\ngs_provisional_dropped_total {}\n"
        "# HELP gs_provisional_series Series that received forming bars.\n"
        "# TYPE gs_provisional_series gauge\ngs_provisional_series {}\n"
        "# HELP gs_provisional_compute_seconds_total Compute pool time spent on provisional "
        "signals.\n"
        "# TYPE gs_provisional_compute_seconds_total counter\n"
        "gs_provisional_compute_seconds_total {}\n"
        "# HELP gs_provisional_budget_wait_seconds_total Time provisional computations waited "
        "for the pool's share (--provisional-share) after their interval.\n"
        "# TYPE gs_provisional_budget_wait_seconds_total counter\n"
        "gs_provisional_budget_wait_seconds_total {}\n",
        computed_.load(), coalesced_.load(), dropped_.load(),
        slot_count_.load(std::memory_order_relaxed),
        static_cast<double>(compute_ns_.load(std::memory_order_relaxed)) / 1e9,
        static_cast<double>(budget_wait_ns_.load(std::memory_order_relaxed)) / 1e9);
}

}  // namespace gs::orchestrator
