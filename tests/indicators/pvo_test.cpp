#include "goldensignals/indicators/pvo.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "indicators/flow_reference_util.h"

namespace gs::indicators {
namespace {

using flow_test::expect_matches;
using flow_test::load_ref;

TEST(PvoTest, MatchesTaLibPpoOnVolumeAndItsSignal) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = load_ref(name);
        std::vector<double> line(ref.size()), signal(ref.size());
        pvo(ref.volume, 12, 26, 9, line, signal);
        expect_matches(line, ref.talib.column("pvo"), 25);
        expect_matches(signal, ref.talib.column("pvo_signal"), 33);
    }
}

TEST(PvoTest, HandComputedShortPeriods) {
    // EMA 1 is the volume itself; EMA 2 seeds with (100 + 300) / 2 = 200 at bar 1, then
    // 200 + (150 - 200) * 2/3 = 166.67 at bar 2. PVO: bar 1 100 x (300 - 200) / 200 = 50,
    // bar 2 100 x (150 - 166.67) / 166.67 = -10. Signal EMA 2 over PVO from bar 1:
    // (50 - 10) / 2 = 20 at bar 2.
    const std::vector<double> volume = {100, 300, 150};
    std::vector<double> line(3), signal(3);
    pvo(volume, 1, 2, 2, line, signal);
    EXPECT_TRUE(std::isnan(line[0]));
    EXPECT_NEAR(line[1], 50.0, 1e-12);
    EXPECT_NEAR(line[2], -10.0, 1e-12);
    EXPECT_TRUE(std::isnan(signal[1]));
    EXPECT_NEAR(signal[2], 20.0, 1e-12);
}

TEST(PvoTest, ZeroVolumeGivesZeroNotNaN) {
    const std::vector<double> volume(40, 0.0);
    std::vector<double> line(40), signal(40);
    pvo(volume, 12, 26, 9, line, signal);
    EXPECT_DOUBLE_EQ(line[39], 0.0);
    EXPECT_DOUBLE_EQ(signal[39], 0.0);
}

}  // namespace
}  // namespace gs::indicators
