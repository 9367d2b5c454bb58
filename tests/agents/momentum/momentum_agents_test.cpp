// Tests shared by the 12 momentum agents: indicator values against TA-Lib's own outputs
// (tests/reference/data), the rules against values worked out from those outputs, and the
// edge cases (flat prices, zero volume, too few bars, gaps in time). The rules on hand-made
// series are in <agent>_test.cpp next to this file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agents/category_lists.h"
#include "agents/momentum/momentum_test_bars.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/indicators/core.h"
#include "support/reference_data.h"

namespace gs::agents {
namespace {

using momentum_test::Bars;
using momentum_test::evaluate_on;
using momentum_test::expect_valid;
using momentum_test::find_momentum_agent;
using momentum_test::load_bars;

using gs::testing::ReferenceTable;

constexpr const char* kInputs[] = {"finance.csv", "random_walk.csv"};

const ReferenceTable& reference_for(const std::string& input) {
    static const ReferenceTable finance = ReferenceTable::load("finance_talib.csv");
    static const ReferenceTable walk = ReferenceTable::load("random_walk_talib.csv");
    return input == "finance.csv" ? finance : walk;
}

// What the documented rule says for one row of the reference, when the row is not within
// 1e-6 of a threshold (where rounding could tip it either way).
struct Expected {
    Action action;
    double confidence;
};
using RuleFromReference =
    std::function<std::optional<Expected>(const ReferenceTable&, std::size_t)>;

struct ReferenceCase {
    std::string_view agent;
    // indicator key -> reference column ("" for keys checked by `derived`)
    std::vector<std::pair<std::string_view, std::string_view>> columns;
    // The number of bars at which every indicator value is first defined (TA-Lib lookback + 1).
    std::size_t first_defined;
    RuleFromReference rule;
};

bool near(double x, double threshold) {
    return std::abs(x - threshold) < 1e-6;
}

// Thresholds of a "low is oversold" oscillator: BUY at or below `buy_at`, SELL at or above
// `sell_at`, confidence 0.3 + 0.7 * min(distance / full, 1).
RuleFromReference oscillator_rule(std::string_view column, double buy_at, double sell_at,
                                  double full) {
    return [=](const ReferenceTable& ref, std::size_t row) -> std::optional<Expected> {
        const double v = ref.column(column)[row];
        if (near(v, buy_at) || near(v, sell_at)) {
            return std::nullopt;
        }
        if (v <= buy_at) {
            return Expected{Action::kBuy, 0.3 + 0.7 * std::min((buy_at - v) / full, 1.0)};
        }
        if (v >= sell_at) {
            return Expected{Action::kSell, 0.3 + 0.7 * std::min((v - sell_at) / full, 1.0)};
        }
        const double mid = (buy_at + sell_at) / 2.0;
        return Expected{Action::kHold, 1.0 - std::abs(v - mid) / ((sell_at - buy_at) / 2.0)};
    };
}

std::vector<ReferenceCase> reference_cases() {
    std::vector<ReferenceCase> cases;
    cases.push_back({"rsi", {{"rsi", "rsi_14"}}, 15, oscillator_rule("rsi_14", 30, 70, 20)});
    cases.push_back({"stochastic", {{"stoch_k", "stoch_k"}, {"stoch_d", "stoch_d"}}, 18, nullptr});
    cases.push_back(
        {"stoch_rsi",
         {{"stochrsi_k", "stochrsi_k"}, {"stochrsi_d", "stochrsi_d"}},
         30,
         [](const ReferenceTable& ref, std::size_t row) -> std::optional<Expected> {
             const double k = ref.column("stochrsi_k")[row];
             const double d = ref.column("stochrsi_d")[row];
             if (near(k, 20) || near(k, 80)) {
                 return std::nullopt;
             }
             // A flat RSI over 14 values makes TA-Lib print 0; the agent abstains.
             const auto& rsi = ref.column("rsi_14");
             double lo = rsi[row];
             double hi = rsi[row];
             for (std::size_t i = row - 13; i <= row; ++i) {
                 lo = std::min(lo, rsi[i]);
                 hi = std::max(hi, rsi[i]);
             }
             if (hi - lo < 1e-9) {
                 return std::nullopt;
             }
             if (k <= 20) {
                 return Expected{Action::kBuy, 0.3 + 0.4 * (20 - k) / 20 +
                                                   0.3 * std::clamp((50 - d) / 30, 0.0, 1.0)};
             }
             if (k >= 80) {
                 return Expected{Action::kSell, 0.3 + 0.4 * (k - 80) / 20 +
                                                    0.3 * std::clamp((d - 50) / 30, 0.0, 1.0)};
             }
             return Expected{Action::kHold, 1.0 - std::abs(k - 50) / 30};
         }});
    cases.push_back(
        {"williams_r", {{"willr", "willr_14"}}, 14, oscillator_rule("willr_14", -80, -20, 20)});
    cases.push_back({"cci", {{"cci", "cci_20"}}, 20, oscillator_rule("cci_20", -100, 100, 100)});
    cases.push_back({"roc",
                     {{"roc", "roc_12"}},
                     13,
                     [](const ReferenceTable& ref, std::size_t row) -> std::optional<Expected> {
                         // sigma: population std of the last 50 ROC values of TA-Lib.
                         const auto& roc = ref.column("roc_12");
                         double mean = 0.0;
                         for (std::size_t i = row - 49; i <= row; ++i) {
                             mean += roc[i];
                         }
                         mean /= 50.0;
                         double var = 0.0;
                         for (std::size_t i = row - 49; i <= row; ++i) {
                             var += (roc[i] - mean) * (roc[i] - mean);
                         }
                         const double z = roc[row] / std::sqrt(var / 50.0);
                         if (near(std::abs(z), 1.0)) {
                             return std::nullopt;
                         }
                         if (z > 1) {
                             return Expected{Action::kBuy, 0.3 + 0.7 * std::min(z - 1, 1.0)};
                         }
                         if (z < -1) {
                             return Expected{Action::kSell, 0.3 + 0.7 * std::min(-z - 1, 1.0)};
                         }
                         return Expected{Action::kHold, 1.0 - std::abs(z)};
                     }});
    cases.push_back(
        {"momentum",
         {{"mom", "mom_10"}},
         11,
         [](const ReferenceTable& ref, std::size_t row) -> std::optional<Expected> {
             // MOM 10 in ATR 14s, both from TA-Lib.
             const double m = ref.column("mom_10")[row] / ref.column("atr_14")[row];
             if (near(std::abs(m), 1.0)) {
                 return std::nullopt;
             }
             if (m > 1) {
                 return Expected{Action::kBuy, 0.3 + 0.7 * std::min((m - 1) / 2, 1.0)};
             }
             if (m < -1) {
                 return Expected{Action::kSell, 0.3 + 0.7 * std::min((-m - 1) / 2, 1.0)};
             }
             return Expected{Action::kHold, 1.0 - std::abs(m)};
         }});
    cases.push_back(
        {"ultimate_oscillator", {{"ultosc", "ultosc"}}, 29, oscillator_rule("ultosc", 30, 70, 15)});
    cases.push_back({"cmo", {{"cmo", "cmo_14"}}, 15, oscillator_rule("cmo_14", -50, 50, 30)});
    cases.push_back({"ppo", {{"ppo", "ppo"}, {"ppo_signal", "ppo_signal"}}, 34, nullptr});
    cases.push_back({"rsi_divergence", {{"rsi", "rsi_14"}}, 15, nullptr});
    cases.push_back({"awesome_oscillator", {{"ao", ""}}, 34, nullptr});
    return cases;
}

// AO is not a TA-Lib function: it is TA-Lib's SMA 5 minus SMA 34 of the median price.
std::vector<double> reference_ao(const ReferenceTable& ref) {
    const auto& fast = ref.column("median_sma_5");
    const auto& slow = ref.column("median_sma_34");
    std::vector<double> ao(fast.size());
    for (std::size_t i = 0; i < ao.size(); ++i) {
        ao[i] = fast[i] - slow[i];
    }
    return ao;
}

std::vector<double> reference_column(const ReferenceTable& ref, std::string_view column) {
    return column.empty() ? reference_ao(ref) : ref.column(column);
}

bool matches(double ours, double ref) {
    if (std::isnan(ref) || std::isnan(ours)) {
        return std::isnan(ref) && std::isnan(ours);
    }
    return std::abs(ours - ref) <= 1e-6 * std::max(1.0, std::abs(ref));
}

void PrintTo(const ReferenceCase& c, std::ostream* os) {
    *os << c.agent;
}

class MomentumReferenceTest : public ::testing::TestWithParam<ReferenceCase> {};

TEST_P(MomentumReferenceTest, SeriesMatchTaLibOnEveryRowWithTheSameWarmUp) {
    const ReferenceCase& c = GetParam();
    const AgentDef& def = find_momentum_agent(c.agent);
    for (const std::string input : kInputs) {
        SCOPED_TRACE(input);
        const Bars bars = load_bars(input);
        const ReferenceTable& ref = reference_for(input);
        SeriesSet set;
        def.series(bars.view(), set);
        ASSERT_EQ(set.series.size(), c.columns.size());
        std::size_t all_defined = 0;
        for (std::size_t k = 0; k < c.columns.size(); ++k) {
            const auto& [key, column] = c.columns[k];
            SCOPED_TRACE(key);
            EXPECT_EQ(set.series[k].first, key);
            const auto& ours = set.series[k].second;
            const auto expected = reference_column(ref, column);
            ASSERT_EQ(ours.size(), expected.size());
            EXPECT_EQ(indicators::first_value(ours), indicators::first_value(expected));
            all_defined = std::max(all_defined, indicators::first_value(expected) + 1);
            std::size_t mismatches = 0;
            for (std::size_t i = 0; i < ours.size(); ++i) {
                if (!matches(ours[i], expected[i])) {
                    ++mismatches;
                    ADD_FAILURE() << "row " << i << ": ours " << ours[i] << ", TA-Lib "
                                  << expected[i];
                }
                if (mismatches > 5) {
                    break;
                }
            }
        }
        EXPECT_EQ(all_defined, c.first_defined);
    }
}

TEST_P(MomentumReferenceTest, EvaluateReportsTaLibsValueAndFollowsTheRuleOnEveryBar) {
    const ReferenceCase& c = GetParam();
    const AgentDef& def = find_momentum_agent(c.agent);
    EXPECT_GE(def.min_bars, c.first_defined);
    for (const std::string input : kInputs) {
        SCOPED_TRACE(input);
        const Bars bars = load_bars(input);
        const ReferenceTable& ref = reference_for(input);
        std::vector<std::vector<double>> expected;
        for (const auto& [key, column] : c.columns) {
            expected.push_back(reference_column(ref, column));
        }
        std::size_t failures = 0;
        std::size_t rule_checked = 0;
        for (std::size_t count = def.min_bars; count <= bars.size() && failures < 5; ++count) {
            const AgentResult r = evaluate_on(def, bars.first(count));
            const std::size_t row = count - 1;
            expect_valid(r);
            for (std::size_t k = 0; k < c.columns.size(); ++k) {
                if (!matches(r.value(c.columns[k].first), expected[k][row])) {
                    ++failures;
                    ADD_FAILURE() << c.columns[k].first << " at row " << row << ": "
                                  << r.value(c.columns[k].first) << " vs " << expected[k][row];
                }
            }
            if (!c.rule) {
                continue;
            }
            const auto want = c.rule(ref, row);
            if (!want) {
                continue;
            }
            ++rule_checked;
            if (r.action != want->action || std::abs(r.confidence - want->confidence) > 1e-6) {
                ++failures;
                ADD_FAILURE() << "row " << row << ": " << to_string(r.action) << " " << r.confidence
                              << ", rule on TA-Lib values says " << to_string(want->action) << " "
                              << want->confidence;
            }
        }
        if (c.rule) {
            EXPECT_GT(rule_checked, (bars.size() - def.min_bars) / 2);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(AllMomentumAgents, MomentumReferenceTest,
                         ::testing::ValuesIn(reference_cases()),
                         [](const auto& info) { return std::string(info.param.agent); });

// ---- properties every momentum agent keeps ------------------------------------------------

class MomentumAgentTest : public ::testing::TestWithParam<const AgentDef*> {};

TEST_P(MomentumAgentTest, IsAMomentumAgentWithValidParameters) {
    const AgentDef& def = *GetParam();
    EXPECT_EQ(def.category, Category::kMomentum);
    EXPECT_FALSE(def.parameters.empty());
    EXPECT_EQ(def.parameters.front(), '{');
    EXPECT_EQ(def.parameters.back(), '}');
}

TEST_P(MomentumAgentTest, KeepsTheResultInvariantsAndVariesWithTheData) {
    const AgentDef& def = *GetParam();
    const Bars bars = load_bars("random_walk.csv");
    std::set<Action> actions;
    std::set<double> confidences;
    for (std::size_t count = def.min_bars; count <= bars.size(); count += 7) {
        const AgentResult r = evaluate_on(def, bars.first(count));
        expect_valid(r);
        actions.insert(r.action);
        confidences.insert(r.confidence);
    }
    // Not a constant: several actions and many confidence levels over 2000 bars.
    EXPECT_GE(actions.size(), 2u);
    EXPECT_GT(confidences.size(), 20u);
}

TEST_P(MomentumAgentTest, EvaluateAgreesWithTheLastValuesOfItsSeries) {
    const AgentDef& def = *GetParam();
    const Bars bars = load_bars("finance.csv");
    const AgentResult r = evaluate_on(def, bars.view());
    SeriesSet set;
    def.series(bars.view(), set);
    ASSERT_EQ(set.series.size(), r.values().size());
    for (std::size_t k = 0; k < set.series.size(); ++k) {
        EXPECT_EQ(set.series[k].first, r.values()[k].key);
        EXPECT_NEAR(set.series[k].second.back(), r.values()[k].value, 1e-9);
    }
}

TEST_P(MomentumAgentTest, HoldsOrAbstainsWithAReasonOnFlatPricesAndZeroVolume) {
    const AgentDef& def = *GetParam();
    for (const std::size_t count : {def.min_bars, def.min_bars + 300}) {
        const Bars flat = Bars::flat(count, 42.5, 0.0);
        const AgentResult r = evaluate_on(def, flat.view());
        expect_valid(r);
        EXPECT_TRUE(r.action == Action::kHold || r.action == Action::kAbstain)
            << to_string(r.action) << ": " << r.reason;
        EXPECT_FALSE(r.reason.empty());
        for (const auto& v : r.values()) {
            EXPECT_TRUE(std::isfinite(v.value)) << v.key;
        }
        SeriesSet set;
        def.series(flat.view(), set);
        for (const auto& [key, values] : set.series) {
            for (const double x : values) {
                EXPECT_FALSE(std::isinf(x)) << key;
            }
        }
    }
}

TEST_P(MomentumAgentTest, SeriesHandleZeroOneAndFewBars) {
    const AgentDef& def = *GetParam();
    const Bars bars = load_bars("finance.csv");
    for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{5}}) {
        SeriesSet set;
        def.series(bars.first(count), set);
        EXPECT_FALSE(set.series.empty());
        for (const auto& [key, values] : set.series) {
            ASSERT_EQ(values.size(), count) << key;
            for (const double x : values) {
                EXPECT_TRUE(std::isnan(x)) << key;  // every agent warms up over 5+ bars
            }
        }
    }
}

TEST_P(MomentumAgentTest, LatestValuesAreDefinedAtMinBars) {
    const AgentDef& def = *GetParam();
    const Bars bars = load_bars("random_walk.csv");
    const AgentResult r = evaluate_on(def, bars.first(def.min_bars));
    EXPECT_NE(r.action, Action::kAbstain) << r.reason;
    for (const auto& v : r.values()) {
        EXPECT_FALSE(std::isnan(v.value)) << v.key;
    }
}

TEST_P(MomentumAgentTest, GapsInTimeDoNotChangeTheResult) {
    const AgentDef& def = *GetParam();
    const Bars bars = load_bars("random_walk.csv").tail(600);
    const Bars gapped = bars.with_gapped_times();
    ASSERT_NE(bars.time, gapped.time);
    for (std::size_t count = def.min_bars; count <= bars.size(); count += 37) {
        const AgentResult a = evaluate_on(def, bars.first(count));
        const AgentResult b = evaluate_on(def, gapped.first(count));
        EXPECT_EQ(a.action, b.action);
        EXPECT_EQ(a.confidence, b.confidence);
        EXPECT_EQ(a.score, b.score);
        EXPECT_EQ(a.reason, b.reason);
    }
}

INSTANTIATE_TEST_SUITE_P(AllMomentumAgents, MomentumAgentTest,
                         ::testing::ValuesIn(momentum_agents().begin(), momentum_agents().end()),
                         [](const auto& info) { return std::string(info.param->name); });

TEST(MomentumAgentsTest, ListsTheTwelveAgentsInTableOrder) {
    const std::vector<std::string_view> expected = {
        "rsi", "stochastic", "stoch_rsi",      "williams_r",
        "cci", "roc",        "momentum",       "ultimate_oscillator",
        "cmo", "ppo",        "rsi_divergence", "awesome_oscillator"};
    std::vector<std::string_view> names;
    for (const AgentDef* def : momentum_agents()) {
        names.push_back(def->name);
    }
    EXPECT_EQ(names, expected);
}

}  // namespace
}  // namespace gs::agents
