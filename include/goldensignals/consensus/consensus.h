#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "goldensignals/agents/agent.h"

namespace gs::consensus {

enum class Strength : std::uint8_t { kWeak, kModerate, kStrong };
std::string_view to_string(Strength strength) noexcept;

// Weights and thresholds, read from a JSON file at start (config/consensus.json) so they
// can change without a rebuild. Defaults are TradingView's technical-rating bands.
struct Config {
    // Each category's share of the vote before it is split among its voting agents.
    std::array<double, agents::kCategoryCount> category_weights{1, 1, 1, 1, 1, 1};
    // Per-agent multipliers inside its category (default 1).
    std::map<std::string, double, std::less<>> agent_weights;
    double buy_threshold = 0.1;    // score >= this: BUY
    double sell_threshold = -0.1;  // score <= this: SELL
    double strong_threshold = 0.5;
    double moderate_threshold = 0.25;
    // "weighting": "adaptive": each agent's weight inside its category moves with its last calls
    // on the series (docs/backtest.md "Adaptive weighting"); the service's --weighting, when
    // given, overrides it. Static (false) by default.
    bool adaptive = false;

    double agent_weight(std::string_view name) const;
    // A stable fingerprint of the whole config, part of every signal's cache key.
    std::uint64_t fingerprint() const;
};

// Parses the JSON config; throws std::runtime_error with the offending key.
//   {"category_weights": {"trend": 1, ...}, "agent_weights": {"rsi": 1.5},
//    "thresholds": {"buy": 0.1, "sell": -0.1, "strong": 0.5, "moderate": 0.25},
//    "weighting": "static" | "adaptive"}
Config parse_config(std::string_view json_text);
Config load_config(const std::string& path);

struct CategorySummary {
    double score = 0.0;  // weighted mean of its voters' signed votes, 0 with no voters
    agents::Action action = agents::Action::kAbstain;  // ABSTAIN when no agent voted
    std::uint16_t voters = 0;
};

struct Votes {
    std::uint16_t buy = 0;
    std::uint16_t sell = 0;
    std::uint16_t hold = 0;
    std::uint16_t abstain = 0;
};

struct Consensus {
    agents::Action action = agents::Action::kHold;
    Strength strength = Strength::kWeak;
    double score = 0.0;       // in [-1, 1]
    double confidence = 0.0;  // in [0, 1]
    Votes votes;
    std::array<CategorySummary, agents::kCategoryCount> categories{};
};

// Weighted vote of the agents' results (results[i] belongs to defs[i]).
//  - signed vote s = +confidence (BUY), -confidence (SELL), 0 (HOLD); ABSTAIN left out.
//  - weight of an agent = category_weight[c] / (sum of category weights of categories with
//    voters) * agent_weight / (sum of agent weights of the voters in c).
//  - score = sum(w * s) / sum(w).
//  - action: BUY at score >= buy_threshold, SELL at <= sell_threshold, else HOLD.
//  - strength: strong at |score| >= 0.5, moderate at >= 0.25, else weak.
//  - confidence: BUY/SELL = agree * (0.5 + 0.5 * min(1, |score| / strong_threshold)),
//    where agree is the share of voting weight on the consensus side; HOLD = 0.5 * (share
//    of HOLD weight) + 0.5 * (1 - |score| / threshold), threshold being buy_threshold for a
//    positive lean and -sell_threshold for a negative one.
//  With no voters at all: HOLD, score 0, confidence 0.
//  `multipliers` (empty, or one per agent): agent i's agent_weight is multiplied by
//  multipliers[i] (adaptive weighting, docs/backtest.md); a category's share is unchanged.
Consensus build(std::span<const agents::AgentResult> results,
                std::span<const agents::AgentDef* const> defs, const Config& config,
                std::span<const double> multipliers = {});

}  // namespace gs::consensus
