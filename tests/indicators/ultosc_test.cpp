#include "goldensignals/indicators/ultosc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "goldensignals/indicators/core.h"
#include "momentum_reference_util.h"
#include "support/reference_data.h"

namespace {

using gs::testing::ReferenceTable;
using namespace gs::indicators::momentum_test;

}  // namespace

TEST(UltoscTest, MatchesTaLibOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> out(close.size());
        gs::indicators::ultosc(input.column("high"), input.column("low"), close, 7, 14, 28, out);
        EXPECT_EQ(warm_up(ref.column("ultosc")), 28u);
        expect_matches(out, ref.column("ultosc"));
    }
}

// Periods 1 / 2 / 3 (weights 4 / 2 / 1) on four bars (high, low, close):
//   bar 1 (11, 9, 10), prev close 10: bp = 10 - min(9, 10) = 1,  tr = max(2, 1, 1) = 2
//   bar 2 (12, 10, 12), prev close 10: bp = 12 - 10 = 2,         tr = max(2, 2, 0) = 2
//   bar 3 (12, 11, 11), prev close 12: bp = 11 - 11 = 0,         tr = max(1, 0, 1) = 1
// At bar 3: a1 = 0 / 1, a2 = (2 + 0) / (2 + 1), a3 = (1 + 2 + 0) / (2 + 2 + 1)
//   -> 100 * (4 * 0 + 2 * 2/3 + 3/5) / 7 = 2900 / 105 = 27.619...
TEST(UltoscTest, WeighsTheThreeWindowsFourTwoOneOnAHandWorkedSeries) {
    const std::vector<double> high = {10.0, 11.0, 12.0, 12.0};
    const std::vector<double> low = {9.0, 9.0, 10.0, 11.0};
    const std::vector<double> close = {10.0, 10.0, 12.0, 11.0};
    std::vector<double> out(4);
    gs::indicators::ultosc(high, low, close, 1, 2, 3, out);
    EXPECT_EQ(warm_up(out), 3u);
    EXPECT_NEAR(out[3], 2900.0 / 105.0, 1e-12);
    // TA-Lib sorts the periods, so their order does not matter.
    std::vector<double> shuffled(4);
    gs::indicators::ultosc(high, low, close, 3, 1, 2, shuffled);
    EXPECT_DOUBLE_EQ(shuffled[3], out[3]);
}

TEST(UltoscTest, GivesTaLibsZeroOnFlatPrices) {
    const std::vector<double> flat(35, 4.0);
    std::vector<double> out(flat.size());
    gs::indicators::ultosc(flat, flat, flat, 7, 14, 28, out);
    EXPECT_EQ(out.back(), 0.0);
}

TEST(UltoscTest, HandlesEmptyAndShortInputs) {
    std::vector<double> none;
    gs::indicators::ultosc(none, none, none, 7, 14, 28, none);
    const std::vector<double> one = {1.0};
    std::vector<double> out(1, 5.0);
    gs::indicators::ultosc(one, one, one, 7, 14, 28, out);
    EXPECT_TRUE(std::isnan(out[0]));
    std::vector<double> few(28, 1.0);
    std::vector<double> out28(28);
    gs::indicators::ultosc(few, few, few, 7, 14, 28, out28);
    EXPECT_EQ(warm_up(out28), 28u);
}
