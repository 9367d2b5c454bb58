#include "goldensignals/store/compact_history.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "goldensignals/market/time_format.h"

namespace gs::store {

namespace {

constexpr unsigned char kFormat = 1;
constexpr unsigned char kExplicitScore = 0x80;
constexpr std::array<const char*, 4> kActions = {"BUY", "SELL", "HOLD", "ABSTAIN"};
constexpr std::array<const char*, 3> kStrengths = {"weak", "moderate", "strong"};
// agents::Category order, the order gs_compact_signal packs the categories in.
constexpr std::array<const char*, 6> kCategories = {"trend",  "momentum", "volatility",
                                                    "volume", "pattern",  "statistical"};
// Format byte, 4 votes of 2 bytes, then per category action (1), voters (2), score (2).
constexpr std::size_t kSummarySize = 1 + 4 * 2 + kCategories.size() * 5;
// gs_fixed4: value x 10000 as int2; this one stands for null.
constexpr std::int16_t kFixedNull = -32768;

using Json = nlohmann::ordered_json;

std::uint8_t byte_at(const std::string& bytes, std::size_t at) {
    return static_cast<std::uint8_t>(bytes[at]);
}

std::uint16_t u16_at(const std::string& bytes, std::size_t at) {
    return static_cast<std::uint16_t>(byte_at(bytes, at) << 8 | byte_at(bytes, at + 1));
}

// gs_fixed4: 4 decimal places; NaN for null. q / 10000.0 is the double nearest the 4-place
// decimal, so it prints as that decimal (0.7312, not 0.73119999...).
double fixed4_at(const std::string& bytes, std::size_t at) {
    const auto q = static_cast<std::int16_t>(u16_at(bytes, at));
    return q == kFixedNull ? std::nan("") : q / 10000.0;
}

Json number(double value) {
    if (!std::isfinite(value)) {
        return nullptr;
    }
    return value;
}

const char* action_name(int code) {
    return code >= 0 && code < static_cast<int>(kActions.size()) ? kActions[code] : "ABSTAIN";
}

const char* strength_name(int code) {
    return code >= 0 && code < static_cast<int>(kStrengths.size()) ? kStrengths[code] : "weak";
}

// Adds "votes" and "categories" from the summary column; nothing when it does not decode
// (a row written without them).
void add_summary(Json& body, const std::string& bytes) {
    if (bytes.size() != kSummarySize || byte_at(bytes, 0) != kFormat) {
        return;
    }
    body["votes"] = Json{{"buy", u16_at(bytes, 1)},
                         {"sell", u16_at(bytes, 3)},
                         {"hold", u16_at(bytes, 5)},
                         {"abstain", u16_at(bytes, 7)}};
    Json categories = Json::object();
    for (std::size_t c = 0; c < kCategories.size(); ++c) {
        const std::size_t at = 9 + c * 5;
        categories[kCategories[c]] = Json{{"score", number(fixed4_at(bytes, at + 3))},
                                          {"action", action_name(byte_at(bytes, at))},
                                          {"voters", u16_at(bytes, at + 1)}};
    }
    body["categories"] = std::move(categories);
}

void put_u16(std::string& out, std::uint16_t value) {
    out.push_back(static_cast<char>(value >> 8));
    out.push_back(static_cast<char>(value & 0xff));
}

// gs_fixed4: round half to even (rint, as PostgreSQL rounds a float8), clamped; a value that is
// not finite is what the JSON would carry as null.
void put_fixed4(std::string& out, double value) {
    std::int16_t q = kFixedNull;
    if (std::isfinite(value)) {
        q = static_cast<std::int16_t>(std::clamp(std::nearbyint(value * 10000), -32767.0, 32767.0));
    }
    put_u16(out, static_cast<std::uint16_t>(q));
}

// As gs_compact_signal decides it: a score the action implies is not stored.
bool score_is_implied(const PackedVote& vote) {
    switch (vote.action) {
        case 0:
            return vote.score == vote.confidence;
        case 1:
            return vote.score == -vote.confidence;
        default:
            return vote.score == 0.0;
    }
}

}  // namespace

std::string pack_summary(const std::array<std::uint16_t, 4>& votes,
                         std::span<const PackedCategory, 6> categories) {
    std::string out;
    out.reserve(kSummarySize);
    out.push_back(static_cast<char>(kFormat));
    for (std::uint16_t count : votes) {
        put_u16(out, count);
    }
    for (const auto& category : categories) {
        out.push_back(static_cast<char>(category.action & 0x03));
        put_u16(out, category.voters);
        put_fixed4(out, category.score);
    }
    return out;
}

std::string pack_agents(std::span<const PackedVote> votes) {
    std::string out;
    out.reserve(1 + 5 * votes.size());
    out.push_back(static_cast<char>(kFormat));
    for (const auto& vote : votes) {
        const unsigned flag = score_is_implied(vote) ? 0 : kExplicitScore;
        out.push_back(static_cast<char>((vote.action & 0x03) | flag));
    }
    for (const auto& vote : votes) {
        put_fixed4(out, vote.confidence);
    }
    for (const auto& vote : votes) {
        if (!score_is_implied(vote)) {
            put_fixed4(out, vote.score);
        }
    }
    return out;
}

std::optional<std::vector<StoredVote>> decode_agent_votes(const std::string& bytes,
                                                          const AgentRegistry& registry,
                                                          std::string& error) {
    const std::size_t n = registry.agents.size();
    if (bytes.empty() || byte_at(bytes, 0) != kFormat) {
        error = "agents stored in an unknown format";
        return std::nullopt;
    }
    if (registry.categories.size() != n || bytes.size() < 1 + 3 * n) {
        error = fmt::format("agents do not match registry {} ({} agents)", registry.id, n);
        return std::nullopt;
    }
    std::size_t explicit_scores = 0;
    for (std::size_t i = 0; i < n; ++i) {
        explicit_scores += (byte_at(bytes, 1 + i) & kExplicitScore) != 0;
    }
    if (bytes.size() != 1 + 3 * n + 2 * explicit_scores) {
        error = fmt::format("agents do not match registry {} ({} agents)", registry.id, n);
        return std::nullopt;
    }
    std::vector<StoredVote> votes(n);
    std::size_t next_score = 1 + 3 * n;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t code = byte_at(bytes, 1 + i);
        auto& vote = votes[i];
        vote.action = code & 0x03;
        vote.confidence = fixed4_at(bytes, 1 + n + 2 * i);
        if ((code & kExplicitScore) != 0) {
            vote.score = fixed4_at(bytes, next_score);
            next_score += 2;
        } else if (vote.action == 0) {
            vote.score = vote.confidence;
        } else if (vote.action == 1) {
            vote.score = -vote.confidence;
        } else {
            vote.score = 0.0;
        }
    }
    return votes;
}

