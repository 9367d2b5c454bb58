#include "goldensignals/orchestrator/ingest_service.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <iterator>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "goldensignals/orchestrator/provisional_service.h"

namespace gs::orchestrator {

namespace {

// The signal's verdicts in the scorer's order (by agent name: the orchestrator may run a subset).
accuracy::Verdicts verdicts_of(const Signal& signal, const accuracy::LiveAccuracy& accuracy,
                               std::size_t agent_tracks) {
    accuracy::Verdicts v;
    v.time = signal.as_of;
    v.consensus = signal.consensus.action;
    for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
        v.categories[c] = signal.consensus.categories[c].action;
    }
    v.agents.assign(agent_tracks, agents::Action::kAbstain);
    for (std::size_t i = 0; i < signal.defs.size() && i < signal.agents.size(); ++i) {
        const std::size_t track = accuracy.agent_track(signal.defs[i]->name);
        if (track >= accuracy::kFirstAgentTrack &&
            track - accuracy::kFirstAgentTrack < agent_tracks) {
            v.agents[track - accuracy::kFirstAgentTrack] = signal.agents[i].action;
        }
    }
    return v;
}

}  // namespace

IngestService::IngestService(market::BarStore& bars, store::BarRepository& repository,
                             BarSync& sync, SignalService& signals,
                             store::BarCommitterOptions commit_options)
    : bars_(bars),
      repository_(&repository),
      committer_(std::make_unique<store::BarCommitter>(repository, commit_options)),
      sync_(sync),
      signals_(signals) {}

IngestService::IngestService(market::BarStore& bars, SignalService& signals)
    : bars_(bars), sync_(signals.bar_sync()), signals_(signals) {}

boost::asio::awaitable<market::UpsertResult> IngestService::ingest(std::string symbol,
                                                                   market::Timeframe timeframe,
                                                                   std::vector<market::Bar> bars) {
    // Through the roll-up too (it reads the bars just stored): not evicted meanwhile.
    const auto pin = bars_.pin(symbol, timeframe);
    std::string name = symbol;
    auto result = co_await store(std::move(name), timeframe, bars);
    batches_.fetch_add(1, std::memory_order_relaxed);
    bars_ingested_.fetch_add(result.accepted, std::memory_order_relaxed);
    if (posted_hook_) {
        try {
            std::string hook_symbol = symbol;
            co_await posted_hook_(std::move(hook_symbol), timeframe, std::move(bars));
        } catch (const std::exception& e) {
            spdlog::error("after the bars of {} {}: {}", symbol, market::to_string(timeframe),
                          e.what());
        }
    }
    co_return result;
}

boost::asio::awaitable<market::UpsertResult> IngestService::ingest_derived(
    std::string symbol, market::Timeframe timeframe, std::vector<market::Bar> bars) {
    std::string name = symbol;
    co_return co_await store(std::move(name), timeframe, bars);
}

boost::asio::awaitable<market::UpsertResult> IngestService::store(
    std::string symbol, market::Timeframe timeframe, const std::vector<market::Bar>& bars) {
    // Written: never evicted until its signal is out (docs/memory.md).
    const auto pin = bars_.pin(symbol, timeframe);
    using Clock = std::chrono::steady_clock;
    auto stage_started = Clock::now();
    const auto stage_done = [&](IngestStage stage) {
        const auto now = Clock::now();
        stage_seconds_[static_cast<std::size_t>(stage)].observe(now - stage_started);
        stage_started = now;
    };
    // The stored history in memory before the new bars are merged into it (a series evicted
    // or never loaded since the start); a load that fails refuses the write.
    co_await sync_.resident(symbol, timeframe);
    stage_done(IngestStage::kLoad);
    // Room for a new series first: PostgreSQL must not commit bars the memory store would
    // then refuse (SeriesLimitError leaves here with nothing stored anywhere).
    const auto slot = bars_.reserve(symbol, timeframe);
    market::UpsertResult result;
    if (committer_) {
        // Runs right after the commit, in commit order with the other writes of its batch, so
        // memory takes the writes of one series in the order PostgreSQL did.
        std::exception_ptr memory_error;
        std::function<void()> apply = [&] {
            try {
                result = upsert_and_note(symbol, timeframe, bars);
            } catch (...) {
                memory_error = std::current_exception();
            }
        };
        try {
            co_await committer_->commit(symbol, timeframe, bars, std::move(apply));
        } catch (const std::exception& e) {
            spdlog::warn("bars for {} not stored: {}", symbol, e.what());
            throw StorageUnavailable(
                "PostgreSQL did not store the bars; nothing was stored, "
                "retry later");
        }
        if (memory_error) {
            std::rethrow_exception(memory_error);
        }
        sync_.stored(symbol, timeframe);
    } else {
        result = upsert_and_note(symbol, timeframe, bars);
    }
    stage_done(IngestStage::kStore);
    if (provisional_ != nullptr) {
        provisional_->final_stored(symbol, timeframe, result.last_time);
    }
    // The new signal now, so live streams get it without waiting for a reader. Computed while
    // the new version is on its way to Redis (the announce is a round trip, the signal mostly
    // CPU), published only after it: a subscriber that hears of the signal and asks any
    // instance for it finds the bars there.
    IngestedSignal signal;
    if (sync_.active()) {
        using namespace boost::asio::experimental::awaitable_operators;
        auto announced = sync_.announce(symbol, timeframe, *result.series);
        auto computed = signal_after_ingest(symbol, timeframe);
        signal = co_await (std::move(announced) && std::move(computed));
    } else {
        signal = co_await signal_after_ingest(symbol, timeframe);
    }
    stage_done(IngestStage::kSignal);
    signals_.publish(signal.unpublished);
    if (accuracy_ != nullptr && signal.lookup.computed) {
        const Signal& computed = *signal.lookup.computed;
        accuracy_->on_signal(symbol, timeframe,
                             verdicts_of(computed, *accuracy_, accuracy_->agent_tracks()));
    }
    co_return result;
}

