#include "goldensignals/indicators/bbands.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "indicators/flow_reference_util.h"

namespace gs::indicators {
namespace {

using flow_test::expect_matches;
using flow_test::load_ref;

TEST(BbandsTest, MatchesTaLibBbands20With2Deviations) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = load_ref(name);
        const std::size_t n = ref.size();
        std::vector<double> upper(n), middle(n), lower(n);
        bbands(ref.close, 20, 2.0, 2.0, upper, middle, lower);
        expect_matches(upper, ref.talib.column("bb_upper"), 19);
        expect_matches(middle, ref.talib.column("bb_middle"), 19);
        expect_matches(lower, ref.talib.column("bb_lower"), 19);
    }
}

// John Bollinger's own 20-day bands for the gnuplot finance data, rounded to the cent: the
// population standard deviation reproduces them (a sample deviation would be ~2.6% wider).
TEST(BbandsTest, MatchesJohnBollingersPublishedBands) {
    const auto bars = gs::testing::ReferenceTable::load("finance.csv");
    const auto& close = bars.column("close");
    const std::size_t n = close.size();
    std::vector<double> upper(n), middle(n), lower(n);
    bbands(close, 20, 2.0, 2.0, upper, middle, lower);
    const auto& up_ref = bars.column("bb_upper_ref");
    const auto& mid_ref = bars.column("bb_middle_ref");
    const auto& low_ref = bars.column("bb_lower_ref");
    std::size_t compared = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(mid_ref[i])) {
            continue;
        }
        ++compared;
        // Half a cent of rounding, plus a hair for the binary representation.
        EXPECT_NEAR(middle[i], mid_ref[i], 0.005 + 1e-9) << "row " << i;
        EXPECT_NEAR(upper[i], up_ref[i], 0.005 + 1e-9) << "row " << i;
        EXPECT_NEAR(lower[i], low_ref[i], 0.005 + 1e-9) << "row " << i;
    }
    EXPECT_EQ(compared, n - 19);
}

TEST(BbandsTest, HandComputedSmallWindowAndAsymmetricDeviations) {
    // Window of 4 over 1, 2, 3, 4: mean 2.5, population variance (2.25 + 0.25 + 0.25 + 2.25) / 4
    // = 1.25, sd = sqrt(1.25). Next window 2, 3, 4, 9: mean 4.5, squared deviations 6.25 2.25
    // 0.25 20.25 sum 29 -> variance 7.25.
    const std::vector<double> close = {1, 2, 3, 4, 9};
    std::vector<double> upper(5), middle(5), lower(5);
    bbands(close, 4, 2.0, 1.0, upper, middle, lower);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_TRUE(std::isnan(upper[i]) && std::isnan(middle[i]) && std::isnan(lower[i]));
    }
    EXPECT_DOUBLE_EQ(middle[3], 2.5);
    EXPECT_NEAR(upper[3], 2.5 + 2.0 * std::sqrt(1.25), 1e-12);
    EXPECT_NEAR(lower[3], 2.5 - 1.0 * std::sqrt(1.25), 1e-12);
    EXPECT_DOUBLE_EQ(middle[4], 4.5);
    EXPECT_NEAR(upper[4], 4.5 + 2.0 * std::sqrt(7.25), 1e-12);
}

TEST(BbandsTest, PercentBIsZeroOnLowerOneOnUpperAndHalfWhenCollapsed) {
    const std::vector<double> close = {90, 110, 100, 100, 120};
    const std::vector<double> upper = {110, 110, 100, kNaN, 110};
    const std::vector<double> lower = {90, 90, 100, kNaN, 90};
    std::vector<double> pb(5);
    percent_b(close, upper, lower, pb);
    EXPECT_DOUBLE_EQ(pb[0], 0.0);
    EXPECT_DOUBLE_EQ(pb[1], 1.0);
    EXPECT_DOUBLE_EQ(pb[2], 0.5);
    EXPECT_TRUE(std::isnan(pb[3]));
    EXPECT_DOUBLE_EQ(pb[4], 1.5);
}

TEST(BbandsTest, FlatPricesGiveZeroWidthBands) {
    const std::vector<double> close(30, 42.0);
    std::vector<double> upper(30), middle(30), lower(30);
    bbands(close, 20, 2.0, 2.0, upper, middle, lower);
    EXPECT_DOUBLE_EQ(upper[29], 42.0);
    EXPECT_DOUBLE_EQ(lower[29], 42.0);
}

TEST(BbandsTest, FewerBarsThanThePeriodAreAllWarmUp) {
    const std::vector<double> close = {1.0, 2.0};
    std::vector<double> upper(2), middle(2), lower(2);
    bbands(close, 20, 2.0, 2.0, upper, middle, lower);
    EXPECT_TRUE(std::isnan(upper[1]) && std::isnan(middle[1]) && std::isnan(lower[1]));
    bbands(std::span<const double>(), 20, 2.0, 2.0, {}, {}, {});  // no bars: no crash
}

}  // namespace
}  // namespace gs::indicators

namespace gs::indicators {
namespace {

TEST(BbandsTest, SingleBarFormAgreesWithTheFullSeries) {
    const auto ref = flow_test::load_ref("random_walk");
    const std::size_t n = ref.size();
    std::vector<double> upper(n), middle(n), lower(n);
    bbands(ref.close, 20, 2.0, 2.0, upper, middle, lower);
    for (std::size_t i = 0; i < n; ++i) {
        const Bands b = bbands_at(ref.close, 20, 2.0, 2.0, i);
        if (i < 19) {
            EXPECT_TRUE(std::isnan(b.upper) && std::isnan(b.middle) && std::isnan(b.lower)) << i;
            continue;
        }
        EXPECT_NEAR(b.upper, upper[i], 1e-10 * upper[i]) << i;
        EXPECT_NEAR(b.middle, middle[i], 1e-10 * middle[i]) << i;
        EXPECT_NEAR(b.lower, lower[i], 1e-10 * std::abs(lower[i])) << i;
    }
    EXPECT_TRUE(std::isnan(bbands_at(ref.close, 20, 2.0, 2.0, n).middle));  // past the end
}

}  // namespace
}  // namespace gs::indicators
