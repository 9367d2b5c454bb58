#include "goldensignals/backtest/walk_forward.h"

#include <optional>

#include "goldensignals/agents/agent_states.h"
#include "goldensignals/orchestrator/orchestrator.h"

namespace gs::backtest {

namespace {

void reserve(Track& track, std::size_t n) {
    track.action.reserve(n);
    track.score.reserve(n);
}

}  // namespace

Trace walk_forward(std::span<const agents::AgentDef* const> defs, const consensus::Config& config,
                   const market::BarsView& bars, const AdaptiveOptions* adaptive) {
    const std::size_t n = bars.size();
    Trace trace;
    trace.agents.resize(defs.size());
    trace.categories.resize(agents::kCategoryCount);
    reserve(trace.consensus, n);
    trace.voters.reserve(n);
    for (auto& track : trace.agents) {
        reserve(track, n);
    }
    for (auto& track : trace.categories) {
        reserve(track, n);
    }
    std::optional<AdaptiveWeights> weights;
    if (adaptive != nullptr) {
        weights.emplace(defs.size(), *adaptive);
        reserve(trace.adaptive_consensus, n);
        trace.adaptive_categories.resize(agents::kCategoryCount);
        for (auto& track : trace.adaptive_categories) {
            reserve(track, n);
        }
    }
    agents::AgentStates states(defs);
    agents::Workspace workspace;
    std::vector<agents::AgentResult> results(defs.size());
    for (std::size_t t = 0; t < n; ++t) {
        states.update(market::Bar{bars.time[t], bars.open[t], bars.high[t], bars.low[t],
                                  bars.close[t], bars.volume[t]});
        // An agent without a streaming form reads the bars held, which end at t.
        const market::BarsView held{bars.time.first(t + 1),  bars.open.first(t + 1),
                                    bars.high.first(t + 1),  bars.low.first(t + 1),
                                    bars.close.first(t + 1), bars.volume.first(t + 1)};
        orchestrator::run_agents(defs, states, held, results, workspace);
        const consensus::Consensus c = consensus::build(results, defs, config);
        trace.consensus.action.push_back(c.action);
        trace.consensus.score.push_back(c.score);
        trace.voters.push_back(
            static_cast<std::uint16_t>(c.votes.buy + c.votes.sell + c.votes.hold));
        for (std::size_t i = 0; i < defs.size(); ++i) {
            trace.agents[i].action.push_back(results[i].action);
            trace.agents[i].score.push_back(
                results[i].action == agents::Action::kAbstain ? 0.0 : results[i].score);
        }
        for (std::size_t k = 0; k < agents::kCategoryCount; ++k) {
            trace.categories[k].action.push_back(c.categories[k].action);
            trace.categories[k].score.push_back(c.categories[k].score);
        }
        if (weights) {
            // Bar t's close judges the calls of bar t - horizon, then weighs bar t's verdicts.
            weights->on_bar(bars.close[t]);
            const consensus::Consensus a =
                consensus::build(results, defs, config, weights->multipliers());
            weights->on_verdicts(results);
            trace.adaptive_consensus.action.push_back(a.action);
            trace.adaptive_consensus.score.push_back(a.score);
            for (std::size_t k = 0; k < agents::kCategoryCount; ++k) {
                trace.adaptive_categories[k].action.push_back(a.categories[k].action);
                trace.adaptive_categories[k].score.push_back(a.categories[k].score);
            }
        }
    }
    return trace;
}

}  // namespace gs::backtest
