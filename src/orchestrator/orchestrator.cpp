#include "goldensignals/orchestrator/orchestrator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <mutex>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gs::orchestrator {

namespace asio = boost::asio;
using agents::AgentResult;

namespace {

bool valid(const AgentResult& r) {
    if (r.action == agents::Action::kAbstain) {
        return true;
    }
    return std::isfinite(r.confidence) && std::isfinite(r.score) && r.confidence >= 0.0 &&
           r.confidence <= 1.0 && r.score >= -1.0 && r.score <= 1.0;
}

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace

namespace {

// One agent's verdict, from its streaming state when given (that state has taken `taken`
// bars), else over `held`. A throwing agent or one that returns an invalid number becomes
// ABSTAIN with the reason; an agent with too few bars is ABSTAIN without being called.
// Written into `out` (the caller's slot) rather than returned: an AgentResult is a few hundred
// bytes and this runs for every agent on every new bar.
void evaluate_one(const agents::AgentDef& def, const void* state, std::size_t taken,
                  const market::BarsView& held, agents::Workspace& workspace, AgentResult& out) {
    const std::size_t bars = state != nullptr ? taken : held.size();
    if (bars < def.min_bars) {
        out = agents::abstain(fmt::format("needs {} bars, has {}", def.min_bars, bars));
        return;
    }
    try {
        if (state != nullptr) {
            def.stream->evaluate_into(state, out);
        } else {
            workspace.reset();
            out = def.evaluate(held, workspace);
        }
        if (!valid(out)) {
            out = agents::abstain("agent produced an out-of-range value");
        }
    } catch (const std::exception& e) {
        out = agents::abstain(fmt::format("agent failed: {}", e.what()));
    } catch (...) {
        out = agents::abstain("agent failed");
    }
}

}  // namespace

void run_agents(std::span<const agents::AgentDef* const> defs, const market::BarsView& bars,
                std::span<AgentResult> results, agents::Workspace& workspace) {
    for (std::size_t i = 0; i < defs.size(); ++i) {
        evaluate_one(*defs[i], nullptr, 0, bars, workspace, results[i]);
    }
}

void run_agents(std::span<const agents::AgentDef* const> defs, const agents::AgentStates& states,
                const market::BarsView& held, std::span<AgentResult> results,
                agents::Workspace& workspace) {
    for (std::size_t i = 0; i < defs.size(); ++i) {
        evaluate_one(*defs[i], states.state(i), states.taken(), held, workspace, results[i]);
    }
}

Orchestrator::Orchestrator(asio::any_io_executor compute, std::size_t compute_threads,
                           std::span<const agents::AgentDef* const> agents,
                           consensus::Config config, Options options)
    : compute_(std::move(compute)),
      agents_(agents),
      config_(std::move(config)),
      options_(options),
      compute_threads_(std::max<std::size_t>(1, compute_threads)),
      all_stream_(std::all_of(agents.begin(), agents.end(),
                              [](const agents::AgentDef* def) { return def->stream != nullptr; })) {
}

std::uint64_t Orchestrator::fingerprint() const {
    const std::uint64_t base = config_.fingerprint();
    if (!options_.adaptive) {
        return base;  // the keys static signals always had
    }
    // Mixed in so a change of horizon or window makes new keys too.
    const std::uint64_t mix =
        (options_.adaptive->horizon * 1'000'003ULL + options_.adaptive->window) *
        0x9e3779b97f4a7c15ULL;
    return base ^ (mix | 1ULL);
}

std::shared_ptr<Signal> Orchestrator::make_signal(std::string symbol, market::Timeframe timeframe,
                                                  const market::BarSeries& bars) const {
    auto signal = std::make_shared<Signal>();
    signal->symbol = std::move(symbol);
    signal->timeframe = timeframe;
    signal->as_of = bars.last_time();
    signal->bars_used = bars.size();
    signal->defs.assign(agents_.begin(), agents_.end());
    signal->agents.resize(agents_.size());
    return signal;
}

std::shared_ptr<const Signal> Orchestrator::compute_inline(std::string symbol,
                                                           market::Timeframe timeframe,
                                                           const market::BarSeries& bars) const {
    auto signal = make_signal(std::move(symbol), timeframe, bars);
    thread_local agents::Workspace workspace;
    if (options_.adaptive) {
        // The series' windows from its bars, as the live path and the backtest weigh it.
        agents::AgentStates states(agents_);
        backtest::AdaptiveWeights weights(agents_.size(), *options_.adaptive);
        std::vector<AgentResult> scratch;
        walk_weighing(agents_, bars.view(), 0, states, weights, scratch);
        run_agents(agents_, states, bars.view(), signal->agents, workspace);
        signal->consensus =
            consensus::build(signal->agents, signal->defs, config_, weights.multipliers());
    } else {
        const auto states = agents::AgentStates::built_from(agents_, bars.view());
        run_agents(agents_, states, bars.view(), signal->agents, workspace);
        signal->consensus = consensus::build(signal->agents, signal->defs, config_);
    }
    signal->computed_at = now_seconds();
    return signal;
}

std::shared_ptr<const Signal> Orchestrator::compute_provisional(std::string symbol,
                                                                market::Timeframe timeframe,
                                                                const market::BarSeries& bars,
                                                                const market::Bar& forming) {
    // A copy of the series' states when they are at most a few bars behind `bars`; the shared
    // entry itself is only read, so the final path finds it exactly as it left it.
    // With adaptive weighting, a copy of the series' windows goes along (fed the same bars).
    std::optional<agents::AgentStates> states;
    std::optional<backtest::AdaptiveWeights> weights;
    std::vector<AgentResult> scratch;
    {
        auto entry = states_.entry(symbol, timeframe);
        std::lock_guard lock(entry->mutex);
        const Catchup catchup = catchup_for(*entry, bars);
        if (catchup.kind == Catchup::Kind::kFeed && catchup.bars <= kInlineBars &&
            (!options_.adaptive || entry->adaptive)) {
            states.emplace(*entry->states);
            if (options_.adaptive) {
                weights.emplace(*entry->adaptive);
                walk_weighing(agents_, bars.view(), bars.size() - catchup.bars, *states, *weights,
                              scratch);
            } else if (catchup.bars != 0) {
                states->update(bars.view(), bars.size() - catchup.bars);
            }
        }
    }
    if (!states) {
        if (options_.adaptive) {
            states.emplace(agents_);
            weights.emplace(agents_.size(), *options_.adaptive);
            walk_weighing(agents_, bars.view(), 0, *states, *weights, scratch);
        } else {
            states.emplace(agents::AgentStates::built_from(agents_, bars.view()));
        }
    }
    states->update(forming);
    if (weights) {
        weights->on_bar(forming.close);  // the forming bar's close judges the calls due at it
    }
    // Agents without a streaming form read the bars: a separate series with the forming bar
    // (built from scratch, so it shares no columns the held series could append into).
    std::optional<market::BarSeries> with_forming;
    if (!all_stream_) {
        std::vector<market::Bar> all;
        all.reserve(bars.size() + 1);
        for (std::size_t i = 0; i < bars.size(); ++i) {
            all.push_back(bars.bar(i));
        }
        all.push_back(forming);
        // The newest capacity() bars, as the series keeps once the period's final bar is in.
        with_forming.emplace(market::BarSeries(bars.capacity()).merged(all));
    }
    auto signal = make_signal(std::move(symbol), timeframe, bars);
    signal->as_of = forming.time;
    signal->bars_used = std::min(bars.size() + 1, bars.capacity());
    thread_local agents::Workspace workspace;
    run_agents(agents_, *states, with_forming ? with_forming->view() : bars.view(), signal->agents,
               workspace);
    signal->consensus =
        consensus::build(signal->agents, signal->defs, config_,
                         weights ? weights->multipliers() : std::span<const double>{});
    signal->computed_at = now_seconds();
    return signal;
}

namespace {

// Shared by the waiting coroutine and the chunks: plain data only. A chunk that overruns
// the budget keeps it (and the bars) alive until it finishes, and its late results are
// simply not read. Nothing tied to the caller's io_context lives here, because the last
// owner may be a pool thread running after that io_context is gone.
struct Run {
    Run(std::size_t n, std::size_t chunks)
        : results(n), done(new std::atomic<bool>[n]), remaining(chunks) {
        for (std::size_t i = 0; i < n; ++i) {
            done[i].store(false, std::memory_order_relaxed);
        }
    }
    std::shared_ptr<const market::BarSeries> bars;
    std::shared_ptr<SeriesStates> states;
    std::vector<AgentResult> results;
    // Adaptive weighting: the multipliers for these bars, set by the streaming task before
    // `weighed` (read only once it is true).
    std::vector<double> multipliers;
    std::atomic<bool> weighed{false};
    std::unique_ptr<std::atomic<bool>[]> done;
    std::atomic<std::size_t> remaining;
    // The waiter's timer while it waits; null once it has stopped waiting. Guarded by mutex,
    // so a chunk only touches the timer (and its executor) while the waiter is still there.
    std::mutex mutex;
    asio::steady_timer* timer = nullptr;
};

// Called by the last chunk: wake the waiter on its own executor if it still waits.
void wake(const std::shared_ptr<Run>& run) {
    std::lock_guard lock(run->mutex);
    if (run->timer == nullptr) {
        return;
    }
    asio::post(run->timer->get_executor(), [run] {
        std::lock_guard inner(run->mutex);
        if (run->timer != nullptr) {
            run->timer->cancel();
        }
    });
}

}  // namespace

namespace {

// The streaming agents of `defs` on the pool: the series' states brought up to date under
// their lock (a snapshot older than the states gets states of its own, built from its bars).
void run_streaming(const std::shared_ptr<Run>& run, std::span<const agents::AgentDef* const> defs,
                   const std::optional<backtest::AdaptiveOptions>& adaptive) {
    thread_local agents::Workspace workspace;
    const market::BarSeries& series = *run->bars;
    std::lock_guard lock(run->states->mutex);
    std::optional<agents::AgentStates> own;
    const agents::AgentStates* states = nullptr;
    const backtest::AdaptiveOptions* weighing = adaptive ? &*adaptive : nullptr;
    if (bring_up_to_date(*run->states, series, defs, weighing).kind == Catchup::Kind::kOlder) {
        if (weighing != nullptr) {
            own.emplace(defs);
            backtest::AdaptiveWeights weights(defs.size(), *weighing);
            std::vector<AgentResult> scratch;
            walk_weighing(defs, series.view(), 0, *own, weights, scratch);
            run->multipliers.assign(weights.multipliers().begin(), weights.multipliers().end());
        } else {
            own.emplace(agents::AgentStates::built_from(defs, series.view()));
        }
        states = &*own;
    } else {
        states = &*run->states->states;
        if (weighing != nullptr) {
            const auto m = run->states->adaptive->multipliers();
            run->multipliers.assign(m.begin(), m.end());
        }
    }
    if (weighing != nullptr) {
        run->weighed.store(true, std::memory_order_release);
    }
    for (std::size_t i = 0; i < defs.size(); ++i) {
        if (defs[i]->stream != nullptr) {
            evaluate_one(*defs[i], states->state(i), states->taken(), series.view(), workspace,
                         run->results[i]);
            run->done[i].store(true, std::memory_order_release);
        }
    }
}

}  // namespace

asio::awaitable<std::shared_ptr<const Signal>> Orchestrator::compute(
    std::string symbol, market::Timeframe timeframe,
    std::shared_ptr<const market::BarSeries> bars) {
    auto entry = states_.entry(symbol, timeframe);
    if (all_stream_) {
        // The common case, a few new bars: fed and evaluated right here. A rebuild, or the
        // states busy with another caller, goes to the pool instead of blocking this thread.
        std::unique_lock lock(entry->mutex, std::try_to_lock);
        if (lock.owns_lock()) {
            const Catchup catchup = catchup_for(*entry, *bars);
            if (catchup.kind == Catchup::Kind::kFeed && catchup.bars <= kInlineBars) {
                const backtest::AdaptiveOptions* weighing =
                    options_.adaptive ? &*options_.adaptive : nullptr;
                bring_up_to_date(*entry, *bars, agents_, weighing);
                auto signal = make_signal(std::move(symbol), timeframe, *bars);
                thread_local agents::Workspace workspace;
                run_agents(agents_, *entry->states, bars->view(), signal->agents, workspace);
                std::vector<double> multipliers;
                if (weighing != nullptr) {
                    const auto m = entry->adaptive->multipliers();
                    multipliers.assign(m.begin(), m.end());
                }
                lock.unlock();
                signal->consensus =
                    consensus::build(signal->agents, signal->defs, config_, multipliers);
                signal->computed_at = now_seconds();
                co_return signal;
            }
        }
    }

    asio::steady_timer timer(co_await asio::this_coro::executor);
    const std::size_t n = agents_.size();
    std::vector<std::size_t> batch;  // agents without a streaming form
    for (std::size_t i = 0; i < n; ++i) {
        if (agents_[i]->stream == nullptr) {
            batch.push_back(i);
        }
    }
    // With adaptive weighting the streaming task also brings the series' windows up to date.
    const bool any_stream = batch.size() < n || options_.adaptive.has_value();
    std::size_t chunks = options_.chunks;
    if (chunks == 0) {
        chunks = bars->size() < options_.fan_out_bars ? 1 : compute_threads_;
    }
    chunks = std::clamp<std::size_t>(chunks, 1, std::max<std::size_t>(1, batch.size()));
    const std::size_t per_chunk = (batch.size() + chunks - 1) / chunks;
    // Chunks actually posted (the last may absorb the rounding), plus the streaming task.
    const std::size_t batch_tasks = batch.empty() ? 0 : (batch.size() + per_chunk - 1) / per_chunk;
    auto run = std::make_shared<Run>(n, batch_tasks + (any_stream ? 1 : 0));
    run->bars = bars;
    run->states = std::move(entry);
    timer.expires_after(options_.agent_budget);
    {
        std::lock_guard lock(run->mutex);
        run->timer = &timer;
    }
    // Unregistered on every way out, including this frame being destroyed while it waits (its
    // io_context going away): a chunk finishing later must not reach the destroyed timer.
    // Declared after the timer, so it runs first.
    struct TimerRegistration {
        Run& run;
        ~TimerRegistration() {
            std::lock_guard lock(run.mutex);
            run.timer = nullptr;
        }
    } registration{*run};

    auto finish_task = [](const std::shared_ptr<Run>& run) {
        if (run->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            // The waiter may not be waiting yet: then it sees remaining == 0 first.
            wake(run);
        }
    };
    if (any_stream) {
        asio::post(compute_, [run, defs = agents_, adaptive = options_.adaptive, finish_task] {
            run_streaming(run, defs, adaptive);
            finish_task(run);
        });
    }
    // Contiguous chunks of near-equal size.
    for (std::size_t begin = 0; begin < batch.size(); begin += per_chunk) {
        const std::size_t end = std::min(batch.size(), begin + per_chunk);
        std::vector<std::size_t> mine(batch.begin() + static_cast<std::ptrdiff_t>(begin),
                                      batch.begin() + static_cast<std::ptrdiff_t>(end));
        asio::post(compute_, [run, defs = agents_, mine = std::move(mine), finish_task] {
            thread_local agents::Workspace workspace;
            const auto view = run->bars->view();
            for (std::size_t i : mine) {
                evaluate_one(*defs[i], nullptr, 0, view, workspace, run->results[i]);
                run->done[i].store(true, std::memory_order_release);
            }
            finish_task(run);
        });
    }
    if (run->remaining.load(std::memory_order_acquire) != 0) {
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    {
        // Stop waking: late chunks are not read (the registration only repeats this).
        std::lock_guard lock(run->mutex);
        run->timer = nullptr;
    }

    auto signal = make_signal(std::move(symbol), timeframe, *bars);
    for (std::size_t i = 0; i < n; ++i) {
        if (run->done[i].load(std::memory_order_acquire)) {
            signal->agents[i] = run->results[i];
        } else {
            signal->agents[i] = agents::abstain(
                fmt::format("timed out after {} ms", options_.agent_budget.count()));
        }
    }
    // Adaptive weighting whose streaming task overran the budget: the static weights (the
    // signal is degraded already, its timed-out agents abstaining).
    const bool weighed = run->weighed.load(std::memory_order_acquire);
    signal->consensus = consensus::build(
        signal->agents, signal->defs, config_,
        weighed ? std::span<const double>(run->multipliers) : std::span<const double>{});
    signal->computed_at = now_seconds();
    co_return signal;
}

}  // namespace gs::orchestrator
