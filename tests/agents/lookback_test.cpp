// src/agents/lookback.h transcribes each kernel's warm-up so that agents derive min_bars from
// their periods; here every function is checked against the kernel itself: the first bar
// with a value is bar `lookback` (and, with periods other than the agents', the rule holds
// in general, not just for one set of numbers).
#include "agents/lookback.h"

#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "agents/agent_test_util.h"
#include "goldensignals/indicators/ad.h"
#include "goldensignals/indicators/adx.h"
#include "goldensignals/indicators/aroon.h"
#include "goldensignals/indicators/bbands.h"
#include "goldensignals/indicators/cci.h"
#include "goldensignals/indicators/cmf.h"
#include "goldensignals/indicators/cmo.h"
#include "goldensignals/indicators/core.h"
#include "goldensignals/indicators/emv.h"
#include "goldensignals/indicators/ichimoku.h"
#include "goldensignals/indicators/kama.h"
#include "goldensignals/indicators/keltner.h"
#include "goldensignals/indicators/linreg.h"
#include "goldensignals/indicators/macd.h"
#include "goldensignals/indicators/mfi.h"
#include "goldensignals/indicators/mom.h"
#include "goldensignals/indicators/natr.h"
#include "goldensignals/indicators/obv.h"
#include "goldensignals/indicators/ppo.h"
#include "goldensignals/indicators/pvo.h"
#include "goldensignals/indicators/roc.h"
#include "goldensignals/indicators/rsi.h"
#include "goldensignals/indicators/sar.h"
#include "goldensignals/indicators/statistics.h"
#include "goldensignals/indicators/stoch.h"
#include "goldensignals/indicators/supertrend.h"
#include "goldensignals/indicators/t3.h"
#include "goldensignals/indicators/trix.h"
#include "goldensignals/indicators/ultosc.h"
#include "goldensignals/indicators/vwap.h"
#include "goldensignals/indicators/willr.h"

