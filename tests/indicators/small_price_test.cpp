// Oscillators are ratios of price differences, so they must not depend on the price unit. A
// zero threshold of 1e-8 (TA-Lib 0.4.0's TA_IS_ZERO) zeroed them for a coin priced at 1e-7;
// TA-Lib's TA_EPSILON of 1e-14, which the kernels follow, leaves such prices alone.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "goldensignals/indicators/adx.h"
#include "goldensignals/indicators/cci.h"
#include "goldensignals/indicators/cmo.h"
#include "goldensignals/indicators/kama.h"
#include "goldensignals/indicators/natr.h"
#include "goldensignals/indicators/ppo.h"
#include "goldensignals/indicators/rsi.h"
#include "goldensignals/indicators/ultosc.h"
#include "support/reference_data.h"

namespace gs::indicators {
namespace {

using gs::testing::ReferenceTable;
using Series = std::vector<double>;

struct Bars {
    Series high, low, close;
};

Bars scaled(const ReferenceTable& t, double factor) {
    Bars b;
    for (std::size_t i = 0; i < t.rows(); ++i) {
        b.high.push_back(t.column("high")[i] * factor);
        b.low.push_back(t.column("low")[i] * factor);
        b.close.push_back(t.column("close")[i] * factor);
    }
    return b;
}

struct Case {
    const char* name;
    std::function<void(const Bars&, std::span<double>)> run;
};

const Case kCases[] = {
    {"rsi_14", [](const Bars& b, std::span<double> out) { rsi(b.close, 14, out); }},
    {"cmo_14", [](const Bars& b, std::span<double> out) { cmo(b.close, 14, out); }},
    {"cci_20", [](const Bars& b, std::span<double> out) { cci(b.high, b.low, b.close, 20, out); }},
    {"ultosc",
     [](const Bars& b, std::span<double> out) { ultosc(b.high, b.low, b.close, 7, 14, 28, out); }},
    {"natr_14",
     [](const Bars& b, std::span<double> out) { natr(b.high, b.low, b.close, 14, out); }},
    {"ppo", [](const Bars& b, std::span<double> out) { ppo(b.close, 12, 26, out); }},
    {"plus_di_14",
     [](const Bars& b, std::span<double> out) {
         Series minus(out.size()), adx(out.size());
         dmi(b.high, b.low, b.close, 14, out, minus, adx);
     }},
    {"adx_14",
     [](const Bars& b, std::span<double> out) {
         Series plus(out.size()), minus(out.size());
         dmi(b.high, b.low, b.close, 14, plus, minus, out);
     }},
};

// Prices around 1e-7 (random_walk.csv's 100 times 1e-9): daily moves of ~1e-9, averages of
// gains and losses of ~1e-9, all far above 1e-14 and all below 1e-8.
TEST(SmallPriceTest, ScaleFreeKernelsGiveTheSameValuesAtOneTenMillionth) {
    const auto table = ReferenceTable::load("random_walk.csv");
    const auto base = scaled(table, 1.0);
    const auto tiny = scaled(table, 1e-9);
    for (const auto& c : kCases) {
        SCOPED_TRACE(c.name);
        Series expected(table.rows()), got(table.rows());
        c.run(base, expected);
        c.run(tiny, got);
        std::size_t compared = 0;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            if (std::isnan(expected[i])) {
                EXPECT_TRUE(std::isnan(got[i])) << "bar " << i;
                continue;
            }
            // Values near 0 (a CCI or PPO crossing) are measured against 1 unit of the
            // oscillator: the scaled prices differ from the originals by an ulp each.
            EXPECT_NEAR(got[i], expected[i], 1e-9 * std::max(1.0, std::abs(expected[i])))
                << "bar " << i;
            ++compared;
        }
        EXPECT_GT(compared, table.rows() / 2);
    }
}

// KAMA is in price units: it scales with the prices. With the 1e-8 epsilon every window of
// a 1e-7 coin counted as flat (efficiency 1) and KAMA tracked the close.
TEST(SmallPriceTest, KamaScalesWithThePrices) {
    const auto table = ReferenceTable::load("random_walk.csv");
    const auto base = scaled(table, 1.0);
    const auto tiny = scaled(table, 1e-9);
    Series expected(table.rows()), got(table.rows());
    kama(base.close, 10, expected);
    kama(tiny.close, 10, got);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        if (std::isnan(expected[i])) {
            EXPECT_TRUE(std::isnan(got[i])) << "bar " << i;
            continue;
        }
        EXPECT_NEAR(got[i] / 1e-9, expected[i], 1e-9 * std::abs(expected[i])) << "bar " << i;
    }
}

}  // namespace
}  // namespace gs::indicators
