#include "goldensignals/consensus/consensus.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace gs::consensus {

using agents::Action;

std::string_view to_string(Strength strength) noexcept {
    switch (strength) {
        case Strength::kWeak:
            return "weak";
        case Strength::kModerate:
            return "moderate";
        case Strength::kStrong:
            return "strong";
    }
    return "weak";
}

double Config::agent_weight(std::string_view name) const {
    auto it = agent_weights.find(name);
    return it == agent_weights.end() ? 1.0 : it->second;
}

std::uint64_t Config::fingerprint() const {
    // FNV-1a over a canonical text of every setting.
    std::ostringstream text;
    text.precision(17);
    for (double w : category_weights) {
        text << w << ';';
    }
    for (const auto& [name, w] : agent_weights) {
        text << name << '=' << w << ';';
    }
    text << buy_threshold << ';' << sell_threshold << ';' << strong_threshold << ';'
         << moderate_threshold;
    if (adaptive) {
        text << ";adaptive";  // appended only then: static configs keep the keys they had
    }
    std::uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : text.str()) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

namespace {

double number_at(const nlohmann::json& object, const char* key, double fallback,
                 const std::string& where) {
    auto it = object.find(key);
    if (it == object.end()) {
        return fallback;
    }
    if (!it->is_number() || !std::isfinite(it->get<double>())) {
        throw std::runtime_error(where + "." + key + " must be a finite number");
    }
    return it->get<double>();
}

}  // namespace

Config parse_config(std::string_view json_text) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, true, true);
    } catch (const nlohmann::json::exception& e) {
        // Not only parse_error: a number too large for a double ("2e308") is out_of_range.
        throw std::runtime_error(std::string("consensus config is not valid JSON: ") + e.what());
    }
    if (!doc.is_object()) {
        throw std::runtime_error("consensus config must be a JSON object");
    }
    Config config;
    if (auto it = doc.find("category_weights"); it != doc.end()) {
        if (!it->is_object()) {
            throw std::runtime_error("category_weights must be an object");
        }
        for (const auto& [name, value] : it->items()) {
            std::size_t index = agents::kCategoryCount;
            for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
                if (agents::to_string(static_cast<agents::Category>(c)) == name) {
                    index = c;
                }
            }
            if (index == agents::kCategoryCount) {
                throw std::runtime_error("category_weights." + name + " is not a category");
            }
            if (!value.is_number() || value.get<double>() < 0.0 ||
                !std::isfinite(value.get<double>())) {
                throw std::runtime_error("category_weights." + name +
                                         " must be a non-negative number");
            }
            config.category_weights[index] = value.get<double>();
        }
    }
    if (auto it = doc.find("agent_weights"); it != doc.end()) {
        if (!it->is_object()) {
            throw std::runtime_error("agent_weights must be an object");
        }
        for (const auto& [name, value] : it->items()) {
            if (!value.is_number() || value.get<double>() < 0.0 ||
                !std::isfinite(value.get<double>())) {
                throw std::runtime_error("agent_weights." + name +
                                         " must be a non-negative number");
            }
            config.agent_weights[name] = value.get<double>();
        }
    }
    if (auto it = doc.find("thresholds"); it != doc.end()) {
        if (!it->is_object()) {
            throw std::runtime_error("thresholds must be an object");
        }
        config.buy_threshold = number_at(*it, "buy", config.buy_threshold, "thresholds");
        config.sell_threshold = number_at(*it, "sell", config.sell_threshold, "thresholds");
        config.strong_threshold = number_at(*it, "strong", config.strong_threshold, "thresholds");
        config.moderate_threshold =
            number_at(*it, "moderate", config.moderate_threshold, "thresholds");
    }
    if (auto it = doc.find("weighting"); it != doc.end()) {
        if (!it->is_string() || (*it != "static" && *it != "adaptive")) {
            throw std::runtime_error("weighting must be \"static\" or \"adaptive\"");
        }
        config.adaptive = *it == "adaptive";
    }
    if (!(config.buy_threshold > 0.0 && config.buy_threshold <= 1.0) ||
        !(config.sell_threshold < 0.0 && config.sell_threshold >= -1.0)) {
        throw std::runtime_error("thresholds.buy must be in (0, 1] and thresholds.sell in [-1, 0)");
    }
    if (!(config.moderate_threshold > 0.0 && config.moderate_threshold <= config.strong_threshold &&
          config.strong_threshold <= 1.0)) {
        throw std::runtime_error("thresholds must satisfy 0 < moderate <= strong <= 1");
    }
    return config;
}

