#include "goldensignals/indicators/mom.h"

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

TEST(MomTest, MatchesTaLibOnReferenceData) {
    for (const std::string file : kReferenceFiles) {
        SCOPED_TRACE(file);
        const auto input = load_input(file);
        const auto ref = ReferenceTable::load(file);
        const auto& close = input.column("close");
        std::vector<double> out(close.size());
        gs::indicators::mom(close, 10, out);
        EXPECT_EQ(warm_up(ref.column("mom_10")), 10u);
        expect_matches(out, ref.column("mom_10"));
    }
}

TEST(MomTest, IsTheChangeOverThePeriod) {
    const std::vector<double> close = {10.0, 11.0, 12.0, 9.0};
    std::vector<double> out(4);
    gs::indicators::mom(close, 2, out);
    EXPECT_TRUE(std::isnan(out[1]));
    EXPECT_DOUBLE_EQ(out[2], 2.0);   // 12 - 10
    EXPECT_DOUBLE_EQ(out[3], -2.0);  // 9 - 11
}

TEST(MomTest, HandlesEmptyShortAndNanPrefixedInputs) {
    std::vector<double> none;
    gs::indicators::mom(none, 10, none);
    const std::vector<double> few = {1.0, 2.0};
    std::vector<double> out(2, 5.0);
    gs::indicators::mom(few, 10, out);
    EXPECT_EQ(warm_up(out), 2u);
    const std::vector<double> prefixed = {gs::indicators::kNaN, 10.0, 11.5};
    std::vector<double> out3(3);
    gs::indicators::mom(prefixed, 1, out3);
    EXPECT_EQ(warm_up(out3), 2u);
    EXPECT_DOUBLE_EQ(out3[2], 1.5);
}
