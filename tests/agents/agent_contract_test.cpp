// What every agent in the registry owes, whatever its category: a confidence in [0, 1] on any
// data (the result builders no longer clamp, so a formula that leaves the range fails here),
// a min_bars that is exactly the bars it needs, and parameters that are a JSON object.
#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agents/agent_test_util.h"
#include "goldensignals/agents/registry.h"

namespace gs::agents {
namespace {

using flow_agent_test::Bars;
using flow_agent_test::load_bars;
using flow_agent_test::random_bars;

// The last `n` bars of `b` (a suffix: the agents read the latest bar).
market::BarsView tail(const Bars& b, std::size_t n) {
    return b.view().last(n);
}

// The first `n` bars of `b`: the view an agent had when bar n - 1 was the latest.
market::BarsView prefix(const Bars& b, std::size_t n) {
    const auto v = b.view();
    return {v.time.first(n), v.open.first(n),  v.high.first(n),
            v.low.first(n),  v.close.first(n), v.volume.first(n)};
}

::testing::AssertionResult in_range(const AgentResult& r) {
    if (r.action == Action::kAbstain) {
        return ::testing::AssertionSuccess();
    }
    if (!std::isfinite(r.confidence) || r.confidence < 0.0 || r.confidence > 1.0) {
        return ::testing::AssertionFailure() << "confidence " << r.confidence << " ("
                                             << to_string(r.action) << ": " << r.reason << ")";
    }
    if (!std::isfinite(r.score) || r.score < -1.0 || r.score > 1.0) {
        return ::testing::AssertionFailure()
               << "score " << r.score << " (" << to_string(r.action) << ": " << r.reason << ")";
    }
    return ::testing::AssertionSuccess();
}

// Every agent on every prefix (from min_bars) of `bars`; reports the first failures only.
void expect_confidence_in_range(const Bars& bars, const std::string& what) {
    Workspace ws;
    for (const AgentDef* def : all_agents()) {
        int failures = 0;
        for (std::size_t n = def->min_bars; n <= bars.size() && failures < 3; ++n) {
            ws.reset();
            const auto view = prefix(bars, n);
            const AgentResult r = def->evaluate(view, ws);
            const auto ok = in_range(r);
            if (!ok) {
                ++failures;
                ADD_FAILURE() << def->name << " on " << what << " at bar " << n - 1 << ": "
                              << ok.message();
            }
        }
    }
}

TEST(AgentContractTest, ConfidenceInRangeOnReferenceAndDemoData) {
    for (const std::string name :
         {"finance", "random_walk", "finance_scaled_1e-6", "random_walk_scaled_1e6"}) {
        expect_confidence_in_range(load_bars(name), name);
    }
    for (const std::string name : {"DEMO", "SIMWALK"}) {
        expect_confidence_in_range(load_bars(std::string(GS_SOURCE_DIR) + "/data/demo/" + name),
                                   name);
    }
}

TEST(AgentContractTest, ConfidenceInRangeOnRandomSeries) {
    const double scales[] = {1e-5, 1.0, 100.0, 1e6};
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        const double scale = scales[seed % 4];
        expect_confidence_in_range(random_bars(seed, 700, scale),
                                   "random seed " + std::to_string(seed));
    }
}

// Bars the rule reads beyond its indicators' warm-up (min_bars = the bars for a value on the
// latest bar + these), by agent; every other agent needs exactly its indicators' bars.
std::size_t rule_extra_bars(std::string_view name) {
    static const std::map<std::string_view, std::size_t> kExtra = {
        {"ichimoku", 26},            // the cloud over the latest bar: displacement 26
        {"kama", 5},                 // slope over slope_bars 5
        {"t3_trend", 1},             // slope from the previous bar
        {"stochastic", 3},           // %D on the cross_window 3 bars before
        {"roc", 49},                 // 50 ROC values for their spread
        {"momentum", 4},             // the ATR 14 (not a served series) needs 15 bars
        {"ppo", 10},                 // the signal over fresh_window 10
        {"rsi_divergence", 19},      // 20 RSI values in the window
        {"awesome_oscillator", 10},  // AO over fresh_window 10
        {"bollinger_squeeze", 3},    // the squeeze on release_window 3 bars before
        {"atr_expansion", 49},       // 50 NATR values for their mean
        {"obv", 1},                  // the SMA's slope from the previous bar
        {"ad_line", 10},             // the A/D line window 10 bars back
        {"vwap", 5},                 // the VWAP slope_bars 5 back
        // The trend (trend_window 10 bars) before the pattern's first candle:
        {"cdl_engulfing", 10},
        {"cdl_harami", 1},
        {"cdl_piercing_dark_cloud", 1},
        {"cdl_star", 1},
    };
    const auto it = kExtra.find(name);
    return it == kExtra.end() ? 0 : it->second;
}

// The fewest bars with which every series of the agent has a value on the latest bar.
std::size_t bars_for_all_series(const AgentDef& def, const Bars& bars) {
    for (std::size_t n = 1; n <= bars.size(); ++n) {
        SeriesSet set;
        def.series(tail(bars, n), set);
        bool all = true;
        for (const auto& [key, values] : set.series) {
            all = all && !values.empty() && !std::isnan(values.back());
        }
        if (all) {
            return n;
        }
    }
    return 0;
}

// min_bars is exact: with min_bars bars every agent gives a verdict with every indicator value
// defined, and min_bars is its indicators' warm-up plus what its rule reads (no more).
TEST(AgentContractTest, MinBarsIsExactlyWhatTheAgentNeeds) {
    const Bars bars = load_bars("random_walk");
    for (const AgentDef* def : all_agents()) {
        SCOPED_TRACE(std::string(def->name));
        ASSERT_GE(def->min_bars, 1u);
        Workspace ws;
        const AgentResult r = def->evaluate(tail(bars, def->min_bars), ws);
        EXPECT_NE(r.action, Action::kAbstain) << r.reason;
        for (const auto& v : r.values()) {
            EXPECT_TRUE(std::isfinite(v.value)) << v.key << " at min_bars " << def->min_bars;
        }
        EXPECT_EQ(def->min_bars, bars_for_all_series(*def, bars) + rule_extra_bars(def->name))
            << "series complete with " << bars_for_all_series(*def, bars) << " bars";
    }
}

TEST(AgentContractTest, ParametersAreAJsonObject) {
    for (const AgentDef* def : all_agents()) {
        SCOPED_TRACE(std::string(def->name));
        // ordered_json: the keys stay in the agent's order.
        const auto json = nlohmann::ordered_json::parse(def->parameters);
        EXPECT_TRUE(json.is_object());
        EXPECT_FALSE(json.empty());
        EXPECT_EQ(json.dump(), def->parameters) << "not in compact form";
    }
}

}  // namespace
}  // namespace gs::agents
