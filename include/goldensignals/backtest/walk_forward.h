#pragma once

// The walk-forward run of a backtest (issue 13): the streaming engine fed the bars one at a
// time, oldest first, and after each bar the agents and the consensus evaluated exactly as the
// live service evaluates a new bar (agents::AgentStates, orchestrator::run_agents,
// consensus::build). The verdict at bar t is computed before bar t + 1 is seen, so nothing of
// the future reaches it; O(1) per bar for the streaming agents.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "goldensignals/agents/agent.h"
#include "goldensignals/backtest/adaptive.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/market/bars_view.h"

namespace gs::backtest {

// One column of verdicts over the bars: an agent's, a category's or the consensus'.
// `score` is the signed score (BUY +confidence, SELL -confidence, HOLD the lean; 0 for ABSTAIN).
struct Track {
    std::vector<agents::Action> action;
    std::vector<double> score;
};

// Every verdict at every bar, bar t at index t.
struct Trace {
    Track consensus;
    std::vector<std::uint16_t> voters;  // agents that did not abstain, per bar
    std::vector<Track> agents;          // agents[i] belongs to defs[i]
    std::vector<Track> categories;      // by agents::Category
    // With adaptive weighting (walk_forward's `adaptive`): the consensus and the categories
    // with each agent's weight scaled by its multiplier at that bar (docs/backtest.md
    // "Adaptive weighting"); empty otherwise. The tracks above stay the static ones.
    Track adaptive_consensus;
    std::vector<Track> adaptive_categories;
};

// The verdicts after each of the bars [0, bars.size()), each from the bars up to it only.
// `adaptive`: also the adaptive consensus, from AdaptiveWeights fed the same bars.
Trace walk_forward(std::span<const agents::AgentDef* const> defs, const consensus::Config& config,
                   const market::BarsView& bars, const AdaptiveOptions* adaptive = nullptr);

}  // namespace gs::backtest
