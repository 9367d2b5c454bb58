// Properties every trend agent keeps, and each agent's indicator values against TA-Lib.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agents/category_lists.h"
#include "agents/trend/trend_test_util.h"
#include "goldensignals/indicators/core.h"

namespace gs::agents {
namespace {

using namespace trend_test;

std::vector<const AgentDef*> all_trend_agents() {
    const auto list = trend_agents();
    return {list.begin(), list.end()};
}

TEST(TrendAgentsTest, ListsTheThirteenAgentsInTableOrder) {
    const std::vector<std::string_view> expected = {
        "sma_cross",     "ema_cross",  "macd",       "adx_dmi", "aroon",
        "parabolic_sar", "ichimoku",   "supertrend", "trix",    "kama",
        "linreg_slope",  "ema_ribbon", "t3_trend"};
    const auto list = trend_agents();
    ASSERT_EQ(list.size(), expected.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        EXPECT_EQ(list[i]->name, expected[i]);
        EXPECT_EQ(list[i]->category, Category::kTrend);
        EXPECT_GT(list[i]->min_bars, 0u);
        EXPECT_FALSE(list[i]->parameters.empty());
    }
}

class TrendAgentTest : public ::testing::TestWithParam<const AgentDef*> {
  protected:
    const AgentDef& def() const { return *GetParam(); }
};

TEST_P(TrendAgentTest, SeriesHandlesNoneOneAndFewBars) {
    const auto rw = load("random_walk");
    const auto full = run(def(), head(rw, std::max<std::size_t>(def().min_bars, 300)));
    for (std::size_t n :
         {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{5}, def().min_bars - 1}) {
        SCOPED_TRACE(n);
        SeriesSet s;
        def().series(head(rw, n).view(), s);
        // Exactly the keys evaluate() reports, each as long as the bars.
        ASSERT_EQ(s.series.size(), full.values().size());
        for (std::size_t k = 0; k < s.series.size(); ++k) {
            EXPECT_EQ(s.series[k].first, full.values()[k].key);
            EXPECT_EQ(s.series[k].second.size(), n);
        }
    }
}

TEST_P(TrendAgentTest, MinBarsIsTheFirstBarWithEverythingDefined) {
    const auto rw = load("random_walk");
    const auto at_min = head(rw, def().min_bars);
    const auto r = run(def(), at_min);
    expect_well_formed(r);
    EXPECT_NE(r.action, Action::kAbstain) << r.reason;
    for (const auto& v : r.values()) {
        EXPECT_TRUE(std::isfinite(v.value)) << v.key;
    }
    // One bar fewer: either evaluate() refuses or some latest value is still undefined.
    const auto short_bars = head(rw, def().min_bars - 1);
    SeriesSet s;
    def().series(short_bars.view(), s);
    bool some_nan = false;
    for (const auto& [key, values] : s.series) {
        some_nan = some_nan || std::isnan(values.back());
    }
    const auto r_short = run(def(), short_bars);
    EXPECT_TRUE(some_nan || r_short.action == Action::kAbstain) << r_short.reason;
}

TEST_P(TrendAgentTest, FlatPricesGiveAFiniteHold) {
    for (std::size_t n : {def().min_bars, std::size_t{300}}) {
        const auto r = run(def(), flat(std::max(n, def().min_bars)));
        expect_well_formed(r);
        EXPECT_EQ(r.action, Action::kHold) << r.reason;
        for (const auto& v : r.values()) {
            EXPECT_TRUE(std::isfinite(v.value)) << v.key;
        }
    }
}

TEST_P(TrendAgentTest, GapsInTimeChangeNothing) {
    const auto rw = head(load("random_walk"), 400);
    const auto gapped = with_gaps(rw);
    ASSERT_NE(gapped.time, rw.time);
    const auto a = run(def(), rw);
    const auto b = run(def(), gapped);
    EXPECT_EQ(a.action, b.action);
    EXPECT_EQ(a.confidence, b.confidence);
    EXPECT_EQ(a.score, b.score);
    EXPECT_EQ(a.reason, b.reason);
    ASSERT_EQ(a.values().size(), b.values().size());
    for (std::size_t k = 0; k < a.values().size(); ++k) {
        EXPECT_EQ(a.values()[k].value, b.values()[k].value);
    }
}

// Over many windows of the synthetic data: the contract holds, the reported values are the
// series' latest, and the verdict moves with the data.
TEST_P(TrendAgentTest, FollowsTheDataAndKeepsTheContract) {
    const auto rw = load("random_walk");
    std::set<Action> actions;
    std::set<double> confidences;
    Workspace ws;
    for (std::size_t end = def().min_bars; end <= rw.size(); end += 13) {
        const auto bars = rw.view();
        const market::BarsView window{bars.time.first(end),  bars.open.first(end),
                                      bars.high.first(end),  bars.low.first(end),
                                      bars.close.first(end), bars.volume.first(end)};
        ws.reset();
        const auto r = def().evaluate(window, ws);
        expect_well_formed(r);
        actions.insert(r.action);
        confidences.insert(r.confidence);
        if (end % 91 == def().min_bars % 91) {
            SeriesSet s;
            def().series(window, s);
            for (const auto& v : r.values()) {
                EXPECT_DOUBLE_EQ(v.value, series_of(s, v.key).back()) << v.key << " @" << end;
            }
        }
    }
    EXPECT_GE(actions.size(), 2u);
    EXPECT_GE(confidences.size(), 10u);
}

INSTANTIATE_TEST_SUITE_P(All, TrendAgentTest, ::testing::ValuesIn(all_trend_agents()),
                         [](const auto& info) { return std::string(info.param->name); });

// ---- indicator values against TA-Lib -------------------------------------------------------

const AgentDef* find(std::string_view name) {
    for (const auto* d : trend_agents()) {
        if (d->name == name) {
            return d;
        }
    }
    return nullptr;
}

std::size_t leading_nans(const std::vector<double>& v) {
    std::size_t i = 0;
    while (i < v.size() && std::isnan(v[i])) {
        ++i;
    }
    return i;
}

// Same warm-up and every defined row within 1e-6 (relative, floored at 1e-3 in magnitude).
void expect_series_matches(const std::vector<double>& ours, const std::vector<double>& ref) {
    ASSERT_EQ(ours.size(), ref.size());
    EXPECT_EQ(leading_nans(ours), leading_nans(ref));
    EXPECT_LT(leading_nans(ref), ref.size());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const bool ok = std::isnan(ref[i])
                            ? std::isnan(ours[i])
                            : std::abs(ours[i] - ref[i]) <= 1e-6 * std::max(std::abs(ref[i]), 1e-3);
        if (!ok && ++bad <= 3) {
            ADD_FAILURE() << "row " << i << ": ours " << ours[i] << ", reference " << ref[i];
        }
    }
    EXPECT_EQ(bad, 0u);
}

struct RefCase {
    std::string_view agent;
    // agent key -> TA-Lib column
    std::vector<std::pair<std::string_view, std::string>> columns;
};

const std::vector<RefCase> kRefCases = {
    {"sma_cross", {{"sma_50", "sma_50"}, {"sma_200", "sma_200"}}},
    {"ema_cross", {{"ema_12", "ema_12"}, {"ema_26", "ema_26"}}},
    {"macd", {{"macd", "macd"}, {"macd_signal", "macd_signal"}, {"macd_hist", "macd_hist"}}},
    {"adx_dmi", {{"adx", "adx_14"}, {"plus_di", "plus_di_14"}, {"minus_di", "minus_di_14"}}},
    {"aroon", {{"aroon_up", "aroon_up_25"}, {"aroon_down", "aroon_down_25"}}},
    {"parabolic_sar", {{"sar", "sar"}}},
    {"ichimoku", {{"tenkan", "midprice_9"}, {"kijun", "midprice_26"}, {"senkou_b", "midprice_52"}}},
    {"trix", {{"trix", "trix_15"}}},
    {"kama", {{"kama", "kama_10"}}},
    {"linreg_slope", {{"linreg_slope", "linreg_slope_20"}}},
    {"ema_ribbon",
     {{"ema_8", "ema_8"},
      {"ema_13", "ema_13"},
      {"ema_21", "ema_21"},
      {"ema_34", "ema_34"},
      {"ema_55", "ema_55"},
      {"ema_89", "ema_89"}}},
    {"t3_trend", {{"t3", "t3_5"}}},
};

class TrendReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TrendReferenceTest, SeriesAndLatestValuesMatchTaLibColumns) {
    const auto bars = load(GetParam());
    const auto ref = gs::testing::ReferenceTable::load(GetParam() + "_talib.csv");
    for (const auto& c : kRefCases) {
        SCOPED_TRACE(std::string(c.agent));
        const AgentDef* def = find(c.agent);
        ASSERT_NE(def, nullptr);
        SeriesSet s;
        def->series(bars.view(), s);
        const auto r = run(*def, bars);
        for (const auto& [key, column] : c.columns) {
            SCOPED_TRACE(column);
            const auto& expected = ref.column(column);
            expect_series_matches(series_of(s, key), expected);
            EXPECT_NEAR(r.value(key), expected.back(),
                        1e-6 * std::max(std::abs(expected.back()), 1e-3));
        }
    }
}

