#pragma once

// Hand-made bars for the pattern and statistical agent tests: candles appended one at a time,
// and the reference CSVs' bars, viewed as a BarsView.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "goldensignals/agents/agent.h"
#include "goldensignals/market/bars_view.h"
#include "support/reference_data.h"

namespace gs::agents::test_bars {

inline constexpr std::int64_t kDay = 86'400;

struct BarsBuilder {
    std::vector<std::int64_t> time;
    std::vector<double> open, high, low, close, volume;

    BarsBuilder& add(double o, double h, double l, double c, double v = 1000.0) {
        time.push_back(time.empty() ? 1'600'000'000 : time.back() + kDay);
        open.push_back(o);
        high.push_back(h);
        low.push_back(l);
        close.push_back(c);
        volume.push_back(v);
        return *this;
    }
    // `count` bars with the same OHLCV.
    BarsBuilder& repeat(std::size_t count, double o, double h, double l, double c,
                        double v = 1000.0) {
        for (std::size_t k = 0; k < count; ++k) {
            add(o, h, l, c, v);
        }
        return *this;
    }
    // `count` black candles falling 0.5 a bar from `from`: open p, close p - 0.5, high p + 0.1,
    // low p - 0.6 (bodies 0.5, ranges 0.7). Returns the last close.
    double fall(std::size_t count, double from) {
        double p = from;
        for (std::size_t k = 0; k < count; ++k) {
            add(p, p + 0.1, p - 0.6, p - 0.5);
            p -= 0.5;
        }
        return p;
    }
    // The mirror: white candles rising 0.5 a bar: open p, close p + 0.5, high p + 0.6, low p - 0.1.
    double rise(std::size_t count, double from) {
        double p = from;
        for (std::size_t k = 0; k < count; ++k) {
            add(p, p + 0.6, p - 0.1, p + 0.5);
            p += 0.5;
        }
        return p;
    }
    std::size_t size() const { return close.size(); }

    market::BarsView view() const { return {time, open, high, low, close, volume}; }
};

// The same prices with a gap of 30 days after every 7th bar: times must not matter.
inline BarsBuilder with_gapped_times(BarsBuilder b) {
    std::int64_t shift = 0;
    for (std::size_t i = 0; i < b.time.size(); ++i) {
        if (i % 7 == 6) {
            shift += 30 * kDay;
        }
        b.time[i] += shift;
    }
    return b;
}

inline BarsBuilder from_table(const gs::testing::ReferenceTable& t) {
    BarsBuilder b;
    const auto& o = t.column("open");
    const auto& h = t.column("high");
    const auto& l = t.column("low");
    const auto& c = t.column("close");
    const auto& v = t.column("volume");
    for (std::size_t i = 0; i < t.rows(); ++i) {
        b.add(o[i], h[i], l[i], c[i], v[i]);
    }
    return b;
}

// The invariants every agent result keeps.
inline ::testing::AssertionResult well_formed(const AgentResult& r) {
    if (!(r.confidence >= 0.0 && r.confidence <= 1.0)) {
        return ::testing::AssertionFailure() << "confidence " << r.confidence;
    }
    if (!(r.score >= -1.0 && r.score <= 1.0)) {
        return ::testing::AssertionFailure() << "score " << r.score;
    }
    if (r.action == Action::kBuy && !(r.score > 0.0)) {
        return ::testing::AssertionFailure() << "BUY with score " << r.score;
    }
    if (r.action == Action::kSell && !(r.score < 0.0)) {
        return ::testing::AssertionFailure() << "SELL with score " << r.score;
    }
    if (r.reason.empty()) {
        return ::testing::AssertionFailure() << "empty reason";
    }
    for (const auto& v : r.values()) {
        if (std::isinf(v.value)) {
            return ::testing::AssertionFailure() << v.key << " is infinite";
        }
    }
    return ::testing::AssertionSuccess();
}

}  // namespace gs::agents::test_bars