namespace gs::agents {
namespace {

using Kernel = std::function<void(const market::BarsView&, std::span<double>)>;

// Index of the first defined value: the kernel's lookback.
int first_value(const market::BarsView& bars, const Kernel& kernel) {
    std::vector<double> out(bars.size(), -1.0);
    kernel(bars, out);
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (!std::isnan(out[i])) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

class LookbackTest : public ::testing::Test {
  protected:
    const flow_agent_test::Bars data_ = flow_agent_test::load_bars("random_walk");
    market::BarsView bars() const { return data_.view().last(400); }

    void expect(int expected, const Kernel& kernel, const std::string& what) {
        EXPECT_EQ(first_value(bars(), kernel), expected) << what;
    }
};

TEST_F(LookbackTest, SingleInputKernels) {
    using namespace indicators;
    for (const int p : {2, 5, 14, 20}) {
        const auto at = std::to_string(p);
        expect(
            lookback::sma(p), [&](auto& b, auto o) { sma(b.close, p, o); }, "sma " + at);
        expect(
            lookback::ema(p), [&](auto& b, auto o) { ema(b.close, p, o); }, "ema " + at);
        expect(
            lookback::stddev(p), [&](auto& b, auto o) { stddev(b.close, p, o); }, "std " + at);
        expect(
            lookback::rsi(p), [&](auto& b, auto o) { rsi(b.close, p, o); }, "rsi " + at);
        expect(
            lookback::cmo(p), [&](auto& b, auto o) { cmo(b.close, p, o); }, "cmo " + at);
        expect(
            lookback::roc(p), [&](auto& b, auto o) { roc(b.close, p, o); }, "roc " + at);
        expect(
            lookback::mom(p), [&](auto& b, auto o) { mom(b.close, p, o); }, "mom " + at);
        expect(
            lookback::kama(p), [&](auto& b, auto o) { kama(b.close, p, o); }, "kama " + at);
        expect(
            lookback::linreg(p), [&](auto& b, auto o) { linreg_slope(b.close, p, o); },
            "linreg " + at);
        expect(
            lookback::zscore(p), [&](auto& b, auto o) { zscore(b.close, p, o); }, "zscore " + at);
        expect(
            lookback::prior_extreme(p), [&](auto& b, auto o) { prior_max(b.high, p, o); },
            "prior_max " + at);
        expect(
            lookback::t3(p), [&](auto& b, auto o) { t3(b.close, p, 0.7, o); }, "t3 " + at);
        expect(
            lookback::trix(p), [&](auto& b, auto o) { trix(b.close, p, o); }, "trix " + at);
        expect(
            lookback::bbands(p),
            [&](auto& b, auto o) {
                std::vector<double> m(b.size()), l(b.size());
                bbands(b.close, p, 2.0, 2.0, o, m, l);
            },
            "bbands " + at);
    }
}

TEST_F(LookbackTest, BarKernels) {
    using namespace indicators;
    for (const int p : {2, 5, 14, 20}) {
        const auto at = std::to_string(p);
        expect(
            lookback::atr(p), [&](auto& b, auto o) { atr(b.high, b.low, b.close, p, o); },
            "atr " + at);
        expect(
            lookback::natr(p), [&](auto& b, auto o) { natr(b.high, b.low, b.close, p, o); },
            "natr " + at);
        expect(
            lookback::cci(p), [&](auto& b, auto o) { cci(b.high, b.low, b.close, p, o); },
            "cci " + at);
        expect(
            lookback::willr(p), [&](auto& b, auto o) { willr(b.high, b.low, b.close, p, o); },
            "willr " + at);
        expect(
            lookback::mfi(p), [&](auto& b, auto o) { mfi(b.high, b.low, b.close, b.volume, p, o); },
            "mfi " + at);
        expect(
            lookback::cmf(p), [&](auto& b, auto o) { cmf(b.high, b.low, b.close, b.volume, p, o); },
            "cmf " + at);
        expect(
            lookback::emv(p), [&](auto& b, auto o) { emv(b.high, b.low, b.volume, p, o); },
            "emv " + at);
        expect(
            lookback::aroon(p),
            [&](auto& b, auto o) {
                std::vector<double> down(b.size());
                aroon(b.high, b.low, p, o, down);
            },
            "aroon " + at);
        expect(
            lookback::midprice(p), [&](auto& b, auto o) { midprice(b.high, b.low, p, o); },
            "midprice " + at);
        expect(
            lookback::vwap(p),
            [&](auto& b, auto o) {
                std::vector<double> m(b.size()), l(b.size());
                vwap(b.high, b.low, b.close, b.volume, p, 2.0, o, m, l);
            },
            "vwap " + at);
        expect(
            lookback::minus_plus_di(p),
            [&](auto& b, auto o) {
                std::vector<double> minus(b.size()), adx(b.size());
                dmi(b.high, b.low, b.close, p, o, minus, adx);
            },
            "di " + at);
        expect(
            lookback::adx(p),
            [&](auto& b, auto o) {
                std::vector<double> plus(b.size()), minus(b.size());
                dmi(b.high, b.low, b.close, p, plus, minus, o);
            },
            "adx " + at);
        expect(
            lookback::supertrend(p),
            [&](auto& b, auto o) {
                std::vector<double> dir(b.size());
                supertrend(b.high, b.low, b.close, p, 3.0, o, dir);
            },
            "supertrend " + at);
    }
    expect(
        lookback::sar(), [&](auto& b, auto o) { sar(b.high, b.low, 0.02, 0.2, o); }, "sar");
    expect(
        lookback::obv(), [&](auto& b, auto o) { obv(b.close, b.volume, o); }, "obv");
    expect(
        lookback::ad(), [&](auto& b, auto o) { ad(b.high, b.low, b.close, b.volume, o); }, "ad");
    expect(
        lookback::floor_pivots(),
        [&](auto& b, auto o) {
            std::vector<double> r1(b.size()), s1(b.size()), r2(b.size()), s2(b.size());
            floor_pivot_series(b.high, b.low, b.close, {o, r1, s1, r2, s2});
        },
        "floor pivots");
}

TEST_F(LookbackTest, MultiPeriodKernels) {
    using namespace indicators;
    struct Periods {
        int a, b, c;
    };
    for (const auto periods : {Periods{12, 26, 9}, Periods{3, 10, 5}, Periods{5, 34, 3}}) {
        // Named copies, not a structured binding: clang 14 (the sanitizer build) cannot
        // capture bindings in the lambdas below.
        const int f = periods.a;
        const int s = periods.b;
        const int g = periods.c;
        const auto at = std::to_string(f) + "/" + std::to_string(s) + "/" + std::to_string(g);
        expect(
            lookback::macd(f, s, g),
            [&](auto& b, auto o) {
                std::vector<double> sig(b.size()), hist(b.size());
                macd(b.close, f, s, g, o, sig, hist);
            },
            "macd " + at);
        expect(
            lookback::ppo(f, s), [&](auto& b, auto o) { ppo(b.close, f, s, o); }, "ppo " + at);
        expect(
            lookback::adosc(f, s),
            [&](auto& b, auto o) { adosc(b.high, b.low, b.close, b.volume, f, s, o); },
            "adosc " + at);
        expect(
            lookback::pvo(s),
            [&](auto& b, auto o) {
                std::vector<double> sig(b.size());
                pvo(b.volume, f, s, g, o, sig);
            },
            "pvo " + at);
        expect(
            lookback::pvo_signal(s, g),
            [&](auto& b, auto o) {
                std::vector<double> line(b.size());
                pvo(b.volume, f, s, g, line, o);
            },
            "pvo signal " + at);
        expect(
            lookback::keltner(s, f),
            [&](auto& b, auto o) {
                std::vector<double> m(b.size()), l(b.size());
                keltner(b.high, b.low, b.close, s, f, 2.0, o, m, l);
            },
            "keltner " + at);
        expect(
            lookback::stoch(s, g, g),
            [&](auto& b, auto o) {
                std::vector<double> d(b.size());
                stoch(b.high, b.low, b.close, s, g, g, o, d);
            },
            "stoch " + at);
        expect(
            lookback::stochf(s, g),
            [&](auto& b, auto o) {
                std::vector<double> k(b.size());
                stochf(b.high, b.low, b.close, s, g, k, o);
            },
            "stochf " + at);
        expect(
            lookback::stoch_rsi(f, s, g),
            [&](auto& b, auto o) {
                std::vector<double> r(b.size()), k(b.size());
                stoch_rsi(b.close, f, s, g, r, k, o);
            },
            "stoch_rsi " + at);
        expect(
            lookback::ultosc(s),
            [&](auto& b, auto o) { ultosc(b.high, b.low, b.close, g, f, s, o); }, "ultosc " + at);
    }
}

}  // namespace
}  // namespace gs::agents