market::UpsertResult IngestService::upsert_and_note(const std::string& symbol,
                                                    market::Timeframe timeframe,
                                                    const std::vector<market::Bar>& bars) {
    if (accuracy_ == nullptr) {
        return bars_.upsert(symbol, timeframe, bars);
    }
    // The newest time held before, read in the same (commit-ordered) step as the upsert, so
    // the scorer learns which bars this batch appended.
    std::optional<std::int64_t> previous_last;
    if (auto held = bars_.get(symbol, timeframe); held && !held->empty()) {
        previous_last = held->last_time();
    }
    auto result = bars_.upsert(symbol, timeframe, bars);
    accuracy_->on_stored(symbol, timeframe, bars, previous_last);
    return result;
}

boost::asio::awaitable<IngestedSignal> IngestService::signal_after_ingest(
    std::string symbol, market::Timeframe timeframe) {
    try {
        std::string name = symbol;
        co_return co_await signals_.compute_ingested(std::move(name), timeframe);
    } catch (const std::exception& e) {
        // The bars are stored; a reader computes the signal later.
        spdlog::error("signal for {} after ingest failed: {}", symbol, e.what());
    }
    co_return IngestedSignal{};
}

boost::asio::awaitable<void> IngestService::before_ack() {
    const auto delay = sync_.ack_delay();
    if (delay.count() <= 0) {
        co_return;
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
    // Cancelled only by shutdown, when the ack no longer matters.
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

boost::asio::awaitable<std::size_t> IngestService::remove(std::string symbol,
                                                          market::Timeframe timeframe) {
    std::size_t durable = 0;
    if (repository_ != nullptr) {
        try {
            std::string name = symbol;
            durable = co_await repository_->erase(std::move(name), timeframe);
        } catch (const std::exception& e) {
            spdlog::warn("series {} {} not deleted: {}", symbol, market::to_string(timeframe),
                         e.what());
            throw StorageUnavailable("PostgreSQL did not delete the series; retry later");
        }
    }
    const auto held = bars_.erase(symbol, timeframe);
    // A tombstone even when this instance held nothing: another one may still hold a copy.
    if (sync_.active()) {
        co_await sync_.announce_removed(symbol, timeframe);
    }
    if (removed_hook_) {
        removed_hook_(symbol, timeframe);
    }
    if (accuracy_ != nullptr) {
        accuracy_->forget(symbol, timeframe);
    }
    co_return std::max(durable, held ? held->size() : std::size_t{0});
}

void IngestService::render_metrics(std::string& out) const {
    fmt::format_to(std::back_inserter(out),
                   "# HELP gs_ingest_batches_total Bar batches stored (POSTs and feed ticks).\n"
                   "# TYPE gs_ingest_batches_total counter\ngs_ingest_batches_total {}\n"
                   "# HELP gs_ingest_bars_total Bars stored by those batches (distinct times).\n"
                   "# TYPE gs_ingest_bars_total counter\ngs_ingest_bars_total {}\n",
                   batches_.load(std::memory_order_relaxed),
                   bars_ingested_.load(std::memory_order_relaxed));
    out +=
        "# HELP gs_ingest_stage_seconds Time a stored batch spent in each step: load (its series "
        "into memory), store (committed and in memory), signal (computed and announced).\n"
        "# TYPE gs_ingest_stage_seconds histogram\n";
    for (std::size_t s = 0; s < stage_seconds_.size(); ++s) {
        stage_seconds_[s].render(out, "gs_ingest_stage_seconds",
                                 fmt::format("stage=\"{}\"", kIngestStageNames[s]));
    }
    if (committer_) {
        committer_->render_metrics(out);
    }
}

}  // namespace gs::orchestrator