std::string history_json(const std::string& symbol, market::Timeframe timeframe,
                         const StoredSignal& row, const AgentRegistry* registry) {
    // Keys in orchestrator::to_json's order.
    Json body = {
        {"symbol", symbol},
        {"timeframe", market::to_string(timeframe)},
        {"as_of", market::format_iso8601(row.as_of)},
        {"action", action_name(row.action)},
        {"strength", strength_name(row.strength)},
        {"score", number(row.score)},
        {"confidence", number(row.confidence)},
    };
    if (row.summary) {
        add_summary(body, *row.summary);
    }
    if (row.bars_used) {
        body["bars_used"] = *row.bars_used;
    }
    if (row.agents && row.registry_id) {
        std::string error;
        std::optional<std::vector<StoredVote>> votes;
        if (registry == nullptr) {
            error = fmt::format("agents stored under registry {}, which this database lacks",
                                *row.registry_id);
        } else {
            votes = decode_agent_votes(*row.agents, *registry, error);
        }
        if (votes) {
            Json list = Json::array();
            for (std::size_t i = 0; i < votes->size(); ++i) {
                const auto& vote = (*votes)[i];
                list.push_back(Json{{"name", registry->agents[i]},
                                    {"category", registry->categories[i]},
                                    {"action", action_name(vote.action)},
                                    {"confidence", number(vote.confidence)},
                                    {"score", number(vote.score)}});
            }
            body["agents"] = std::move(list);
        } else {
            body["agents_error"] = error;
        }
    }
    if (row.computed_at) {
        body["computed_at"] = market::format_iso8601(*row.computed_at);
    }
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace gs::store
