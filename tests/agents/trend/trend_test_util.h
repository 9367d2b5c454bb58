#pragma once

// Bars builders and result checks shared by the trend agents' tests.

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "goldensignals/agents/agent.h"
#include "goldensignals/market/bars_view.h"
#include "support/reference_data.h"

namespace gs::agents::trend_test {

struct OwnedBars {
    std::vector<std::int64_t> time;
    std::vector<double> open, high, low, close, volume;

    market::BarsView view() const { return {time, open, high, low, close, volume}; }
    std::size_t size() const { return close.size(); }
};

// Daily bars following `closes`: open = previous close, high / low = the body's extremes
// widened by `wick` (a fraction of the price), volume 1000.
inline OwnedBars from_closes(const std::vector<double>& closes, double wick = 0.002) {
    OwnedBars b;
    for (std::size_t i = 0; i < closes.size(); ++i) {
        const double c = closes[i];
        const double o = i == 0 ? c : closes[i - 1];
        b.time.push_back(1'600'000'000 + static_cast<std::int64_t>(i) * 86'400);
        b.open.push_back(o);
        b.high.push_back(std::max(o, c) * (1.0 + wick));
        b.low.push_back(std::min(o, c) * (1.0 - wick));
        b.close.push_back(c);
        b.volume.push_back(1000.0);
    }
    return b;
}

// `n` bars at one price: zero range, zero volume.
inline OwnedBars flat(std::size_t n, double price = 100.0) {
    OwnedBars b = from_closes(std::vector<double>(n, price), 0.0);
    b.volume.assign(n, 0.0);
    return b;
}

// `n` closes growing by `rate` a bar (negative: falling) from `from`.
inline std::vector<double> geometric(double from, double rate, std::size_t n) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = from * std::pow(1.0 + rate, static_cast<double>(i));
    }
    return v;
}

// `a` followed by `b` rescaled to start where `a` ends.
inline std::vector<double> then(std::vector<double> a, const std::vector<double>& b) {
    const double scale = a.empty() ? 1.0 : a.back() / b.front();
    for (double x : b) {
        a.push_back(x * scale);
    }
    return a;
}

inline std::vector<double> sine(double mid, double amplitude, double period, std::size_t n) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) {
        v[i] = mid + amplitude * std::sin(2.0 * M_PI * static_cast<double>(i) / period);
    }
    return v;
}

// One of the reference bar files (tests/reference/data/<name>.csv).
inline OwnedBars load(const std::string& name) {
    const auto t = gs::testing::ReferenceTable::load(name + ".csv");
    OwnedBars b{{},
                t.column("open"),
                t.column("high"),
                t.column("low"),
                t.column("close"),
                t.column("volume")};
    for (std::size_t i = 0; i < b.close.size(); ++i) {
        b.time.push_back(1'400'000'000 + static_cast<std::int64_t>(i) * 86'400);
    }
    return b;
}

inline OwnedBars head(const OwnedBars& b, std::size_t n) {
    OwnedBars h = b;
    h.time.resize(n);
    h.open.resize(n);
    h.high.resize(n);
    h.low.resize(n);
    h.close.resize(n);
    h.volume.resize(n);
    return h;
}

// The same bars with irregular gaps in time (weekends, a missing week, a halt).
inline OwnedBars with_gaps(OwnedBars b) {
    std::int64_t t = 1'000'000'000;
    for (std::size_t i = 0; i < b.time.size(); ++i) {
        t += (i % 7 == 6 ? 3 : 1) * 86'400 + (i % 50 == 49 ? 7 * 86'400 : 0) + (i % 3) * 60;
        b.time[i] = t;
    }
    return b;
}

inline AgentResult run(const AgentDef& def, const OwnedBars& bars) {
    Workspace ws;
    return def.evaluate(bars.view(), ws);
}

// The contract every result keeps.
inline void expect_well_formed(const AgentResult& r) {
    EXPECT_FALSE(r.reason.empty());
    EXPECT_GE(r.confidence, 0.0);
    EXPECT_LE(r.confidence, 1.0);
    EXPECT_GE(r.score, -1.0);
    EXPECT_LE(r.score, 1.0);
    EXPECT_TRUE(std::isfinite(r.confidence));
    EXPECT_TRUE(std::isfinite(r.score));
    if (r.action == Action::kBuy) {
        EXPECT_GT(r.score, 0.0) << r.reason;
        EXPECT_GE(r.confidence, 0.3) << r.reason;
    }
    if (r.action == Action::kSell) {
        EXPECT_LT(r.score, 0.0) << r.reason;
        EXPECT_GE(r.confidence, 0.3) << r.reason;
    }
}

inline const std::vector<double>& series_of(const SeriesSet& s, std::string_view key) {
    for (const auto& [k, v] : s.series) {
        if (k == key) {
            return v;
        }
    }
    ADD_FAILURE() << "no series " << key;
    static const std::vector<double> kEmpty;
    return kEmpty;
}

}  // namespace gs::agents::trend_test
