#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/agents/agent.h"
#include "goldensignals/consensus/consensus.h"
#include "goldensignals/market/timeframe.h"

namespace gs::orchestrator {

// A consensus signal and the agent results behind it. Immutable once built.
struct Signal {
    std::string symbol;
    market::Timeframe timeframe = market::kDefaultTimeframe;
    std::int64_t as_of = 0;        // time of the newest bar used
    std::int64_t computed_at = 0;  // epoch seconds
    std::size_t bars_used = 0;
    consensus::Consensus consensus;
    std::vector<const agents::AgentDef*> defs;  // defs[i] made agents[i]
    std::vector<agents::AgentResult> agents;
};

// The API's JSON for a signal: {"symbol", "timeframe", "as_of", "action", "strength",
// "score", "confidence", "votes", "categories", "agents" (when with_agents), "computed_at"}.
// Keys are in byte order at every level (as nlohmann's json wrote them); see signal_json.cpp.
std::string to_json(const Signal& signal, bool with_agents);

// Both bodies, written in one pass: `full` is to_json(signal, true), `summary` is
// to_json(signal, false).
struct SignalJson {
    std::string full;
    std::string summary;
};
SignalJson to_json_bodies(const Signal& signal);

// The full body of a signal a tier kept as its summary alone, from a recompute of the same
// bars: `summary` with `signal`'s agent list spliced in where to_json writes it (after
// "action"), so the body keeps the summary's computed_at and consensus, the ones every other
// reader saw. `signal`'s own full body when `summary` is not a summary to_json wrote.
std::string full_json_with_summary(const Signal& signal, std::string_view summary);

}  // namespace gs::orchestrator
