#include "goldensignals/indicators/macd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "indicators/trend_reference_util.h"

namespace gs::indicators {
namespace {

class MacdReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MacdReferenceTest, LineSignalAndHistogramMatchTaLib) {
    const auto r = trend_test::load_ref(GetParam());
    const std::size_t n = r.close.size();
    std::vector<double> line(n), signal(n), hist(n);
    macd(r.close, 12, 26, 9, line, signal, hist);
    EXPECT_EQ(macd_lookback(12, 26, 9), 33);
    trend_test::expect_matches_reference(line, r.talib.column("macd"), 33);
    trend_test::expect_matches_reference(signal, r.talib.column("macd_signal"), 33);
    trend_test::expect_matches_reference(hist, r.talib.column("macd_hist"), 33);
}

INSTANTIATE_TEST_SUITE_P(TaLib, MacdReferenceTest, ::testing::ValuesIn(trend_test::kDataSets));

TEST(MacdTest, FastEmaIsSeededOnTheSlowSeedBarNotAsTaEma) {
    // TA-Lib's quirk that the reference test relies on: the MACD line is not ema(12) - ema(26).
    std::vector<double> close(60);
    for (std::size_t i = 0; i < close.size(); ++i) {
        close[i] = 100.0 + static_cast<double>(i * i % 17);
    }
    std::vector<double> line(60), signal(60), hist(60), fast(60), slow(60);
    macd(close, 12, 26, 9, line, signal, hist);
    ema(close, 12, fast);
    ema(close, 26, slow);
    EXPECT_GT(std::abs(line[40] - (fast[40] - slow[40])), 1e-9);
    EXPECT_DOUBLE_EQ(hist[40], line[40] - signal[40]);
}

TEST(MacdTest, ShortAndFlatInputs) {
    for (std::size_t n : {0u, 1u, 33u}) {
        std::vector<double> close(n, 5.0), line(n, 1.0), signal(n, 1.0), hist(n, 1.0);
        macd(close, 12, 26, 9, line, signal, hist);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_TRUE(std::isnan(line[i]) && std::isnan(signal[i]) && std::isnan(hist[i]));
        }
    }
    std::vector<double> close(34, 5.0), line(34), signal(34), hist(34);
    macd(close, 26, 12, 9, line, signal, hist);  // swapped periods, as TA-Lib allows
    EXPECT_EQ(line[33], 0.0);
    EXPECT_EQ(signal[33], 0.0);
    EXPECT_EQ(hist[33], 0.0);
    EXPECT_TRUE(std::isnan(line[32]));
}

}  // namespace
}  // namespace gs::indicators
