#include "goldensignals/orchestrator/agent_state_cache.h"

#include "goldensignals/orchestrator/orchestrator.h"

namespace gs::orchestrator {

Catchup catchup_for(const SeriesStates& entry, const market::BarSeries& series) noexcept {
    if (entry.states && entry.epoch == series.epoch()) {
        if (series.serial() < entry.serial) {
            return {Catchup::Kind::kOlder};
        }
        const std::uint64_t behind = series.serial() - entry.serial;
        if (behind <= series.size()) {
            return {Catchup::Kind::kFeed, static_cast<std::size_t>(behind)};
        }
    } else if (entry.states && series.epoch() < entry.epoch) {
        return {Catchup::Kind::kOlder};  // epochs only grow: this snapshot predates the entry
    }
    return {Catchup::Kind::kRebuild, series.size()};
}

void walk_weighing(std::span<const agents::AgentDef* const> defs, const market::BarsView& bars,
                   std::size_t from, agents::AgentStates& states,
                   backtest::AdaptiveWeights& weights, std::vector<agents::AgentResult>& results) {
    agents::Workspace workspace;
    results.resize(defs.size());
    for (std::size_t t = from; t < bars.size(); ++t) {
        states.update(market::Bar{bars.time[t], bars.open[t], bars.high[t], bars.low[t],
                                  bars.close[t], bars.volume[t]});
        // An agent without a streaming form reads the bars held, which end at t.
        const market::BarsView held{bars.time.first(t + 1),  bars.open.first(t + 1),
                                    bars.high.first(t + 1),  bars.low.first(t + 1),
                                    bars.close.first(t + 1), bars.volume.first(t + 1)};
        run_agents(defs, states, held, results, workspace);
        // Bar t's close judges the calls of bar t - horizon, then bar t's verdicts are kept.
        weights.on_bar(bars.close[t]);
        weights.on_verdicts(results);
    }
}

Catchup bring_up_to_date(SeriesStates& entry, const market::BarSeries& series,
                         std::span<const agents::AgentDef* const> defs,
                         const backtest::AdaptiveOptions* adaptive) {
    Catchup catchup = catchup_for(entry, series);
    if (adaptive != nullptr && catchup.kind == Catchup::Kind::kFeed && !entry.adaptive) {
        catchup = {Catchup::Kind::kRebuild, series.size()};  // states built without the windows
    }
    try {
        switch (catchup.kind) {
            case Catchup::Kind::kOlder:
                return catchup;
            case Catchup::Kind::kFeed:
                if (adaptive != nullptr) {
                    walk_weighing(defs, series.view(), series.size() - catchup.bars, *entry.states,
                                  *entry.adaptive, entry.scratch);
                } else {
                    entry.states->update(series.view(), series.size() - catchup.bars);
                }
                break;
            case Catchup::Kind::kRebuild:
                entry.states.reset();
                entry.adaptive.reset();
                if (adaptive != nullptr) {
                    entry.states.emplace(defs);
                    entry.adaptive.emplace(defs.size(), *adaptive);
                    walk_weighing(defs, series.view(), 0, *entry.states, *entry.adaptive,
                                  entry.scratch);
                } else {
                    entry.states.emplace(agents::AgentStates::built_from(defs, series.view()));
                }
                entry.epoch = series.epoch();
                break;
        }
    } catch (...) {
        entry.states.reset();  // half fed: the next computation rebuilds
        entry.adaptive.reset();
        throw;
    }
    entry.serial = series.serial();
    return catchup;
}

std::shared_ptr<SeriesStates> AgentStateCache::entry(std::string_view symbol,
                                                     market::Timeframe timeframe) {
    std::string key(to_string(timeframe));
    key += '|';
    key += symbol;
    std::lock_guard lock(mutex_);
    auto& slot = entries_[key];
    if (!slot) {
        slot = std::make_shared<SeriesStates>();
    }
    return slot;
}

void AgentStateCache::erase(std::string_view symbol, market::Timeframe timeframe) {
    std::string key(to_string(timeframe));
    key += '|';
    key += symbol;
    std::shared_ptr<SeriesStates> dropped;  // freed outside the lock
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
        dropped = std::move(it->second);
        entries_.erase(it);
    }
}

std::size_t AgentStateCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace gs::orchestrator
