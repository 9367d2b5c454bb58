#pragma once

// Helpers shared by the agent tests of every category (the one home for them: a category's
// test includes this, never another category's folder): bars built by hand, loaded from the
// reference data or drawn at random, evaluation with a Workspace, and the invariants every
// result keeps. (bars_builder.h next to it holds the candle-by-candle builder.)

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/agents/agent.h"
#include "goldensignals/market/bars_view.h"
#include "support/reference_data.h"

namespace gs::agents::flow_agent_test {

inline constexpr std::int64_t kDay = 86'400;

struct Bars {
    std::vector<std::int64_t> time;
    std::vector<double> open, high, low, close, volume;

    Bars& add(double o, double h, double l, double c, double v) {
        time.push_back(time.empty() ? 1'600'000'000 : time.back() + kDay);
        open.push_back(o);
        high.push_back(h);
        low.push_back(l);
        close.push_back(c);
        volume.push_back(v);
        return *this;
    }
    // A bar opening at the previous close with `spread` of shadow beyond the body.
    Bars& close_at(double c, double v = 1000.0, double spread = 0.5) {
        const double o = close.empty() ? c : close.back();
        return add(o, std::max(o, c) + spread, std::min(o, c) - spread, c, v);
    }
    Bars& repeat(std::size_t count, double o, double h, double l, double c, double v) {
        for (std::size_t k = 0; k < count; ++k) {
            add(o, h, l, c, v);
        }
        return *this;
    }
    std::size_t size() const { return close.size(); }
    market::BarsView view() const { return {time, open, high, low, close, volume}; }
};

// The bars of tests/reference/data/<name>.csv (or of <name>.csv when `name` is an absolute
// path, as for data/demo), one day apart.
inline Bars load_bars(const std::string& name) {
    const auto table = gs::testing::ReferenceTable::load(name + ".csv");
    Bars b;
    b.open = table.column("open");
    b.high = table.column("high");
    b.low = table.column("low");
    b.close = table.column("close");
    b.volume = table.column("volume");
    for (std::size_t i = 0; i < b.close.size(); ++i) {
        b.time.push_back(1'600'000'000 + static_cast<std::int64_t>(i) * kDay);
    }
    return b;
}

// A seeded random walk with the features real feeds have and formulas trip over: volatility
// regimes, gaps, flat stretches (no range, no volume), spikes, and a price scale from
// `scale` (1e-5 to 1e6). Same seed, same bars.
inline Bars random_bars(std::uint64_t seed, std::size_t n, double scale) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> step(0.0, 1.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::lognormal_distribution<double> volume(12.0, 1.0);
    Bars b;
    double close = scale * (0.5 + unit(rng));
    double vol = 0.01 + 0.04 * unit(rng);
    std::size_t flat_left = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (unit(rng) < 0.01) {
            vol = 0.002 + 0.08 * unit(rng);  // a new volatility regime
        }
        if (flat_left == 0 && unit(rng) < 0.01) {
            flat_left = 5 + static_cast<std::size_t>(unit(rng) * 40);
        }
        if (flat_left > 0) {
            --flat_left;
            b.add(close, close, close, close, unit(rng) < 0.5 ? 0.0 : volume(rng));
            continue;
        }
        const double jump = unit(rng) < 0.02 ? (unit(rng) - 0.5) * 0.4 : 0.0;  // gap or spike
        const double open = close * std::exp(jump + 0.3 * vol * step(rng));
        close = open * std::exp(vol * step(rng));
        const double high = std::max(open, close) * (1.0 + vol * unit(rng));
        const double low = std::min(open, close) * (1.0 - vol * unit(rng));
        b.add(open, high, low, close, unit(rng) < 0.03 ? 0.0 : volume(rng));
    }
    return b;
}

inline AgentResult run(const AgentDef& def, const market::BarsView& bars) {
    Workspace ws;
    return def.evaluate(bars, ws);
}

inline AgentResult run(const AgentDef& def, const Bars& bars) {
    return run(def, bars.view());
}

// One series of the agent's series(), by key; fails the test when absent.
inline std::vector<double> series_of(const AgentDef& def, const market::BarsView& bars,
                                     std::string_view key) {
    SeriesSet set;
    def.series(bars, set);
    for (auto& [k, v] : set.series) {
        if (k == key) {
            return v;
        }
    }
    ADD_FAILURE() << def.name << " has no series '" << key << "'";
    return std::vector<double>(bars.size(), std::nan(""));
}

// What every result must satisfy, whatever the data.
inline void expect_invariants(const AgentResult& r, std::string_view context = {}) {
    SCOPED_TRACE(std::string(context));
    EXPECT_GE(r.confidence, 0.0);
    EXPECT_LE(r.confidence, 1.0);
    EXPECT_GE(r.score, -1.0);
    EXPECT_LE(r.score, 1.0);
    EXPECT_FALSE(r.reason.empty());
    if (r.action == Action::kBuy) {
        EXPECT_GT(r.score, 0.0);
        EXPECT_GE(r.confidence, 0.3);
    }
    if (r.action == Action::kSell) {
        EXPECT_LT(r.score, 0.0);
        EXPECT_GE(r.confidence, 0.3);
    }
    for (const auto& v : r.values()) {
        EXPECT_TRUE(std::isfinite(v.value)) << v.key << " = " << v.value;
    }
}

inline std::string_view action_name(const AgentResult& r) {
    return to_string(r.action);
}

}  // namespace gs::agents::flow_agent_test

namespace gs::agents::flow_agent_test {

// Properties every agent of these categories must have, checked on the reference data and on
// degenerate inputs.

// On every prefix of the reference data from min_bars on: the invariants hold, the agent does
// not abstain, its indicator values are the latest values of its series() over the full data
// (so they are causal and consistent with the chart), it holds somewhere and its confidence
// varies. Returns how often it said BUY and SELL.
struct Fired {
    std::size_t buys = 0;
    std::size_t sells = 0;
};

inline Fired expect_consistent_on_reference_data(const AgentDef& def, const std::string& name) {
    SCOPED_TRACE(name);
    const Bars bars = load_bars(name);
    const auto full = bars.view();
    SeriesSet set;
    def.series(full, set);
    for (const auto& [key, values] : set.series) {
        EXPECT_EQ(values.size(), full.size()) << key;
        if (values.size() != full.size()) {
            return {};
        }
    }
    std::size_t buys = 0;
    std::size_t sells = 0;
    std::size_t holds = 0;
    std::vector<double> confidences;
    Workspace ws;
    for (std::size_t len = def.min_bars; len <= full.size(); ++len) {
        const market::BarsView prefix{full.time.first(len),  full.open.first(len),
                                      full.high.first(len),  full.low.first(len),
                                      full.close.first(len), full.volume.first(len)};
        ws.reset();
        const AgentResult r = def.evaluate(prefix, ws);
        if (r.action == Action::kAbstain || r.confidence < 0.0 || r.confidence > 1.0 ||
            (r.action == Action::kBuy && !(r.score > 0.0)) ||
            (r.action == Action::kSell && !(r.score < 0.0))) {
            ADD_FAILURE() << "bar " << len - 1 << ": " << to_string(r.action) << " confidence "
                          << r.confidence << " score " << r.score << " (" << r.reason << ")";
            return {};
        }
        buys += r.action == Action::kBuy;
        sells += r.action == Action::kSell;
        holds += r.action == Action::kHold;
        confidences.push_back(r.confidence);
        bool same = r.values().size() == set.series.size();
        for (std::size_t k = 0; same && k < set.series.size(); ++k) {
            const auto& [key, values] = set.series[k];
            const double expected = values[len - 1];
            const double got = r.values()[k].value;
            same = r.values()[k].key == key && std::isfinite(got) &&
                   std::abs(got - expected) <= 1e-9 * std::max(std::abs(expected), 1.0);
            if (!same) {
                ADD_FAILURE() << key << " at bar " << len - 1 << ": evaluate " << got << ", series "
                              << expected;
            }
        }
        if (!same) {
            return {};
        }
    }
    EXPECT_GT(holds, 0u) << "never HOLD";
    std::sort(confidences.begin(), confidences.end());
    EXPECT_GT(std::unique(confidences.begin(), confidences.end()) - confidences.begin(), 10)
        << "confidence barely depends on the data";
    return {buys, sells};
}

// Flat prices, with and without volume: a HOLD or an ABSTAIN with a reason, nothing
// non-finite.
inline void expect_flat_prices_handled(const AgentDef& def) {
    for (const double volume : {0.0, 1000.0}) {
        SCOPED_TRACE(volume);
        Bars bars;
        bars.repeat(std::max<std::size_t>(def.min_bars, 300), 100.0, 100.0, 100.0, 100.0, volume);
        const AgentResult r = run(def, bars);
        EXPECT_TRUE(r.action == Action::kHold || r.action == Action::kAbstain)
            << to_string(r.action) << ": " << r.reason;
        expect_invariants(r, "flat prices");
        SeriesSet set;
        def.series(bars.view(), set);
        for (const auto& [key, values] : set.series) {
            for (double v : values) {
                ASSERT_FALSE(std::isinf(v)) << key;
            }
            if (r.action != Action::kAbstain) {
                EXPECT_FALSE(std::isnan(values.back())) << key << " undefined on flat prices";
            }
        }
    }
}

// series() takes any number of bars; evaluate() at exactly min_bars has every value defined.
inline void expect_few_bars_handled(const AgentDef& def) {
    const Bars all = load_bars("random_walk");
    for (const std::size_t n :
         {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{5}, def.min_bars - 1}) {
        SCOPED_TRACE(n);
        const auto v = all.view();
        const market::BarsView few{v.time.first(n), v.open.first(n),  v.high.first(n),
                                   v.low.first(n),  v.close.first(n), v.volume.first(n)};
        SeriesSet set;
        def.series(few, set);
        EXPECT_FALSE(set.series.empty());
        for (const auto& [key, values] : set.series) {
            EXPECT_EQ(values.size(), n) << key;
        }
    }
    const auto v = all.view();
    const std::size_t m = def.min_bars;
    const market::BarsView just{v.time.first(m), v.open.first(m),  v.high.first(m),
                                v.low.first(m),  v.close.first(m), v.volume.first(m)};
    const AgentResult r = run(def, just);
    EXPECT_NE(r.action, Action::kAbstain) << r.reason;
    EXPECT_GT(r.values().size(), 0u);
    expect_invariants(r, "min_bars");
}

// Times play no part in the maths: gapped times (weekends, a 100-day halt) give the same
// result as evenly spaced ones.
inline void expect_time_gaps_irrelevant(const AgentDef& def) {
    Bars bars = load_bars("random_walk");
    const AgentResult even = run(def, bars);
    std::int64_t t = bars.time.front();
    for (std::size_t i = 0; i < bars.size(); ++i) {
        t += (i % 5 == 4 ? 3 : 1) * kDay + (i == bars.size() / 2 ? 100 * kDay : 0);
        bars.time[i] = t;
    }
    const AgentResult gapped = run(def, bars);
    EXPECT_EQ(gapped.action, even.action);
    EXPECT_EQ(gapped.confidence, even.confidence);
    EXPECT_EQ(gapped.score, even.score);
    EXPECT_EQ(gapped.reason, even.reason);
    ASSERT_EQ(gapped.values().size(), even.values().size());
    for (std::size_t k = 0; k < even.values().size(); ++k) {
        EXPECT_EQ(gapped.values()[k].value, even.values()[k].value);
    }
}

// Series `ours` equals `ref` on every row where `ref` is defined, and is NaN exactly where
// `ref` is (the same warm-up), within `rel_tol` relative to max(|ref|, floor).
inline void expect_series_matches(std::span<const double> ours, std::span<const double> ref,
                                  double rel_tol = 1e-6, double floor = 1e-3) {
    ASSERT_EQ(ours.size(), ref.size());
    std::size_t compared = 0;
    std::size_t failures = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        if (std::isnan(ref[i]) != std::isnan(ours[i])) {
            if (++failures <= 5) {
                ADD_FAILURE() << "row " << i << ": ours " << ours[i] << ", reference " << ref[i];
            }
            continue;
        }
        if (std::isnan(ref[i])) {
            continue;
        }
        ++compared;
        if (!(std::abs(ours[i] - ref[i]) <= rel_tol * std::max(std::abs(ref[i]), floor)) &&
            ++failures <= 5) {
            ADD_FAILURE() << "row " << i << ": ours " << ours[i] << ", reference " << ref[i];
        }
    }
    EXPECT_EQ(failures, 0u);
    EXPECT_GT(compared, ref.size() / 2);
}

inline std::size_t leading_nans(std::span<const double> s) {
    std::size_t i = 0;
    while (i < s.size() && std::isnan(s[i])) {
        ++i;
    }
    return i;
}

}  // namespace gs::agents::flow_agent_test
