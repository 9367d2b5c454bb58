#include "goldensignals/accuracy/live_scorer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "goldensignals/backtest/figures.h"

namespace gs::accuracy {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

RollingWindow::RollingWindow(std::size_t capacity) : ring_(std::max<std::size_t>(1, capacity)) {}

void RollingWindow::add(bool hit, double follow_return) {
    if (size_ == ring_.size()) {
        hits_ -= ring_[next_].hit ? 1 : 0;
    } else {
        ++size_;
    }
    ring_[next_] = {hit, follow_return};
    hits_ += hit ? 1 : 0;
    next_ = (next_ + 1) % ring_.size();
}

double RollingWindow::hit_rate() const noexcept {
    return size_ == 0 ? kNaN : static_cast<double>(hits_) / static_cast<double>(size_);
}

double RollingWindow::avg_forward_return() const noexcept {
    if (size_ == 0) {
        return kNaN;
    }
    // The ring's first size_ slots hold the calls until it wraps, all of them after.
    double sum = 0.0;
    for (std::size_t i = 0; i < size_; ++i) {
        sum += ring_[i].follow_return;
    }
    return sum / static_cast<double>(size_);
}

LiveScorer::LiveScorer(std::vector<std::string> agent_names, ScorerOptions options)
    : options_(options) {
    if (options_.horizon < 1 || options_.horizon > kMaxHorizon) {
        throw std::invalid_argument(fmt::format("accuracy horizon must be 1..{}", kMaxHorizon));
    }
    if (options_.window < 1 || options_.window > kMaxWindow) {
        throw std::invalid_argument(fmt::format("accuracy window must be 1..{}", kMaxWindow));
    }
    track_names_.emplace_back("consensus");
    for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
        track_names_.push_back(
            fmt::format("category:{}", agents::to_string(static_cast<agents::Category>(c))));
    }
    for (auto& name : agent_names) {
        track_names_.push_back("agent:" + name);
    }
    for (std::size_t i = 0; i < track_names_.size(); ++i) {
        track_index_.emplace(track_names_[i], i);
    }
    for (std::size_t i = kFirstAgentTrack; i < track_names_.size(); ++i) {
        agent_index_.emplace(track_names_[i].substr(std::string_view("agent:").size()), i);
    }
    for (auto& windows : windows_) {
        windows.assign(track_names_.size(), RollingWindow(options_.window));
    }
}

std::string LiveScorer::key_of(std::string_view symbol, market::Timeframe timeframe) {
    std::string key(market::to_string(timeframe));
    key += ':';
    key += symbol;
    return key;
}

void LiveScorer::on_appended(std::string_view symbol, market::Timeframe timeframe,
                             std::span<const std::int64_t> times, std::span<const double> closes,
                             std::vector<ScoredCall>* out) {
    Series& series = series_[key_of(symbol, timeframe)];
    const std::size_t keep = options_.horizon + kSlack;
    for (std::size_t i = 0; i < times.size() && i < closes.size(); ++i) {
        if (!series.recent.empty() && times[i] <= series.recent.back().time) {
            continue;  // not an append after all: never counted as a step
        }
        const Appended bar{series.next_seq++, times[i], closes[i]};
        series.recent.push_back(bar);
        if (series.recent.size() > keep) {
            series.recent.pop_front();
        }
        while (!series.pending.empty() &&
               series.pending.front().seq + options_.horizon <= bar.seq) {
            score(symbol, timeframe, series.pending.front(), bar, out);
            series.pending.pop_front();
            --pending_count_;
        }
    }
}

void LiveScorer::on_signal(std::string_view symbol, market::Timeframe timeframe, Verdicts verdicts,
                           std::vector<ScoredCall>* out) {
    auto it = series_.find(key_of(symbol, timeframe));
    if (it == series_.end()) {
        return;
    }
    Series& series = it->second;
    if (verdicts.time <= series.last_signal_time) {
        return;  // this bar's signal, or a later bar's, was taken already
    }
    const auto bar = std::find_if(series.recent.begin(), series.recent.end(),
                                  [&](const Appended& a) { return a.time == verdicts.time; });
    if (bar == series.recent.end()) {
        return;  // not a bar appended here: a correction, or too long ago
    }
    series.last_signal_time = verdicts.time;
    Pending pending{bar->seq, bar->close, std::move(verdicts)};
    const auto ahead = static_cast<std::size_t>(series.recent.end() - bar) - 1;
    if (ahead >= options_.horizon) {
        score(symbol, timeframe, pending, *(bar + static_cast<std::ptrdiff_t>(options_.horizon)),
              out);
        return;
    }
    series.pending.push_back(std::move(pending));
    ++pending_count_;
}

void LiveScorer::score(std::string_view symbol, market::Timeframe timeframe, const Pending& pending,
                       const Appended& later, std::vector<ScoredCall>* out) {
    const Verdicts& v = pending.verdicts;
    add_call(timeframe, kConsensusTrack, symbol, v.consensus, pending, later, out);
    for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
        add_call(timeframe, 1 + c, symbol, v.categories[c], pending, later, out);
    }
    const std::size_t agent_count =
        std::min(v.agents.size(), track_names_.size() - kFirstAgentTrack);
    for (std::size_t i = 0; i < agent_count; ++i) {
        add_call(timeframe, kFirstAgentTrack + i, symbol, v.agents[i], pending, later, out);
    }
}

void LiveScorer::add_call(market::Timeframe timeframe, std::size_t track, std::string_view symbol,
                          agents::Action action, const Pending& pending, const Appended& later,
                          std::vector<ScoredCall>* out) {
    const auto call = backtest::score_call(action, pending.close, later.close);
    if (!call.scored) {
        return;  // HOLD and ABSTAIN are not calls
    }
    windows_[static_cast<std::size_t>(timeframe)][track].add(call.hit, call.follow_return);
    ++scored_;
    if (out != nullptr) {
        out->push_back({timeframe, std::string(symbol), track_names_[track], pending.verdicts.time,
                        later.time, action, call.hit, call.forward_return, call.follow_return});
    }
}

void LiveScorer::restore(const ScoredCall& call) {
    const std::size_t track = track_of(call.track);
    if (track == track_names_.size()) {
        return;
    }
    windows_[static_cast<std::size_t>(call.timeframe)][track].add(call.hit, call.follow_return);
}

void LiveScorer::forget(std::string_view symbol, market::Timeframe timeframe) {
    auto it = series_.find(key_of(symbol, timeframe));
    if (it != series_.end()) {
        pending_count_ -= it->second.pending.size();
        series_.erase(it);
    }
}

WindowFigures LiveScorer::figures(market::Timeframe timeframe, std::size_t track) const {
    const RollingWindow& w = window(timeframe, track);
    return {w.count(), w.hit_rate(), w.avg_forward_return()};
}

const RollingWindow& LiveScorer::window(market::Timeframe timeframe, std::size_t track) const {
    return windows_[static_cast<std::size_t>(timeframe)].at(track);
}

std::size_t LiveScorer::track_of(std::string_view name) const {
    auto it = track_index_.find(name);
    return it == track_index_.end() ? track_names_.size() : it->second;
}

std::size_t LiveScorer::agent_track(std::string_view agent_name) const {
    auto it = agent_index_.find(agent_name);
    return it == agent_index_.end() ? track_names_.size() : it->second;
}

}  // namespace gs::accuracy
