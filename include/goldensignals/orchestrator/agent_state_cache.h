#pragma once

// Per series, the agents' streaming states as of some version of its bars (issue 12). A
// computation brings them up to date with the version it was asked for: by feeding the bars
// added since (O(1) per bar) when the version belongs to the same epoch (market::BarSeries),
// by rebuilding them from the bars held otherwise (a correction, a late bar, a reload).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "goldensignals/agents/agent.h"
#include "goldensignals/agents/agent_states.h"
#include "goldensignals/backtest/adaptive.h"
#include "goldensignals/market/bar_series.h"
#include "goldensignals/market/timeframe.h"

namespace gs::orchestrator {

// The states of one series and the version they reflect. Guarded by `mutex`.
struct SeriesStates {
    std::mutex mutex;
    std::optional<agents::AgentStates> states;
    // With adaptive weighting: the series' windows of scored calls, as of the same version
    // (every bar's verdicts given, so multipliers() are the newest bar's).
    std::optional<backtest::AdaptiveWeights> adaptive;
    std::vector<agents::AgentResult> scratch;  // a bar's verdicts while feeding `adaptive`
    std::uint64_t epoch = 0;
    std::uint64_t serial = 0;
};

// What bringing `entry` up to `series` takes.
struct Catchup {
    enum class Kind { kFeed, kRebuild, kOlder } kind;
    std::size_t bars = 0;  // bars fed (kFeed) or taken from scratch (kRebuild)
};
// kOlder: the entry already reflects a newer version of the same epoch (a reader that
// took its snapshot before a writer's), so the entry must not go back.
Catchup catchup_for(const SeriesStates& entry, const market::BarSeries& series) noexcept;

// Brings the entry to `series` (the caller holds entry.mutex) unless that is kOlder; returns
// what it did. With `adaptive`, the entry's adaptive windows too: each new bar is fed alone and
// every agent evaluated after it (the backtest's walk), and a rebuild walks every bar held, so
// the windows depend on the bars held only, never on what this process saw before.
Catchup bring_up_to_date(SeriesStates& entry, const market::BarSeries& series,
                         std::span<const agents::AgentDef* const> defs,
                         const backtest::AdaptiveOptions* adaptive = nullptr);

// Bars [from, bars.size()) one at a time into `states` (which has taken bars [0, from)), every
// agent evaluated after each and its verdicts given to `weights` with the bar's close, as
// backtest::walk_forward does. `results` is scratch.
void walk_weighing(std::span<const agents::AgentDef* const> defs, const market::BarsView& bars,
                   std::size_t from, agents::AgentStates& states,
                   backtest::AdaptiveWeights& weights, std::vector<agents::AgentResult>& results);

class AgentStateCache final {
  public:
    // The entry of the series, made empty on first use. Removed when the bar store evicts the
    // series (erase); bounded by the series the store holds.
    std::shared_ptr<SeriesStates> entry(std::string_view symbol, market::Timeframe timeframe);
    // Drops the series' states (a computation holding the entry keeps it until it is done);
    // the next computation rebuilds them from the bars.
    void erase(std::string_view symbol, market::Timeframe timeframe);
    std::size_t size() const;

  private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<SeriesStates>> entries_;
};

}  // namespace gs::orchestrator