// Where TA-Lib has no function, the reference is composed from TA-Lib columns.
TEST_P(TrendReferenceTest, ComposedReferencesMatch) {
    const auto bars = load(GetParam());
    const auto ref = gs::testing::ReferenceTable::load(GetParam() + "_talib.csv");
    const std::size_t n = bars.size();

    // ichimoku senkou_a = (tenkan + kijun) / 2 = (midprice_9 + midprice_26) / 2.
    SeriesSet ichimoku;
    find("ichimoku")->series(bars.view(), ichimoku);
    std::vector<double> span_a(n);
    for (std::size_t i = 0; i < n; ++i) {
        span_a[i] = (ref.column("midprice_9")[i] + ref.column("midprice_26")[i]) / 2.0;
    }
    expect_series_matches(series_of(ichimoku, "senkou_a"), span_a);

    // trix_signal = EMA 9 (TA_EMA, verified in core_test) of TA-Lib's trix_15.
    SeriesSet trix;
    find("trix")->series(bars.view(), trix);
    std::vector<double> signal(n);
    indicators::ema(ref.column("trix_15"), 9, signal);
    expect_series_matches(series_of(trix, "trix_signal"), signal);

    // supertrend: the final-band recursion written out again here over TA-Lib's atr_10.
    SeriesSet st;
    find("supertrend")->series(bars.view(), st);
    const auto& line = series_of(st, "supertrend");
    const auto& dir = series_of(st, "supertrend_dir");
    const auto& atr10 = ref.column("atr_10");
    const std::size_t first = leading_nans(atr10);
    EXPECT_EQ(leading_nans(line), first);
    double upper = 0.0;
    double lower = 0.0;
    double trend = 1.0;
    std::size_t flips = 0;
    for (std::size_t i = first; i < n; ++i) {
        const double mid = (bars.high[i] + bars.low[i]) / 2.0;
        const double bu = mid + 3.0 * atr10[i];
        const double bl = mid - 3.0 * atr10[i];
        if (i == first) {
            upper = bu;
            lower = bl;
            trend = bars.close[i] < bl ? -1.0 : 1.0;
        } else {
            const double pu = upper;
            const double pl = lower;
            upper = (bu < pu || bars.close[i - 1] > pu) ? bu : pu;
            lower = (bl > pl || bars.close[i - 1] < pl) ? bl : pl;
            const double before = trend;
            if (trend < 0 && bars.close[i] > pu) {
                trend = 1.0;
            } else if (trend > 0 && bars.close[i] < pl) {
                trend = -1.0;
            }
            flips += trend != before ? 1 : 0;
        }
        const double expected = trend > 0 ? lower : upper;
        EXPECT_EQ(dir[i], trend) << i;
        EXPECT_NEAR(line[i], expected, 1e-6 * std::abs(expected)) << i;
    }
    EXPECT_GT(flips, 2u);
}

INSTANTIATE_TEST_SUITE_P(TaLib, TrendReferenceTest,
                         ::testing::Values(std::string("finance"), std::string("random_walk")));

}  // namespace
}  // namespace gs::agents
