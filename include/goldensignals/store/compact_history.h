#pragma once

// The signal history's compact row (sql/0002_compact_history.sql) and the JSON the history API
// rebuilds from it (docs/http.md, history format 2). The encoder is the SQL function
// gs_compact_signal, shared by the write path and the migration; this is the decoder.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "goldensignals/market/timeframe.h"

namespace gs::store {

// The format of the history rows the API serves (the "history_format" of the response).
inline constexpr int kHistoryFormat = 2;

// One row of agent_registries: the agents' names and categories in the order a signal
// lists them.
struct AgentRegistry {
    std::int32_t id = 0;
    std::vector<std::string> agents;
    std::vector<std::string> categories;
};

// A history row's columns as stored.
struct StoredSignal {
    std::int64_t as_of = 0;  // epoch seconds
    std::optional<std::int64_t> computed_at;
    int action = 0;    // agents::Action code: BUY 0, SELL 1, HOLD 2
    int strength = 0;  // consensus::Strength code: weak 0, moderate 1, strong 2
    double score = 0.0;
    double confidence = 0.0;
    std::optional<std::int64_t> bars_used;
    std::optional<std::int32_t> registry_id;
    std::optional<std::string> summary;  // raw bytes
    std::optional<std::string> agents;   // raw bytes
};

// One agent's vote as decoded from a row: confidence and score in 4 decimal places (NaN for
// a null).
struct StoredVote {
    int action = 3;  // agents::Action code
    double confidence = 0.0;
    double score = 0.0;
};

// Decodes the agents column against the registry it names. nullopt, with `error` set, when
// the bytes do not fit the registry (wrong registry, truncated or unknown format).
std::optional<std::vector<StoredVote>> decode_agent_votes(const std::string& bytes,
                                                          const AgentRegistry& registry,
                                                          std::string& error);

// The row's JSON in the history API's shape (format 2): the signal's JSON as
// orchestrator::to_json writes it, with each agent's name, category, action, confidence and
// score but no reason or indicator values. A part the row lacks is left out; when the agents
// cannot be decoded (`registry` null: the row names a registry the database does not hold) the
// row carries "agents_error" instead of "agents".
std::string history_json(const std::string& symbol, market::Timeframe timeframe,
                         const StoredSignal& row, const AgentRegistry* registry);

}  // namespace gs::store
