#include "goldensignals/indicators/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "support/reference_data.h"

namespace gs::indicators {
namespace {

using gs::testing::ReferenceTable;

bool close_enough(double ours, double expected) {
    return std::abs(ours - expected) <= 1e-6 * std::max(1.0, std::abs(expected));
}

class StatisticsReferenceTest : public ::testing::TestWithParam<std::string> {};

// z = (close - sma_20) / stddev_20 with both taken from TA-Lib's columns.
TEST_P(StatisticsReferenceTest, ZscoreComposesTaLibSmaAndStddev) {
    const auto bars = ReferenceTable::load(GetParam() + ".csv");
    const auto ref = ReferenceTable::load(GetParam() + "_talib.csv");
    const auto& close = bars.column("close");
    const auto& sma = ref.column("sma_20");
    const auto& sd = ref.column("stddev_20");
    std::vector<double> z(close.size());
    zscore(close, 20, z);
    std::size_t compared = 0;
    for (std::size_t i = 0; i < z.size(); ++i) {
        if (std::isnan(sma[i]) || std::isnan(sd[i])) {
            EXPECT_TRUE(std::isnan(z[i])) << "bar " << i;
            continue;
        }
        ASSERT_GT(sd[i], 0.0);
        const double expected = (close[i] - sma[i]) / sd[i];
        EXPECT_TRUE(close_enough(z[i], expected))
            << "bar " << i << ": " << z[i] << " vs " << expected;
        ++compared;
    }
    EXPECT_EQ(compared, z.size() - 19);
    EXPECT_EQ(first_value(z), 19u);
}

// The prior-bar extremes are TA_MAX / TA_MIN shifted by one bar.
TEST_P(StatisticsReferenceTest, PriorExtremesAreTaLibMaxMinShiftedOneBar) {
    const auto bars = ReferenceTable::load(GetParam() + ".csv");
    const auto ref = ReferenceTable::load(GetParam() + "_talib.csv");
    for (int period : {20, 22, 252}) {
        const auto& max_ref = ref.column("max_high_" + std::to_string(period));
        const auto& min_ref = ref.column("min_low_" + std::to_string(period));
        std::vector<double> hi(bars.rows());
        std::vector<double> lo(bars.rows());
        prior_max(bars.column("high"), period, hi);
        prior_min(bars.column("low"), period, lo);
        EXPECT_TRUE(std::isnan(hi[0]));
        for (std::size_t i = 1; i < hi.size(); ++i) {
            if (std::isnan(max_ref[i - 1])) {
                EXPECT_TRUE(std::isnan(hi[i]) && std::isnan(lo[i])) << period << " bar " << i;
            } else {
                EXPECT_EQ(hi[i], max_ref[i - 1]) << period << " bar " << i;
                EXPECT_EQ(lo[i], min_ref[i - 1]) << period << " bar " << i;
            }
        }
        EXPECT_EQ(first_value(hi), std::min<std::size_t>(period, hi.size()));
    }
}

INSTANTIATE_TEST_SUITE_P(ReferenceFiles, StatisticsReferenceTest,
                         ::testing::Values("finance", "random_walk"));

TEST(ZscoreTest, MatchesHandComputedValue) {
    // 1..5: mean 3, population variance (4 + 1 + 0 + 1 + 4) / 5 = 2, z(5) = 2 / sqrt(2).
    const std::vector<double> x = {1, 2, 3, 4, 5};
    std::vector<double> z(5);
    zscore(x, 5, z);
    EXPECT_TRUE(std::isnan(z[3]));
    EXPECT_NEAR(z[4], std::sqrt(2.0), 1e-12);
}

TEST(ZscoreTest, FlatWindowIsZeroNotNaN) {
    const std::vector<double> x(30, 101.7);
    std::vector<double> z(30);
    zscore(x, 20, z);
    for (std::size_t i = 19; i < 30; ++i) {
        EXPECT_EQ(z[i], 0.0) << i;
    }
}

TEST(FloorPivotsTest, MatchHandComputedLevels) {
    // H 12, L 9, C 11.1: pivot 32.1 / 3 = 10.7, r1 = 21.4 - 9 = 12.4, s1 = 21.4 - 12 = 9.4,
    // r2 = 10.7 + 3 = 13.7, s2 = 10.7 - 3 = 7.7.
    const auto p = floor_pivots(12.0, 9.0, 11.1);
    EXPECT_NEAR(p.pivot, 10.7, 1e-12);
    EXPECT_NEAR(p.r1, 12.4, 1e-12);
    EXPECT_NEAR(p.s1, 9.4, 1e-12);
    EXPECT_NEAR(p.r2, 13.7, 1e-12);
    EXPECT_NEAR(p.s2, 7.7, 1e-12);
}

TEST(FloorPivotsTest, SeriesUsesThePreviousBar) {
    const std::vector<double> h = {110, 12, 50};
    const std::vector<double> l = {100, 9, 40};
    const std::vector<double> c = {105, 11.1, 45};
    std::vector<double> p(3), r1(3), s1(3), r2(3), s2(3);
    floor_pivot_series(h, l, c, {p, r1, s1, r2, s2});
    EXPECT_TRUE(std::isnan(p[0]) && std::isnan(r1[0]) && std::isnan(s2[0]));
    // Bar 1 uses bar 0: H 110, L 100, C 105: pivot 105, r1 110, s1 100, r2 115, s2 95.
    EXPECT_DOUBLE_EQ(p[1], 105.0);
    EXPECT_DOUBLE_EQ(r1[1], 110.0);
    EXPECT_DOUBLE_EQ(s1[1], 100.0);
    EXPECT_DOUBLE_EQ(r2[1], 115.0);
    EXPECT_DOUBLE_EQ(s2[1], 95.0);
    EXPECT_NEAR(p[2], 10.7, 1e-12);
    EXPECT_NEAR(s2[2], 7.7, 1e-12);
}

TEST(FibonacciTest, MatchesHandComputedSwings) {
    const std::vector<double> h = {10, 12, 11, 14, 13, 9, 8, 8.5};
    const std::vector<double> l = {8, 9, 7, 10, 12, 8, 6, 7};
    std::vector<double> f382(8), f500(8), f618(8);
    fibonacci_retracements(h, l, 4, {f382, f500, f618});
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_TRUE(std::isnan(f382[i])) << i;
    }
    // Bar 4, bars 0-3: low 7 (bar 2) then high 14 (bar 3): up-swing of 7 retracing from 14:
    // 14 - 0.382 * 7 = 11.326, 14 - 3.5 = 10.5, 14 - 0.618 * 7 = 9.674.
    EXPECT_NEAR(f382[4], 11.326, 1e-12);
    EXPECT_NEAR(f500[4], 10.5, 1e-12);
    EXPECT_NEAR(f618[4], 9.674, 1e-12);
    // Bar 7, bars 3-6: high 14 (bar 3) then low 6 (bar 6): down-swing of 8 retracing up from 6:
    // 6 + 3.056 = 9.056, 6 + 4 = 10, 6 + 4.944 = 10.944.
    EXPECT_NEAR(f382[7], 9.056, 1e-12);
    EXPECT_NEAR(f500[7], 10.0, 1e-12);
    EXPECT_NEAR(f618[7], 10.944, 1e-12);
}

TEST(FibonacciTest, TiesTakeTheLatestExtreme) {
    // Highs tie at bars 0 and 2; the low (bar 1) lies between them: the latest high (bar 2)
    // came after the low, so it is an up-swing: 10 - 0.5 * 4 = 8 at bar 3.
    const std::vector<double> h = {10, 9, 10, 9.5};
    const std::vector<double> l = {7, 6, 8, 8};
    const auto swing = find_swing(std::span(h).first(3), std::span(l).first(3));
    EXPECT_EQ(swing.direction, 1);
    std::vector<double> f382(4), f500(4), f618(4);
    fibonacci_retracements(h, l, 3, {f382, f500, f618});
    EXPECT_DOUBLE_EQ(f500[3], 8.0);
}

// The O(n) tracker of the series kernel agrees with a direct scan of each window.
TEST(FibonacciTest, SeriesAgreesWithADirectScanOnEveryBar) {
    const auto bars = ReferenceTable::load("random_walk.csv");
    const auto& h = bars.column("high");
    const auto& l = bars.column("low");
    const std::size_t n = h.size();
    std::vector<double> f382(n), f500(n), f618(n);
    fibonacci_retracements(h, l, 50, {f382, f500, f618});
    for (std::size_t i = 50; i < n; ++i) {
        const auto levels = fibonacci_levels(
            find_swing(std::span(h).subspan(i - 50, 50), std::span(l).subspan(i - 50, 50)));
        ASSERT_EQ(f382[i], levels.fib_382) << i;
        ASSERT_EQ(f500[i], levels.fib_500) << i;
        ASSERT_EQ(f618[i], levels.fib_618) << i;
    }
}

TEST(StatisticsTest, EmptyAndShortInputsDoNotCrash) {
    for (std::size_t n : {0u, 1u, 3u}) {
        std::vector<double> x(n, 5.0), a(n), b(n), c(n), d(n), e(n);
        zscore(x, 20, a);
        prior_max(x, 252, b);
        prior_min(x, 252, c);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_TRUE(std::isnan(a[i]) && std::isnan(b[i]) && std::isnan(c[i])) << n;
        }
        fibonacci_retracements(x, x, 50, {a, b, c});
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_TRUE(std::isnan(a[i]) && std::isnan(b[i]) && std::isnan(c[i])) << n;
        }
        floor_pivot_series(x, x, x, {a, b, c, d, e});
        if (n > 0) {
            EXPECT_TRUE(std::isnan(a[0]));
        }
        if (n > 1) {
            EXPECT_EQ(a[1], 5.0);
        }
    }
}

}  // namespace
}  // namespace gs::indicators
