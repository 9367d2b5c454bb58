#include <cmath>

#include <nlohmann/json.hpp>

#include "goldensignals/market/time_format.h"
#include "goldensignals/orchestrator/signal.h"

namespace gs::orchestrator {
namespace {

// Not rounded: nlohmann writes the shortest text that reads back as the same double, so a
// value near zero (MACD of a coin priced at 0.00001) keeps every digit. NaN and infinities
// become null.
nlohmann::json number(double x) {
    if (!std::isfinite(x)) {
        return nullptr;
    }
    return x;
}

}  // namespace

std::string to_json(const Signal& signal, bool with_agents) {
    const auto& c = signal.consensus;
    nlohmann::json categories = nlohmann::json::object();
    for (std::size_t i = 0; i < agents::kCategoryCount; ++i) {
        const auto& summary = c.categories[i];
        categories[std::string(agents::to_string(static_cast<agents::Category>(i)))] = {
            {"score", number(summary.score)},
            {"action", agents::to_string(summary.action)},
            {"voters", summary.voters}};
    }
    nlohmann::json body = {
        {"symbol", signal.symbol},
        {"timeframe", market::to_string(signal.timeframe)},
        {"as_of", market::format_iso8601(signal.as_of)},
        {"action", agents::to_string(c.action)},
        {"strength", consensus::to_string(c.strength)},
        {"score", number(c.score)},
        {"confidence", number(c.confidence)},
        {"votes",
         {{"buy", c.votes.buy},
          {"sell", c.votes.sell},
          {"hold", c.votes.hold},
          {"abstain", c.votes.abstain}}},
        {"categories", std::move(categories)},
        {"bars_used", signal.bars_used},
    };
    if (with_agents) {
        nlohmann::json list = nlohmann::json::array();
        for (std::size_t i = 0; i < signal.agents.size(); ++i) {
            const auto& r = signal.agents[i];
            nlohmann::json indicators = nlohmann::json::object();
            for (const auto& v : r.values()) {
                indicators[std::string(v.key)] = number(v.value);
            }
            list.push_back({{"name", signal.defs[i]->name},
                            {"category", agents::to_string(signal.defs[i]->category)},
                            {"action", agents::to_string(r.action)},
                            {"confidence", number(r.confidence)},
                            {"score", number(r.score)},
                            {"reason", r.reason.str()},
                            {"indicators", std::move(indicators)}});
        }
        body["agents"] = std::move(list);
    }
    body["computed_at"] = market::format_iso8601(signal.computed_at);
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace gs::orchestrator
