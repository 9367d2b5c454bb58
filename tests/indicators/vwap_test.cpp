#include "goldensignals/indicators/vwap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "indicators/flow_reference_util.h"

namespace gs::indicators {
namespace {

// TA-Lib has no VWAP: the reference is arithmetic by hand on short series, and on real data
// the textbook definition evaluated window by window (two passes, no running sums).
TEST(VwapTest, HandComputedPeriodTwo) {
    // Bars (h, l, c, v): (10,10,10,1), (20,20,20,3), (12,9,9,4) -> typical 10, 20, 10.
    // Bar 1: vwap = (10 x 1 + 20 x 3) / 4 = 17.5; variance = (1 x 7.5^2 + 3 x 2.5^2) / 4 =
    //        (56.25 + 18.75) / 4 = 18.75.
    // Bar 2: vwap = (20 x 3 + 10 x 4) / 7 = 100 / 7; variance = (3 x (20 - 100/7)^2 +
    //        4 x (10 - 100/7)^2) / 7 = (3 x 1600/49 + 4 x 900/49) / 7 = 8400 / 343.
    const std::vector<double> high = {10, 20, 12};
    const std::vector<double> low = {10, 20, 9};
    const std::vector<double> close = {10, 20, 9};
    const std::vector<double> volume = {1, 3, 4};
    std::vector<double> upper(3), middle(3), lower(3);
    vwap(high, low, close, volume, 2, 1.0, upper, middle, lower);
    EXPECT_TRUE(std::isnan(middle[0]) && std::isnan(upper[0]) && std::isnan(lower[0]));
    EXPECT_NEAR(middle[1], 17.5, 1e-12);
    EXPECT_NEAR(upper[1], 17.5 + std::sqrt(18.75), 1e-9);
    EXPECT_NEAR(lower[1], 17.5 - std::sqrt(18.75), 1e-9);
    EXPECT_NEAR(middle[2], 100.0 / 7.0, 1e-12);
    EXPECT_NEAR(upper[2], 100.0 / 7.0 + std::sqrt(8400.0 / 343.0), 1e-9);
}

TEST(VwapTest, MatchesTheDefinitionWindowByWindowOnRealData) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = flow_test::load_ref(name);
        const std::size_t n = ref.size();
        std::vector<double> upper(n), middle(n), lower(n);
        vwap(ref.high, ref.low, ref.close, ref.volume, 20, 2.0, upper, middle, lower);
        std::vector<double> mid_ref(n, kNaN), up_ref(n, kNaN);
        for (std::size_t i = 19; i < n; ++i) {
            double pv = 0.0;
            double v = 0.0;
            for (std::size_t j = i - 19; j <= i; ++j) {
                const double tp = (ref.high[j] + ref.low[j] + ref.close[j]) / 3.0;
                pv += tp * ref.volume[j];
                v += ref.volume[j];
            }
            const double mean = pv / v;
            double var = 0.0;
            for (std::size_t j = i - 19; j <= i; ++j) {
                const double tp = (ref.high[j] + ref.low[j] + ref.close[j]) / 3.0;
                var += ref.volume[j] * (tp - mean) * (tp - mean);
            }
            mid_ref[i] = mean;
            up_ref[i] = mean + 2.0 * std::sqrt(var / v);
        }
        flow_test::expect_matches(middle, mid_ref, 19, 1e-9);
        flow_test::expect_matches(upper, up_ref, 19, 1e-9);
    }
}

TEST(VwapTest, WindowWithoutVolumeIsUndefined) {
    const std::vector<double> price = {10, 11, 12, 13};
    const std::vector<double> volume = {5, 0, 0, 7};
    std::vector<double> upper(4), middle(4), lower(4);
    vwap(price, price, price, volume, 2, 2.0, upper, middle, lower);
    EXPECT_DOUBLE_EQ(middle[1], 10.0);
    EXPECT_TRUE(std::isnan(middle[2]) && std::isnan(upper[2]) && std::isnan(lower[2]));
    EXPECT_DOUBLE_EQ(middle[3], 13.0);
    EXPECT_DOUBLE_EQ(upper[3], 13.0);  // one traded price: no dispersion
}

}  // namespace
}  // namespace gs::indicators

namespace gs::indicators {
namespace {

TEST(VwapTest, SingleBarFormAgreesWithTheFullSeries) {
    const auto ref = flow_test::load_ref("random_walk");
    const std::size_t n = ref.size();
    std::vector<double> upper(n), middle(n), lower(n);
    vwap(ref.high, ref.low, ref.close, ref.volume, 20, 2.0, upper, middle, lower);
    for (std::size_t i = 0; i <= n; ++i) {
        const VwapBands b = vwap_at(ref.high, ref.low, ref.close, ref.volume, 20, 2.0, i);
        if (i < 19 || i == n) {
            EXPECT_TRUE(std::isnan(b.middle)) << i;
            continue;
        }
        EXPECT_NEAR(b.middle, middle[i], 1e-10 * middle[i]) << i;
        EXPECT_NEAR(b.upper, upper[i], 1e-9 * upper[i]) << i;
        EXPECT_NEAR(b.lower, lower[i], 1e-9 * lower[i]) << i;
    }
    const std::vector<double> price = {10, 11, 12};
    const std::vector<double> none = {0, 0, 0};
    EXPECT_TRUE(std::isnan(vwap_at(price, price, price, none, 2, 2.0, 2).middle));
}

}  // namespace
}  // namespace gs::indicators

namespace gs::indicators {
namespace {

// As for CMF: after large volumes leave, a window without volume has no price (NaN), and a
// window with little volume has the VWAP of what traded in it, not running-sum residue.
TEST(VwapTest, AfterLargeVolumesLeaveTheWindowOnlyItsOwnBarsCount) {
    std::vector<double> price, volume;
    for (int i = 0; i < 30; ++i) {
        price.push_back(100.0 + 0.731 * i);
        volume.push_back(i < 10 ? 3e9 + 777.0 * i : (i < 20 ? 0.0 : 1.0));
    }
    std::vector<double> upper(30), middle(30), lower(30);
    vwap(price, price, price, volume, 5, 2.0, upper, middle, lower);
    for (std::size_t i = 14; i < 20; ++i) {
        EXPECT_TRUE(std::isnan(middle[i])) << "bar " << i << ": " << middle[i];
    }
    // Bars 20..24 each traded 1 at its own price: the plain mean of those prices.
    double mean = 0.0;
    for (std::size_t i = 20; i < 25; ++i) {
        mean += price[i] / 5.0;
    }
    EXPECT_NEAR(middle[24], mean, 1e-12 * mean);
    for (std::size_t i = 0; i < 30; ++i) {
        const VwapBands b = vwap_at(price, price, price, volume, 5, 2.0, i);
        EXPECT_TRUE(b.middle == middle[i] || (std::isnan(b.middle) && std::isnan(middle[i])));
    }
}

}  // namespace
}  // namespace gs::indicators
