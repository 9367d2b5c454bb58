#pragma once

// Bars for the momentum agent tests: the reference CSVs' bars, and hand-made series built
// from closes. Times are one day apart unless a test gaps them.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agents/category_lists.h"
#include "goldensignals/agents/agent.h"
#include "goldensignals/market/bars_view.h"
#include "support/reference_data.h"

namespace gs::agents::momentum_test {

inline constexpr std::int64_t kDay = 86'400;

struct Bars {
    std::vector<std::int64_t> time;
    std::vector<double> open, high, low, close, volume;

    std::size_t size() const { return close.size(); }
    market::BarsView view() const { return {time, open, high, low, close, volume}; }

    // The oldest `count` bars, as the agent would have seen them then.
    market::BarsView first(std::size_t count) const {
        const auto v = view();
        return {v.time.first(count), v.open.first(count),  v.high.first(count),
                v.low.first(count),  v.close.first(count), v.volume.first(count)};
    }

    Bars tail(std::size_t count) const {
        const std::size_t from = size() - std::min(count, size());
        auto cut = [from](const auto& column) {
            return std::decay_t<decltype(column)>(
                column.begin() + static_cast<std::ptrdiff_t>(from), column.end());
        };
        return {cut(time), cut(open), cut(high), cut(low), cut(close), cut(volume)};
    }

    // Same prices, with a 30-day gap after every 7th bar and a 3-year one in the middle.
    Bars with_gapped_times() const {
        Bars b = *this;
        std::int64_t shift = 0;
        for (std::size_t i = 0; i < b.time.size(); ++i) {
            if (i % 7 == 6) {
                shift += 30 * kDay;
            }
            if (i == b.time.size() / 2) {
                shift += 3 * 365 * kDay;
            }
            b.time[i] += shift;
        }
        return b;
    }

    void add(double o, double h, double l, double c, double v) {
        time.push_back(time.empty() ? 1'600'000'000 : time.back() + kDay);
        open.push_back(o);
        high.push_back(h);
        low.push_back(l);
        close.push_back(c);
        volume.push_back(v);
    }

    // Every bar open = high = low = close = `price`.
    static Bars flat(std::size_t count, double price, double volume) {
        Bars b;
        for (std::size_t i = 0; i < count; ++i) {
            b.add(price, price, price, price, volume);
        }
        return b;
    }

    // open = previous close (the first bar opens at its close), high = max(open, close) +
    // wick, low = min(open, close) - wick.
    static Bars from_closes(const std::vector<double>& closes, double wick = 0.2,
                            double volume = 1000.0) {
        Bars b;
        for (std::size_t i = 0; i < closes.size(); ++i) {
            const double o = i == 0 ? closes[0] : closes[i - 1];
            const double c = closes[i];
            b.add(o, std::max(o, c) + wick, std::min(o, c) - wick, c, volume);
        }
        return b;
    }
};

// `count` closes alternating base, base + amplitude, base, ...
inline std::vector<double> zigzag(std::size_t count, double base, double amplitude) {
    std::vector<double> out(count);
    for (std::size_t i = 0; i < count; ++i) {
        out[i] = i % 2 == 0 ? base : base + amplitude;
    }
    return out;
}

// Appends `count` closes, each `step` from the one before.
inline void extend(std::vector<double>& closes, std::size_t count, double step) {
    for (std::size_t i = 0; i < count; ++i) {
        closes.push_back(closes.back() + step);
    }
}

// The same closes mirrored around `axis` (a rise becomes a fall).
inline std::vector<double> mirrored(std::vector<double> closes, double axis) {
    for (double& c : closes) {
        c = 2.0 * axis - c;
    }
    return closes;
}

inline Bars load_bars(const std::string& file) {
    static std::map<std::string, Bars> cache;
    auto it = cache.find(file);
    if (it == cache.end()) {
        const auto t = gs::testing::ReferenceTable::load(file);
        Bars b;
        for (std::size_t i = 0; i < t.rows(); ++i) {
            b.add(t.column("open")[i], t.column("high")[i], t.column("low")[i],
                  t.column("close")[i], t.column("volume")[i]);
        }
        it = cache.emplace(file, std::move(b)).first;
    }
    return it->second;
}

inline const AgentDef& find_momentum_agent(std::string_view name) {
    for (const AgentDef* def : momentum_agents()) {
        if (def->name == name) {
            return *def;
        }
    }
    ADD_FAILURE() << "no momentum agent " << name;
    return *momentum_agents().front();
}

// One shared workspace, reset between calls, as the orchestrator reuses it.
inline AgentResult evaluate_on(const AgentDef& def, const market::BarsView& bars) {
    static Workspace workspace;
    workspace.reset();
    return def.evaluate(bars, workspace);
}

inline AgentResult evaluate_on(std::string_view name, const Bars& bars) {
    return evaluate_on(find_momentum_agent(name), bars.view());
}

// The AgentResult contract.
inline void expect_valid(const AgentResult& r) {
    EXPECT_TRUE(std::isfinite(r.confidence));
    EXPECT_TRUE(std::isfinite(r.score));
    EXPECT_GE(r.confidence, 0.0);
    EXPECT_LE(r.confidence, 1.0);
    EXPECT_GE(r.score, -1.0);
    EXPECT_LE(r.score, 1.0);
    EXPECT_FALSE(r.reason.empty());
    switch (r.action) {
        case Action::kBuy:
            EXPECT_GT(r.score, 0.0) << r.reason;
            EXPECT_GE(r.confidence, 0.3) << r.reason;
            break;
        case Action::kSell:
            EXPECT_LT(r.score, 0.0) << r.reason;
            EXPECT_GE(r.confidence, 0.3) << r.reason;
            break;
        case Action::kHold:
            EXPECT_LT(std::abs(r.score), 1.0) << r.reason;
            break;
        case Action::kAbstain:
            EXPECT_EQ(r.score, 0.0) << r.reason;
            break;
    }
    for (const auto& v : r.values()) {
        EXPECT_FALSE(v.key.empty());
    }
}

}  // namespace gs::agents::momentum_test