Config load_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot read consensus config " + path);
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parse_config(buffer.str());
}

Consensus build(std::span<const agents::AgentResult> results,
                std::span<const agents::AgentDef* const> defs, const Config& config,
                std::span<const double> multipliers) {
    Consensus out;
    constexpr std::size_t kC = agents::kCategoryCount;
    std::array<double, kC> agent_weight_sum{};
    // Without per-agent weights (the default) every weight is 1: no map lookup per agent.
    const bool uniform = config.agent_weights.empty() && multipliers.empty();
    // Only the general path asks: with uniform weights every weight is 1 (see below).
    auto weight_of = [&](std::size_t i) {
        const double base = config.agent_weights.empty() ? 1.0 : config.agent_weight(defs[i]->name);
        return i < multipliers.size() ? base * multipliers[i] : base;
    };
    // Counted without a branch on the action: the agents' actions change from bar to bar and
    // a mispredicted branch per agent was most of this function's cost on a new bar.
    std::array<std::uint16_t, 4> by_action{};  // indexed by Action
    std::array<std::uint16_t, kC> voters{};
    for (std::size_t i = 0; i < results.size(); ++i) {
        const Action action = results[i].action;
        const auto c = static_cast<std::size_t>(defs[i]->category);
        ++by_action[static_cast<std::size_t>(action)];
        voters[c] = static_cast<std::uint16_t>(voters[c] + (action != Action::kAbstain));
    }
    if (!uniform) {
        for (std::size_t i = 0; i < results.size(); ++i) {
            if (results[i].action != Action::kAbstain) {
                agent_weight_sum[static_cast<std::size_t>(defs[i]->category)] += weight_of(i);
            }
        }
    }
    out.votes = {by_action[static_cast<std::size_t>(Action::kBuy)],
                 by_action[static_cast<std::size_t>(Action::kSell)],
                 by_action[static_cast<std::size_t>(Action::kHold)],
                 by_action[static_cast<std::size_t>(Action::kAbstain)]};
    for (std::size_t c = 0; c < kC; ++c) {
        out.categories[c].voters = voters[c];
        if (uniform) {
            // n weights of 1 add up to n exactly: the count, without a chain of additions
            // through memory on every new bar.
            agent_weight_sum[c] = voters[c];
        }
    }
    double category_total = 0.0;
    for (std::size_t c = 0; c < kC; ++c) {
        if (agent_weight_sum[c] > 0.0) {
            category_total += config.category_weights[c];
        }
    }
    if (category_total <= 0.0) {
        out.action = Action::kHold;
        return out;
    }

    // With uniform weights an agent's share and weight depend only on its category: two
    // divisions per category instead of per agent (runs on every new bar), the same operations
    // in the same order, so the same bits.
    std::array<double, kC> uniform_share{};
    std::array<double, kC> uniform_weight{};
    if (uniform) {
        for (std::size_t c = 0; c < kC; ++c) {
            if (agent_weight_sum[c] > 0.0) {
                uniform_share[c] = 1.0 / agent_weight_sum[c];
                uniform_weight[c] = config.category_weights[c] / category_total * uniform_share[c];
            }
        }
    }
    double weighted = 0.0;
    double weight_total = 0.0;
    double buy_weight = 0.0;
    double sell_weight = 0.0;
    double hold_weight = 0.0;
    std::array<double, kC> category_score{};
    // The running category score is kept in a register while the agents' category stays the
    // same (the registry lists them by category), and swapped through the array when it
    // changes: the same additions in the same order as accumulating in the array.
    std::size_t open_category = 0;
    double open_score = 0.0;
    auto switch_category = [&](std::size_t c) {
        if (c != open_category) {
            category_score[open_category] = open_score;
            open_category = c;
            open_score = category_score[c];
        }
    };
    if (uniform) {
        // No branch on the action either (see above): an abstaining agent adds +0 to each sum,
        // which leaves every sum as it was (none of them can be -0: each starts at +0, and a
        // sum of terms that returns to zero rounds to +0), and +/-1 or 0 times the confidence
        // is the signed vote exactly. Same bits as the branching form below.
        constexpr std::array<double, 4> kSign = {1.0, -1.0, 0.0, 0.0};  // indexed by Action
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            const auto a = static_cast<std::size_t>(r.action);
            const auto c = static_cast<std::size_t>(defs[i]->category);
            switch_category(c);
            const double vote = r.action != Action::kAbstain ? 1.0 : 0.0;
            const double w = uniform_weight[c] * vote;
            const double s = kSign[a] * r.confidence;
            weighted += w * s;
            weight_total += w;
            open_score += uniform_share[c] * vote * s;
            buy_weight += r.action == Action::kBuy ? w : 0.0;
            sell_weight += r.action == Action::kSell ? w : 0.0;
            hold_weight += r.action == Action::kHold ? w : 0.0;
        }
    } else {
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            if (r.action == Action::kAbstain) {
                continue;
            }
            const auto c = static_cast<std::size_t>(defs[i]->category);
            if (agent_weight_sum[c] <= 0.0) {
                continue;
            }
            switch_category(c);
            const double share = weight_of(i) / agent_weight_sum[c];
            const double w = config.category_weights[c] / category_total * share;
            const double s = r.action == Action::kBuy    ? r.confidence
                             : r.action == Action::kSell ? -r.confidence
                                                         : 0.0;
            weighted += w * s;
            weight_total += w;
            open_score += share * s;
            (r.action == Action::kBuy ? buy_weight
                                      : (r.action == Action::kSell ? sell_weight : hold_weight)) +=
                w;
        }
    }
    category_score[open_category] = open_score;
    for (std::size_t c = 0; c < kC; ++c) {
        auto& summary = out.categories[c];
        if (agent_weight_sum[c] <= 0.0) {
            summary.action = Action::kAbstain;
            continue;
        }
        summary.score = category_score[c];
        summary.action = summary.score >= config.buy_threshold    ? Action::kBuy
                         : summary.score <= config.sell_threshold ? Action::kSell
                                                                  : Action::kHold;
    }
    if (weight_total <= 0.0) {
        out.action = Action::kHold;
        return out;
    }
    out.score = std::clamp(weighted / weight_total, -1.0, 1.0);
    const double magnitude = std::abs(out.score);
    out.strength = magnitude >= config.strong_threshold     ? Strength::kStrong
                   : magnitude >= config.moderate_threshold ? Strength::kModerate
                                                            : Strength::kWeak;
    if (out.score >= config.buy_threshold) {
        out.action = Action::kBuy;
        const double agree = buy_weight / weight_total;
        out.confidence = agree * (0.5 + 0.5 * std::min(1.0, magnitude / config.strong_threshold));
    } else if (out.score <= config.sell_threshold) {
        out.action = Action::kSell;
        const double agree = sell_weight / weight_total;
        out.confidence = agree * (0.5 + 0.5 * std::min(1.0, magnitude / config.strong_threshold));
    } else {
        out.action = Action::kHold;
        const double agree = hold_weight / weight_total;
        const double band = out.score >= 0.0 ? config.buy_threshold : -config.sell_threshold;
        out.confidence = 0.5 * agree + 0.5 * std::max(0.0, 1.0 - magnitude / band);
    }
    out.confidence = std::clamp(out.confidence, 0.0, 1.0);
    return out;
}

}  // namespace gs::consensus
