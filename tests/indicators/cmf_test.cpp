#include "goldensignals/indicators/cmf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "indicators/flow_reference_util.h"

namespace gs::indicators {
namespace {

// TA-Lib has no CMF, but its numerator is a 20-bar difference of TA_AD:
//   cmf[i] = (ad[i] - ad[i - 20]) / sum(volume[i - 19 .. i])   (ad[-1] = 0)
TEST(CmfTest, ComposesFromTaLibAdColumn) {
    for (const auto& name : flow_test::kDataSets) {
        SCOPED_TRACE(name);
        const auto ref = flow_test::load_ref(name);
        const auto& line = ref.talib.column("ad");
        const std::size_t n = ref.size();
        std::vector<double> out(n);
        cmf(ref.high, ref.low, ref.close, ref.volume, 20, out);
        EXPECT_EQ(flow_test::leading_nans(out), 19u);
        for (std::size_t i = 19; i < n; ++i) {
            double volume = 0.0;
            for (std::size_t j = i - 19; j <= i; ++j) {
                volume += ref.volume[j];
            }
            const double before = i >= 20 ? line[i - 20] : 0.0;
            // The CSV keeps 10 significant digits of each A/D value.
            const double tol = 1e-9 * (std::abs(line[i]) + std::abs(before)) / volume + 1e-12;
            EXPECT_NEAR(out[i], (line[i] - before) / volume, tol) << "row " << i;
        }
    }
}

TEST(CmfTest, HandComputedPeriodTwo) {
    // Money-flow volumes: bar 0 close at the high +100; bar 1 ((11-10) - (14-11)) / 4 x 100 =
    // -50; bar 2 no range, 0. Bar 1: (100 - 50) / 200 = 0.25; bar 2: (-50 + 0) / 150 = -1/3.
    const std::vector<double> high = {12, 14, 10};
    const std::vector<double> low = {10, 10, 10};
    const std::vector<double> close = {12, 11, 10};
    const std::vector<double> volume = {100, 100, 50};
    std::vector<double> out(3);
    cmf(high, low, close, volume, 2, out);
    EXPECT_TRUE(std::isnan(out[0]));
    EXPECT_DOUBLE_EQ(out[1], 0.25);
    EXPECT_NEAR(out[2], -1.0 / 3.0, 1e-15);
}

TEST(CmfTest, NoVolumeGivesZero) {
    const std::vector<double> high = {12, 14, 13};
    const std::vector<double> low = {10, 10, 10};
    const std::vector<double> volume = {0, 0, 0};
    std::vector<double> out(3);
    cmf(high, low, high, volume, 2, out);
    EXPECT_DOUBLE_EQ(out[2], 0.0);
}

}  // namespace
}  // namespace gs::indicators

namespace gs::indicators {
namespace {

TEST(CmfTest, SingleBarFormAgreesWithTheFullSeries) {
    const auto ref = flow_test::load_ref("random_walk");
    const std::size_t n = ref.size();
    std::vector<double> out(n);
    cmf(ref.high, ref.low, ref.close, ref.volume, 20, out);
    for (std::size_t i = 0; i <= n; ++i) {
        const double one = cmf_at(ref.high, ref.low, ref.close, ref.volume, 20, i);
        if (i < 19 || i == n) {
            EXPECT_TRUE(std::isnan(one)) << i;
        } else {
            EXPECT_NEAR(one, out[i], 1e-12) << i;
        }
    }
}

}  // namespace
}  // namespace gs::indicators

namespace gs::indicators {
namespace {

// Large volumes followed by a window with none: the chart must say 0 (no flow), exactly, not
// the residue a running sum leaves when it subtracts the large volumes again.
TEST(CmfTest, AWindowWithoutVolumeAfterLargeVolumesIsExactlyZero) {
    // Found by a search over random volumes: the running sums left 2.6e-11 here.
    std::vector<double> volume = {966051423.6431453,  643078646.1495876,  581711334.1222918,
                                  178765069.42316765, 841417901.2355992,  771304624.3776783,
                                  402720830.71508276, 929432891.5918206,  313585331.61601675,
                                  827947651.3454233,  0.5791778819620008, 0.6540322048534429};
    volume.resize(30, 0.0);
    std::vector<double> high, low, close;
    for (int i = 0; i < 30; ++i) {
        high.push_back(10.0 + 0.37 * i);
        low.push_back(9.0 + 0.21 * i);
        close.push_back(9.5 + 0.29 * i);
    }
    std::vector<double> out(high.size());
    cmf(high, low, close, volume, 5, out);
    for (std::size_t i = 16; i < out.size(); ++i) {
        EXPECT_EQ(out[i], 0.0) << "bar " << i;
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        const double one = cmf_at(high, low, close, volume, 5, i);
        EXPECT_TRUE(one == out[i] || (std::isnan(one) && std::isnan(out[i]))) << i;
    }
}

}  // namespace
}  // namespace gs::indicators
