#pragma once

// The signal history's compact row (sql/0002_compact_history.sql) and the JSON the history API
// rebuilds from it (docs/http.md, history format 2). The encoder is the SQL function
// gs_compact_signal, shared by the write path and the migration; this is the decoder.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
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

// The agents a signal lists, in order: a registry as the writer knows it, before it has an id.
struct AgentList {
    std::vector<std::string> agents;
    std::vector<std::string> categories;
};

// A signal packed by the service, so the write path parses no JSON: the same bytes
// gs_compact_signal makes from the signal's JSON (tests/integration/signal_history_test.cpp
// compares them).
struct PackedSignal {
    std::int64_t computed_at = 0;  // epoch seconds
    std::int64_t bars_used = 0;
    std::string summary;
    std::string agents;
    std::shared_ptr<const AgentList> registry;  // one per agent set, shared by its signals
};

struct PackedVote {
    int action = 3;  // agents::Action code
    double confidence = 0.0;
    double score = 0.0;
};

struct PackedCategory {
    int action = 3;
    std::uint16_t voters = 0;
    double score = 0.0;
};

// The summary column: votes buy, sell, hold, abstain; categories in agents::Category order.
std::string pack_summary(const std::array<std::uint16_t, 4>& votes,
                         std::span<const PackedCategory, 6> categories);
// The agents column, votes in registry order.
std::string pack_agents(std::span<const PackedVote> votes);

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
