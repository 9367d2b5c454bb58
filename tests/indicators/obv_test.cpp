#include "goldensignals/indicators/obv.h"

#include <gtest/gtest.h>

#include <vector>

#include "indicators/flow_reference_util.h"

namespace gs::indicators {
namespace {

using flow_test::expect_matches;
using flow_test::load_ref;

TEST(ObvTest, MatchesTaLibObv) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = load_ref(name);
        std::vector<double> out(ref.size());
        obv(ref.close, ref.volume, out);
        expect_matches(out, ref.talib.column("obv"), 0, 1e-6, 1.0);
    }
}

TEST(ObvTest, StartsAtFirstVolumeAndAddsOrSubtractsByCloseDirection) {
    // 100, then up +200 = 300, unchanged 300, down -50 = 250.
    const std::vector<double> close = {10, 11, 11, 9};
    const std::vector<double> volume = {100, 200, 400, 50};
    std::vector<double> out(4);
    obv(close, volume, out);
    EXPECT_EQ(out, (std::vector<double>{100, 300, 300, 250}));
    obv(std::span<const double>(), std::span<const double>(), {});  // no bars: no crash
}

}  // namespace
}  // namespace gs::indicators
