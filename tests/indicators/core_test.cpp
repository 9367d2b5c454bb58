#include "goldensignals/indicators/core.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

using trend_test::expect_matches_reference;
using trend_test::load_ref;

class CoreReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CoreReferenceTest, SmaMatchesTaLib) {
    const auto r = load_ref(GetParam());
    std::vector<double> out(r.close.size());
    for (int period : {5, 20, 34, 50, 200}) {
        SCOPED_TRACE(period);
        sma(r.close, period, out);
        expect_matches_reference(out, r.talib.column("sma_" + std::to_string(period)),
                                 static_cast<std::size_t>(period - 1));
    }
    sma(r.volume, 20, out);
    expect_matches_reference(out, r.talib.column("sma_volume_20"), 19);
}

TEST_P(CoreReferenceTest, SmaOfMedianPriceMatchesTaLib) {
    const auto r = load_ref(GetParam());
    std::vector<double> median(r.close.size());
    for (std::size_t i = 0; i < median.size(); ++i) {
        median[i] = (r.high[i] + r.low[i]) / 2.0;
    }
    std::vector<double> out(r.close.size());
    sma(median, 5, out);
    expect_matches_reference(out, r.talib.column("median_sma_5"), 4);
    sma(median, 34, out);
    expect_matches_reference(out, r.talib.column("median_sma_34"), 33);
}

TEST_P(CoreReferenceTest, EmaMatchesTaLib) {
    const auto r = load_ref(GetParam());
    std::vector<double> out(r.close.size());
    for (int period : {8, 12, 13, 20, 21, 26, 34, 55, 89}) {
        SCOPED_TRACE(period);
        ema(r.close, period, out);
        expect_matches_reference(out, r.talib.column("ema_" + std::to_string(period)),
                                 static_cast<std::size_t>(period - 1));
    }
}

TEST_P(CoreReferenceTest, EmaInPlaceEqualsOutOfPlace) {
    const auto r = load_ref(GetParam());
    std::vector<double> out(r.close.size());
    ema(r.close, 12, out);
    std::vector<double> in_place = r.close;
    ema(in_place, 12, in_place);
    for (std::size_t i = 11; i < out.size(); ++i) {
        ASSERT_EQ(in_place[i], out[i]) << i;
    }
}

TEST_P(CoreReferenceTest, RollingMaxMinMatchTaLib) {
    const auto r = load_ref(GetParam());
    std::vector<double> out(r.close.size());
    for (int period : {20, 22, 252}) {
        SCOPED_TRACE(period);
        rolling_max(r.high, period, out);
        expect_matches_reference(out, r.talib.column("max_high_" + std::to_string(period)),
                                 static_cast<std::size_t>(period - 1), 1e-12);
        rolling_min(r.low, period, out);
        expect_matches_reference(out, r.talib.column("min_low_" + std::to_string(period)),
                                 static_cast<std::size_t>(period - 1), 1e-12);
    }
}

TEST_P(CoreReferenceTest, StddevMatchesTaLib) {
    const auto r = load_ref(GetParam());
    std::vector<double> out(r.close.size());
    stddev(r.close, 20, out);
    expect_matches_reference(out, r.talib.column("stddev_20"), 19);
}

TEST_P(CoreReferenceTest, TrueRangeAndAtrMatchTaLib) {
    const auto r = load_ref(GetParam());
    std::vector<double> out(r.close.size());
    true_range(r.high, r.low, r.close, out);
    expect_matches_reference(out, r.talib.column("trange"), 1);
    for (int period : {10, 14, 20, 22}) {
        SCOPED_TRACE(period);
        atr(r.high, r.low, r.close, period, out);
        expect_matches_reference(out, r.talib.column("atr_" + std::to_string(period)),
                                 static_cast<std::size_t>(period));
    }
}

INSTANTIATE_TEST_SUITE_P(TaLib, CoreReferenceTest, ::testing::ValuesIn(trend_test::kDataSets));

TEST(CoreTest, ShortInputsAreAllNaNAndDoNotCrash) {
    for (std::size_t n : {0u, 1u, 3u}) {
        std::vector<double> in(n, 10.0);
        std::vector<double> out(n, 0.0);
        sma(in, 5, out);
        for (double v : out) {
            EXPECT_TRUE(std::isnan(v));
        }
        ema(in, 5, out);
        for (double v : out) {
            EXPECT_TRUE(std::isnan(v));
        }
        rolling_max(in, 5, out);
        for (double v : out) {
            EXPECT_TRUE(std::isnan(v));
        }
        atr(in, in, in, 5, out);
        for (double v : out) {
            EXPECT_TRUE(std::isnan(v));
        }
    }
}

TEST(CoreTest, StartsAtFirstValueOfAnotherKernelsOutput) {
    // sma over [NaN, NaN, 1, 2, 3, 4]: period 2 -> NaN, NaN, NaN, 1.5, 2.5, 3.5.
    const std::vector<double> in = {kNaN, kNaN, 1.0, 2.0, 3.0, 4.0};
    std::vector<double> out(in.size());
    sma(in, 2, out);
    EXPECT_TRUE(std::isnan(out[2]));
    EXPECT_DOUBLE_EQ(out[3], 1.5);
    EXPECT_DOUBLE_EQ(out[5], 3.5);
    // ema period 2 (k = 2/3): seed (1+2)/2 = 1.5 at index 3, then (3-1.5)*2/3+1.5 = 2.5.
    ema(in, 2, out);
    EXPECT_TRUE(std::isnan(out[2]));
    EXPECT_DOUBLE_EQ(out[3], 1.5);
    EXPECT_DOUBLE_EQ(out[4], 2.5);
    EXPECT_EQ(first_value(in), 2u);
    EXPECT_DOUBLE_EQ(last_value(out), out[5]);
}

TEST(CoreTest, FlatPricesGiveZeroDeviationAndRange) {
    const std::vector<double> flat(40, 7.0);
    std::vector<double> out(flat.size());
    stddev(flat, 20, out);
    EXPECT_EQ(out[39], 0.0);
    atr(flat, flat, flat, 14, out);
    EXPECT_EQ(out[39], 0.0);
}

}  // namespace
}  // namespace gs::indicators
