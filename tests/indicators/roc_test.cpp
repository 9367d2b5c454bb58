#include "goldensignals/indicators/roc.h"

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

TEST(RocTest, MatchesTaLibOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> out(close.size());
        gs::indicators::roc(close, 12, out);
        EXPECT_EQ(warm_up(ref.column("roc_12")), 12u);
        expect_matches(out, ref.column("roc_12"));
    }
}

TEST(RocTest, IsThePercentChangeOverThePeriod) {
    // Period 2: 12 / 10 - 1 = +20 %, 9 / 11 - 1 = -18.18 %.
    const std::vector<double> close = {10.0, 11.0, 12.0, 9.0};
    std::vector<double> out(4);
    gs::indicators::roc(close, 2, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_NEAR(out[2], 20.0, 1e-12);
    EXPECT_NEAR(out[3], -200.0 / 11.0, 1e-12);
}

TEST(RocTest, GivesTaLibsZeroWhenTheOlderValueIsZero) {
    const std::vector<double> in = {0.0, 1.0, 2.0};
    std::vector<double> out(3);
    gs::indicators::roc(in, 1, out);
    EXPECT_EQ(out[1], 0.0);
    EXPECT_DOUBLE_EQ(out[2], 100.0);
}

TEST(RocTest, HandlesEmptyShortAndNanPrefixedInputs) {
    std::vector<double> none;
    gs::indicators::roc(none, 12, none);
    const std::vector<double> few = {1.0, 2.0};
    std::vector<double> out(2, 5.0);
    gs::indicators::roc(few, 12, out);
    EXPECT_EQ(warm_up(out), 2u);
    const std::vector<double> prefixed = {gs::indicators::kNaN, 10.0, 11.0};
    std::vector<double> out3(3);
    gs::indicators::roc(prefixed, 1, out3);
    EXPECT_EQ(warm_up(out3), 2u);
    EXPECT_NEAR(out3[2], 10.0, 1e-12);
}
