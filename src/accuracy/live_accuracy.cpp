#include "goldensignals/accuracy/live_accuracy.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <utility>

#include <fmt/format.h>

namespace gs::accuracy {

LiveAccuracy::LiveAccuracy(std::vector<std::string> agent_names, ScorerOptions options,
                           CallSink* sink)
    : scorer_(std::move(agent_names), options), sink_(sink) {}

void LiveAccuracy::on_stored(const std::string& symbol, market::Timeframe timeframe,
                             std::span<const market::Bar> bars,
                             std::optional<std::int64_t> previous_last) {
    const auto appends = [&](const market::Bar& bar) {
        return !previous_last || bar.time > *previous_last;
    };
    std::vector<ScoredCall> calls;
    std::vector<ScoredCall>* out = sink_ != nullptr ? &calls : nullptr;
    if (bars.size() == 1) {
        // A live feed's batch: one bar, nothing to order.
        if (!appends(bars.front())) {
            return;
        }
        const std::int64_t time = bars.front().time;
        const double close = bars.front().close;
        {
            std::lock_guard lock(mutex_);
            scorer_.on_appended(symbol, timeframe, std::span(&time, 1), std::span(&close, 1), out);
        }
        hand_over(calls);
        return;
    }
    // Only the bars past the series' previous newest one are appends; a batch may hold them in
    // any order and a time twice (the last wins, as in the store).
    std::vector<std::pair<std::int64_t, double>> appended;
    for (const market::Bar& bar : bars) {
        if (appends(bar)) {
            appended.emplace_back(bar.time, bar.close);
        }
    }
    if (appended.empty()) {
        return;
    }
    std::stable_sort(appended.begin(), appended.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::int64_t> times;
    std::vector<double> closes;
    for (std::size_t i = 0; i < appended.size(); ++i) {
        if (i + 1 < appended.size() && appended[i + 1].first == appended[i].first) {
            continue;
        }
        times.push_back(appended[i].first);
        closes.push_back(appended[i].second);
    }
    {
        std::lock_guard lock(mutex_);
        scorer_.on_appended(symbol, timeframe, times, closes, out);
    }
    hand_over(calls);
}

void LiveAccuracy::on_signal(const std::string& symbol, market::Timeframe timeframe,
                             Verdicts verdicts) {
    std::vector<ScoredCall> calls;
    {
        std::lock_guard lock(mutex_);
        scorer_.on_signal(symbol, timeframe, std::move(verdicts),
                          sink_ != nullptr ? &calls : nullptr);
    }
    hand_over(calls);
}

void LiveAccuracy::hand_over(std::vector<ScoredCall>& calls) {
    if (!calls.empty()) {
        sink_->keep(std::move(calls));
    }
}

void LiveAccuracy::forget(const std::string& symbol, market::Timeframe timeframe) {
    std::lock_guard lock(mutex_);
    scorer_.forget(symbol, timeframe);
}

void LiveAccuracy::restore(std::span<const ScoredCall> calls) {
    std::lock_guard lock(mutex_);
    for (const ScoredCall& call : calls) {
        scorer_.restore(call);
    }
}

WindowFigures LiveAccuracy::figures(market::Timeframe timeframe, std::size_t track) const {
    std::lock_guard lock(mutex_);
    return scorer_.figures(timeframe, track);
}

std::size_t LiveAccuracy::track_of(std::string_view name) const {
    return scorer_.track_of(name);  // immutable after construction
}

std::size_t LiveAccuracy::agent_track(std::string_view agent_name) const {
    return scorer_.agent_track(agent_name);  // immutable after construction
}

std::vector<std::string> LiveAccuracy::track_names() const {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < scorer_.track_count(); ++i) {
        names.push_back(scorer_.track_name(i));
    }
    return names;
}

void LiveAccuracy::render_metrics(std::string& out) const {
    std::array<WindowFigures, market::kAllTimeframes.size()> consensus{};
    std::uint64_t scored = 0;
    {
        std::lock_guard lock(mutex_);
        for (const auto tf : market::kAllTimeframes) {
            consensus[static_cast<std::size_t>(tf)] = scorer_.figures(tf, kConsensusTrack);
        }
        scored = scorer_.scored();
    }
    auto it = std::back_inserter(out);
    fmt::format_to(it,
                   "# HELP gs_live_consensus_hit_rate The consensus' live hit rate over its "
                   "rolling window of scored calls (NaN before the first).\n"
                   "# TYPE gs_live_consensus_hit_rate gauge\n");
    for (const auto tf : market::kAllTimeframes) {
        const double rate = consensus[static_cast<std::size_t>(tf)].hit_rate;
        fmt::format_to(it, "gs_live_consensus_hit_rate{{timeframe=\"{}\"}} {}\n",
                       market::to_string(tf),
                       std::isnan(rate) ? std::string("NaN") : fmt::format("{}", rate));
    }
    fmt::format_to(it,
                   "# HELP gs_live_consensus_calls Scored consensus calls in the rolling window.\n"
                   "# TYPE gs_live_consensus_calls gauge\n");
    for (const auto tf : market::kAllTimeframes) {
        fmt::format_to(it, "gs_live_consensus_calls{{timeframe=\"{}\"}} {}\n",
                       market::to_string(tf), consensus[static_cast<std::size_t>(tf)].count);
    }
    fmt::format_to(it,
                   "# HELP gs_live_calls_scored_total Calls (consensus, category and agent) "
                   "scored live by this instance.\n"
                   "# TYPE gs_live_calls_scored_total counter\ngs_live_calls_scored_total {}\n",
                   scored);
}

}  // namespace gs::accuracy
