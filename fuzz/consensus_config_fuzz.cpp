// The consensus config (config/consensus.json, read at start): parse_config, the text form of
// load_config, on any bytes.
//
// Checks: a refusal is a std::runtime_error (no nlohmann exception or crash gets out); an
// accepted config keeps the documented bounds (finite non-negative weights, sell in [-1, 0),
// buy in (0, 1], 0 < moderate <= strong <= 1), reads back identically from its own JSON, and
// gives consensus::build results inside its contract (score in [-1, 1], confidence in
// [0, 1], every vote counted) for votes of all the real agents.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_check.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/agents/registry.h"
#include "goldensignals/consensus/consensus.h"

namespace {

using namespace gs;

bool weight_ok(double w) {
    return std::isfinite(w) && w >= 0.0;
}

std::string to_json(const consensus::Config& config) {
    nlohmann::json doc;
    for (std::size_t c = 0; c < agents::kCategoryCount; ++c) {
        doc["category_weights"][std::string(agents::to_string(static_cast<agents::Category>(c)))] =
            config.category_weights[c];
    }
    doc["agent_weights"] = nlohmann::json::object();
    for (const auto& [name, weight] : config.agent_weights) {
        doc["agent_weights"][name] = weight;
    }
    doc["thresholds"] = {{"buy", config.buy_threshold},
                         {"sell", config.sell_threshold},
                         {"strong", config.strong_threshold},
                         {"moderate", config.moderate_threshold}};
    doc["weighting"] = config.adaptive ? "adaptive" : "static";
    return doc.dump();
}

// One vote per agent, varied by `seed` so the categories lean differently on each run.
void check_build(const consensus::Config& config, std::uint64_t seed) {
    const auto defs = agents::all_agents();
    std::vector<agents::AgentResult> results(defs.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        results[i].action = static_cast<agents::Action>((seed >> 33) % 4);
        results[i].confidence = static_cast<double>((seed >> 40) % 1001) / 1000.0;
    }
    const consensus::Consensus out = consensus::build(results, defs, config);
    GS_FUZZ_CHECK(std::isfinite(out.score) && out.score >= -1.0 && out.score <= 1.0);
    GS_FUZZ_CHECK(std::isfinite(out.confidence) && out.confidence >= 0.0 && out.confidence <= 1.0);
    GS_FUZZ_CHECK(static_cast<std::size_t>(out.votes.buy + out.votes.sell + out.votes.hold +
                                           out.votes.abstain) == results.size());
    for (const auto& category : out.categories) {
        GS_FUZZ_CHECK(std::isfinite(category.score));
    }
    if (out.action == agents::Action::kBuy) {
        GS_FUZZ_CHECK(out.score >= config.buy_threshold);
    } else if (out.action == agents::Action::kSell) {
        GS_FUZZ_CHECK(out.score <= config.sell_threshold);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    consensus::Config config;
    try {
        config = consensus::parse_config(text);
    } catch (const std::runtime_error& e) {
        GS_FUZZ_CHECK(std::string_view(e.what()).size() > 0);
        return 0;
    }
    for (double w : config.category_weights) {
        GS_FUZZ_CHECK(weight_ok(w));
    }
    for (const auto& [name, w] : config.agent_weights) {
        GS_FUZZ_CHECK(weight_ok(w));
    }
    GS_FUZZ_CHECK(config.buy_threshold > 0.0 && config.buy_threshold <= 1.0);
    GS_FUZZ_CHECK(config.sell_threshold >= -1.0 && config.sell_threshold < 0.0);
    GS_FUZZ_CHECK(config.moderate_threshold > 0.0 &&
                  config.moderate_threshold <= config.strong_threshold &&
                  config.strong_threshold <= 1.0);

    const consensus::Config again = consensus::parse_config(to_json(config));
    GS_FUZZ_CHECK(again.fingerprint() == config.fingerprint());
    GS_FUZZ_CHECK(again.category_weights == config.category_weights);
    GS_FUZZ_CHECK(again.agent_weights == config.agent_weights);

    std::uint64_t seed = 1469598103934665603ull;
    for (std::size_t i = 0; i < size; ++i) {
        seed = (seed ^ data[i]) * 1099511628211ull;
    }
    for (int round = 0; round < 4; ++round) {
        check_build(config, seed + static_cast<std::uint64_t>(round));
    }
    return 0;
}
