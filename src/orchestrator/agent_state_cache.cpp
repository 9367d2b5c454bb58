#include "goldensignals/orchestrator/agent_state_cache.h"

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

Catchup bring_up_to_date(SeriesStates& entry, const market::BarSeries& series,
                         std::span<const agents::AgentDef* const> defs) {
    const Catchup catchup = catchup_for(entry, series);
    try {
        switch (catchup.kind) {
            case Catchup::Kind::kOlder:
                return catchup;
            case Catchup::Kind::kFeed:
                entry.states->update(series.view(), series.size() - catchup.bars);
                break;
            case Catchup::Kind::kRebuild:
                entry.states.reset();
                entry.states.emplace(agents::AgentStates::built_from(defs, series.view()));
                entry.epoch = series.epoch();
                break;
        }
    } catch (...) {
        entry.states.reset();  // half fed: the next computation rebuilds
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
